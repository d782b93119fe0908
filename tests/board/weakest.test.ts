import { describe, expect, it } from "vitest";
import {
  assessStage,
  bandPosition,
  emptyMeasure,
  REFERENCE_BANDS,
  verdictFor,
  weakestStage,
  type ConversionMeasure,
} from "../../app/board/conversion";
import type { StageNumber } from "../../app/domain/stages";

/** A measure with an estimate given by hand: rate and its 95% interval, over the whole window unless `horizon`. */
const measure = (
  stage: StageNumber,
  rate: number,
  lower: number,
  upper: number,
  horizon?: number,
): ConversionMeasure => {
  const m = emptyMeasure(stage, null);
  return {
    ...m,
    estimate: {
      rate,
      lower,
      upper,
      customers: 1000,
      converted: Math.round(rate * 1000),
      horizonDays: horizon ?? m.windowDays,
      atRiskAtHorizon: 500,
    },
  };
};

describe("a verdict only when the interval allows one", () => {
  it("Stage 4 (the model's band, 20–35%): weak, typical, strong only when the whole interval says so", () => {
    expect(REFERENCE_BANDS[4]).toMatchObject({ weakBelow: 0.2, strongAbove: 0.35, fromModel: true });
    expect(verdictFor(measure(4, 0.15, 0.12, 0.19))).toBe("weak");
    expect(verdictFor(measure(4, 0.27, 0.21, 0.33))).toBe("typical");
    expect(verdictFor(measure(4, 0.27, 0.2, 0.35))).toBe("typical"); // the lines themselves are typical
    expect(verdictFor(measure(4, 0.42, 0.36, 0.48))).toBe("strong");
  });

  it("an interval across one line still rules the other side out; across both, not sure yet", () => {
    expect(verdictFor(measure(4, 0.33, 0.28, 0.4))).toBe("notWeak");
    expect(verdictFor(measure(4, 0.21, 0.17, 0.26))).toBe("notStrong");
    expect(verdictFor(measure(4, 0.27, 0.1, 0.5))).toBe("unsure");
  });

  it("a horizon shorter than the window can only say strong or not weak: the full-window share is at least as high", () => {
    expect(verdictFor(measure(4, 0.5, 0.45, 0.55, 200))).toBe("strong");
    expect(verdictFor(measure(4, 0.3, 0.25, 0.34, 200))).toBe("notWeak");
    expect(verdictFor(measure(4, 0.1, 0.05, 0.15, 200))).toBe("unsure");
  });

  it("no verdict for a stage that was not measured", () => {
    expect(verdictFor(emptyMeasure(3))).toBe("unknown");
    expect(verdictFor(emptyMeasure(1, "sessionsUnknown"))).toBe("unknown");
  });

  it("places a rate in its band: 0 at the weak line, 1 at the strong line", () => {
    expect(bandPosition(0.2, REFERENCE_BANDS[4]!)).toBeCloseTo(0, 12);
    expect(bandPosition(0.35, REFERENCE_BANDS[4]!)).toBeCloseTo(1, 12);
    expect(bandPosition(0.5, REFERENCE_BANDS[5]!)).toBeCloseTo(0.5, 12);
    // Not covered yet: the top of the interval is the share 1 (anything up to it is possible).
    expect(assessStage(measure(4, 0.3, 0.25, 0.34, 200)).positionHigh).toBeCloseTo((1 - 0.2) / 0.15, 12);
  });
});

describe("the weakest stage", () => {
  it("names the stage surely lowest in its band, 'clear' when no other interval reaches as low", () => {
    // Positions: Stage 2 at 0.5% [0.4, 0.6] → −0.25 [−0.3, −0.2]; Stage 4 at 15% [12, 18] → −0.33 [−0.53, −0.13];
    // Stage 5 at 50% [45, 55] → 0.5 [0.25, 0.75].
    const call = weakestStage([
      measure(2, 0.005, 0.004, 0.006),
      measure(4, 0.15, 0.12, 0.18),
      measure(5, 0.5, 0.45, 0.55),
    ])!;
    // Stage 2's best case (−0.2) is below Stage 4's (−0.13): Stage 2 is the one surely lowest; Stage 4 overlaps it.
    expect(call.assessment.stage).toBe(2);
    expect(call.certainty).toBe("likely");
    expect(call.couldAlsoBe).toEqual([4]);
    const clear = weakestStage([measure(4, 0.15, 0.12, 0.18), measure(5, 0.5, 0.45, 0.55)])!;
    expect(clear).toMatchObject({ certainty: "clear", couldAlsoBe: [] });
    expect(clear.assessment).toMatchObject({ stage: 4, verdict: "weak", rate: 0.15 });
  });

  it("a few customers with a low point estimate do not outrank a stage that is surely weak", () => {
    // Stage 3: 2% of a handful, interval up to 40% (position up to 3); Stage 5: 30% [28, 32] (position up to −0.4).
    const call = weakestStage([measure(3, 0.02, 0.001, 0.4), measure(5, 0.3, 0.28, 0.32)])!;
    expect(call.assessment.stage).toBe(5);
    expect(call.couldAlsoBe).toEqual([3]);
  });

  it("a stage not yet followed for its whole window is not called weakest on a short horizon's low share", () => {
    const call = weakestStage([measure(4, 0.1, 0.08, 0.12, 60), measure(5, 0.45, 0.42, 0.48)])!;
    expect(call.assessment.stage).toBe(5);
    expect(call.couldAlsoBe).toEqual([4]);
  });

  it("ties go to the lower estimate, then the earlier stage; nothing measured, no call", () => {
    expect(weakestStage([measure(5, 0.5, 0.45, 0.55), measure(4, 0.275, 0.2375, 0.3125)])!.assessment.stage).toBe(4);
    expect(
      weakestStage([emptyMeasure(1, "sessionsUnknown"), emptyMeasure(2, "sessionsUnknown"), emptyMeasure(3)]),
    ).toBeNull();
  });
});
