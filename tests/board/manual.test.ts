import { describe, expect, it } from "vitest";
import { parseDay, parseManualCampaign } from "../../app/campaigns/manual";

const valid = {
  name: "Leaflets at the market",
  stage: "1",
  stageOneKind: "shine-a-light",
  channel: "PRINT",
  startsOn: "2026-11-01",
  endsOn: "2026-11-30",
};

describe("manual campaigns (the paper sheet)", () => {
  it("accepts name, stage, Stage 1 kind, channel and days; the last day runs to its end", () => {
    const parsed = parseManualCampaign(valid);
    expect(parsed).toEqual({
      ok: true,
      value: {
        name: "Leaflets at the market",
        stage: 1,
        stageOneKind: "shine-a-light",
        channel: "PRINT",
        startsAt: new Date("2026-11-01T00:00:00Z"),
        endsAt: new Date("2026-12-01T00:00:00Z"),
      },
    });
  });

  it("needs a kind for Stage 1 only; other stages drop it", () => {
    expect(parseManualCampaign({ ...valid, stageOneKind: "" })).toEqual({
      ok: false,
      errors: { stageOneKind: "campaigns.error.kindRequired" },
    });
    const stage3 = parseManualCampaign({ ...valid, stage: "3", stageOneKind: "" });
    expect(stage3.ok && stage3.value.stageOneKind).toBeNull();
  });

  it("an empty last day means no end date", () => {
    const parsed = parseManualCampaign({ ...valid, endsOn: "" });
    expect(parsed.ok && parsed.value.endsAt).toBeNull();
  });

  it("reports every problem at once, as message keys", () => {
    expect(
      parseManualCampaign({ name: " ", stage: "6", channel: "CARRIER_PIGEON", startsOn: "2026-02-30", endsOn: "soon" }),
    ).toEqual({
      ok: false,
      errors: {
        name: "campaigns.error.nameRequired",
        stage: "campaigns.error.stage",
        channel: "campaigns.error.channel",
        startsOn: "campaigns.error.date",
        endsOn: "campaigns.error.date",
      },
    });
    expect(parseManualCampaign({ ...valid, endsOn: "2026-10-31" })).toEqual({
      ok: false,
      errors: { endsOn: "campaigns.error.endBeforeStart" },
    });
    expect(parseManualCampaign({ ...valid, startsOn: "" })).toEqual({
      ok: false,
      errors: { startsOn: "campaigns.error.startRequired" },
    });
  });

  it("parses only real calendar days", () => {
    expect(parseDay("2028-02-29")).toEqual(new Date("2028-02-29T00:00:00Z"));
    expect(parseDay("2026-02-29")).toBeNull();
    expect(parseDay("23-11-2026")).toBeNull();
  });
});
