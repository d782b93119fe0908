import { describe, expect, it } from "vitest";
import { campaignActiveDaysOf, parseCampaignActiveDays } from "../../app/campaigns/settings";

describe("how long a found campaign stays active (a bounded per-shop setting)", () => {
  it("accepts whole days from 1 to 365 and nothing else, with the error on the field", () => {
    expect(parseCampaignActiveDays("30")).toEqual({ ok: true, value: 30 });
    expect(parseCampaignActiveDays(" 1 ")).toEqual({ ok: true, value: 1 });
    expect(parseCampaignActiveDays("365")).toEqual({ ok: true, value: 365 });
    for (const bad of ["0", "366", "-5", "7.5", "", "thirty", "1e2", "99999999"]) {
      expect(parseCampaignActiveDays(bad), bad).toEqual({ ok: false, error: "campaigns.error.activeDays" });
    }
  });

  it("a stored value outside the range (or none) reads as the default of 30 days", () => {
    expect(campaignActiveDaysOf(null)).toBe(30);
    expect(campaignActiveDaysOf(0)).toBe(30);
    expect(campaignActiveDaysOf(400)).toBe(30);
    expect(campaignActiveDaysOf(45)).toBe(45);
  });
});
