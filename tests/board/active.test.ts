import { describe, expect, it } from "vitest";
import { campaignState, isActive } from "../../app/domain/campaign-state";

const now = new Date("2026-11-23T12:00:00Z");
const at = (iso: string) => new Date(iso);

describe("isActive: running now", () => {
  it("an active campaign that started and has not ended is active", () => {
    expect(
      isActive({ status: "ACTIVE", startsAt: at("2026-11-01T00:00:00Z"), endsAt: at("2026-12-01T00:00:00Z") }, now),
    ).toBe(true);
  });

  it("a scheduled campaign whose start has not come is not active", () => {
    expect(isActive({ status: "SCHEDULED", startsAt: at("2026-11-24T00:00:00Z"), endsAt: null }, now)).toBe(false);
    expect(campaignState({ status: "SCHEDULED", startsAt: at("2026-11-24T00:00:00Z"), endsAt: null }, now)).toBe(
      "scheduled",
    );
  });

  it("a scheduled campaign whose start has passed is active", () => {
    expect(isActive({ status: "SCHEDULED", startsAt: at("2026-11-23T11:59:59Z"), endsAt: null }, now)).toBe(true);
  });

  it("a campaign starting exactly now is active; one ending exactly now is not (the end is exclusive)", () => {
    expect(isActive({ status: "ACTIVE", startsAt: now, endsAt: null }, now)).toBe(true);
    expect(isActive({ status: "ACTIVE", startsAt: at("2026-11-01T00:00:00Z"), endsAt: now }, now)).toBe(false);
  });

  it("an ended campaign is not active, whatever its status says", () => {
    expect(
      isActive({ status: "ACTIVE", startsAt: at("2026-10-01T00:00:00Z"), endsAt: at("2026-11-01T00:00:00Z") }, now),
    ).toBe(false);
    expect(
      campaignState(
        { status: "ACTIVE", startsAt: at("2026-10-01T00:00:00Z"), endsAt: at("2026-11-01T00:00:00Z") },
        now,
      ),
    ).toBe("ended");
  });

  it("no end date means it runs until stopped", () => {
    expect(isActive({ status: "ACTIVE", startsAt: at("2020-01-01T00:00:00Z"), endsAt: null }, now)).toBe(true);
    expect(isActive({ status: null, startsAt: at("2020-01-01T00:00:00Z"), endsAt: null }, now)).toBe(true);
  });

  it("stopped statuses are not active even inside their dates", () => {
    for (const status of [
      "INACTIVE",
      "PAUSED",
      "DELETED",
      "DELETED_EXTERNALLY",
      "DISCONNECTED",
      "FAILED",
      "DRAFT",
      "PENDING",
      "EXPIRED",
    ]) {
      expect(isActive({ status, startsAt: at("2026-11-01T00:00:00Z"), endsAt: null }, now)).toBe(false);
      expect(campaignState({ status, startsAt: at("2026-11-01T00:00:00Z"), endsAt: null }, now)).toBe("ended");
    }
  });

  it("manual campaigns (no status) follow their dates; an undated one is active", () => {
    expect(isActive({ status: null, startsAt: at("2026-11-24T00:00:00Z"), endsAt: null }, now)).toBe(false);
    expect(isActive({ status: null, startsAt: null, endsAt: null }, now)).toBe(true);
    expect(isActive({ status: "UNDEFINED", startsAt: null, endsAt: at("2026-11-30T00:00:00Z") }, now)).toBe(true);
  });
});
