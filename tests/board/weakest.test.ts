import { describe, expect, it } from "vitest";
import { assessStage, emptyMeasure, MIN_COHORT, REFERENCE_BANDS, verdictFor, weakestStage, type ConversionMeasure } from "../../app/board/conversion";
import type { StageNumber } from "../../app/board/stages";

const measure = (stage: StageNumber, converted: number, base: number): ConversionMeasure => ({
  ...emptyMeasure(stage, null),
  base,
  converted,
});

describe("reference bands", () => {
  it("First → Repeat within a year: below 20% weak, 20–35% typical, above 35% strong", () => {
    expect(REFERENCE_BANDS[4]).toMatchObject({ weakBelow: 0.2, strongAbove: 0.35, fromModel: true });
    expect(verdictFor(measure(4, 190, 1000))).toBe("weak");
    expect(verdictFor(measure(4, 200, 1000))).toBe("typical");
    expect(verdictFor(measure(4, 350, 1000))).toBe("typical");
    expect(verdictFor(measure(4, 351, 1000))).toBe("strong");
  });

  it("Repeat → Regular: about 50% is typical", () => {
    expect(verdictFor(measure(5, 500, 1000))).toBe("typical");
    expect(verdictFor(measure(5, 300, 1000))).toBe("weak");
    expect(verdictFor(measure(5, 700, 1000))).toBe("strong");
  });

  it("no verdict on a cohort too small to judge, or on a stage that was not measured", () => {
    expect(verdictFor(measure(4, 1, MIN_COHORT - 1))).toBe("tooFew");
    expect(verdictFor(emptyMeasure(3))).toBe("unknown");
    expect(verdictFor(emptyMeasure(1, "sessionsUnknown"))).toBe("unknown");
  });

  it("Stage 2's base is sessions: judged even when few people subscribed", () => {
    expect(verdictFor(measure(2, 5, 10_000))).toBe("weak");
    expect(verdictFor(measure(2, 200, 10_000))).toBe("typical");
  });
});

describe("the weakest stage", () => {
  it("names the stage furthest below its band, with the numbers behind the call", () => {
    const weakest = weakestStage([measure(3, 150, 1000), measure(4, 150, 1000), measure(5, 500, 1000)]);
    expect(weakest).toMatchObject({ stage: 4, verdict: "weak", rate: 0.15, band: REFERENCE_BANDS[4] });
  });

  it("a weak stage is weaker than any typical one, even with a higher rate", () => {
    // Stage 5 at 39% is weak (band 40–60%); Stage 3 at 10% is typical (band 10–20%).
    expect(weakestStage([measure(3, 100, 1000), measure(5, 390, 1000)])?.stage).toBe(5);
  });

  it("among typical stages, the lowest relative to the middle of its band", () => {
    // Stage 4: 21% of a 27.5% middle (0.76); Stage 5: 45% of 50% (0.9).
    expect(weakestStage([measure(4, 210, 1000), measure(5, 450, 1000)])?.stage).toBe(4);
  });

  it("ignores stages without a verdict and says nothing when none can be judged", () => {
    expect(weakestStage([emptyMeasure(1, "sessionsUnknown"), emptyMeasure(2, "sessionsUnknown"), measure(4, 1, 5)])).toBeNull();
    expect(weakestStage([measure(4, 1, 5), measure(5, 300, 1000)])?.stage).toBe(5);
  });

  it("scores a stage relative to its band", () => {
    expect(assessStage(measure(4, 275, 1000)).score).toBeCloseTo(1, 10);
  });
});
