import { describe, expect, it } from "vitest";
import { parseSettingsForm, settingsToForm } from "../../app/board/settings-form";
import { sameSettings } from "../../app/board/settings.server";
import { DEFAULT_LIFECYCLE_SETTINGS } from "../../app/lifecycle";

const form = (overrides: Record<string, string> = {}) => {
  const values = settingsToForm(DEFAULT_LIFECYCLE_SETTINGS, { enabled: true, onBackfill: false }, 12000);
  const text: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) text[k] = typeof v === "boolean" ? (v ? "on" : "") : v;
  return { ...text, ...overrides };
};

describe("the settings form", () => {
  it("round-trips the defaults (the percentile shown as a percentage)", () => {
    expect(form().shopGapPercentile).toBe("90");
    const parsed = parseSettingsForm(form());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(sameSettings(parsed.settings, DEFAULT_LIFECYCLE_SETTINGS)).toBe(true);
    expect(parsed.flow).toEqual({ enabled: true, onBackfill: false });
    expect(parsed.monthlySessions).toBe(12000);
  });

  it("reads lapse mode, win-back days, tag prefix and Flow switches", () => {
    const parsed = parseSettingsForm(
      form({ lapseMode: "fixed", fixedLapseDays: "120", "winbackTierDays.0": "60", "winbackTierDays.1": "120", "winbackTierDays.2": "240", tagPrefix: "stage/", flowEnabled: "", flowOnBackfill: "" }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.settings).toMatchObject({ lapseMode: "fixed", fixedLapseDays: 120, winbackTierDays: [60, 120, 240], tagPrefix: "stage/" });
    expect(parsed.flow).toEqual({ enabled: false, onBackfill: false });
  });

  it("unknown sessions are stored as unknown; a typed number with separators is read", () => {
    const unknown = parseSettingsForm(form({ sessionsUnknown: "on", monthlySessions: "" }));
    expect(unknown.ok && unknown.monthlySessions).toBeNull();
    const separated = parseSettingsForm(form({ sessionsUnknown: "", monthlySessions: "12.500" }));
    expect(separated.ok && separated.monthlySessions).toBe(12500);
  });

  it("marks each wrong field with a message key", () => {
    const parsed = parseSettingsForm(
      form({ fixedLapseDays: "-3", regularMinOrders: "2.5", shopGapPercentile: "150", "winbackTierDays.1": "50", tagPrefix: "a,b", shopThresholdMinDays: "400", sessionsUnknown: "", monthlySessions: "many" }),
    );
    expect(parsed).toEqual({
      ok: false,
      detail: null,
      errors: {
        fixedLapseDays: "settings.error.number",
        regularMinOrders: "settings.error.whole",
        shopGapPercentile: "settings.error.percent",
        "winbackTierDays.1": "settings.error.increasing",
        shopThresholdMaxDays: "settings.error.minMax",
        tagPrefix: "settings.error.prefixComma",
        monthlySessions: "settings.error.sessions",
      },
    });
  });
});
