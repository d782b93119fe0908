import { describe, expect, it } from "vitest";
import { errorsByField, parseSettingsForm, settingsToForm, type SettingsErrorKey } from "../../app/board/settings-form";
import { messages, type MessageKey } from "../../app/i18n/messages";
import { sameSettings } from "../../app/sync/settings-page.server";
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
      form({
        lapseMode: "fixed",
        fixedLapseDays: "120",
        "winbackTierDays.0": "60",
        "winbackTierDays.1": "120",
        "winbackTierDays.2": "240",
        tagPrefix: "stage/",
        flowEnabled: "",
        flowOnBackfill: "",
      }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.settings).toMatchObject({
      lapseMode: "fixed",
      fixedLapseDays: 120,
      winbackTierDays: [60, 120, 240],
      tagPrefix: "stage/",
    });
    expect(parsed.flow).toEqual({ enabled: false, onBackfill: false });
  });

  it("unknown sessions are stored as unknown; a typed number with separators is read", () => {
    const unknown = parseSettingsForm(form({ sessionsUnknown: "on", monthlySessions: "" }));
    expect(unknown.ok && unknown.monthlySessions).toBeNull();
    const separated = parseSettingsForm(form({ sessionsUnknown: "", monthlySessions: "12.500" }));
    expect(separated.ok && separated.monthlySessions).toBe(12500);
  });

  it("puts each error on the field at fault, with the range in the form's units", () => {
    const parsed = parseSettingsForm(
      form({
        fixedLapseDays: "-3",
        regularMinOrders: "2.5",
        shopGapPercentile: "150",
        "winbackTierDays.1": "50",
        tagPrefix: "a,b",
        shopThresholdMinDays: "400",
        sessionsUnknown: "",
        monthlySessions: "many",
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const byField = errorsByField(parsed.errors);
    expect(byField.general).toEqual([]);
    expect(byField.fields).toEqual({
      fixedLapseDays: { key: "settings.error.range", values: { min: 1, max: 3650 } },
      regularMinOrders: { key: "settings.error.wholeRange", values: { min: 2, max: 100 } },
      shopGapPercentile: { key: "settings.error.percentRange", values: { min: 50, max: 99 } },
      "winbackTierDays.1": { key: "settings.error.increasing", values: { previous: 90 } },
      shopThresholdMaxDays: { key: "settings.error.minMax", values: { min: 400 } },
      tagPrefix: { key: "settings.error.prefixComma", values: {} },
      monthlySessions: { key: "settings.error.sessions", values: { max: 1_000_000_000 } },
    });
    expect(parsed.errors).toHaveLength(7);
  });

  it("refuses the values that used to freeze the app, on their own fields", () => {
    const cases: Array<[string, string, string, Record<string, number>]> = [
      ["fixedLapseDays", "1e15", "settings.error.range", { min: 1, max: 3650 }],
      ["winbackTierDays.2", "200000000", "settings.error.range", { min: 1, max: 3650 }],
      ["regularWindowDays", "99999999999", "settings.error.range", { min: 1, max: 3650 }],
      ["customerGapMultiplier", "1000", "settings.error.range", { min: 1, max: 10 }],
      ["regularMinOrders", "1000000", "settings.error.wholeRange", { min: 2, max: 100 }],
      ["customerMinGaps", "0", "settings.error.wholeRange", { min: 1, max: 100 }],
      ["shopGapPercentile", "100", "settings.error.percentRange", { min: 50, max: 99 }],
      ["returnedWindowDays", "Infinity", "settings.error.range", { min: 1, max: 3650 }],
      ["smallShopFallbackDays", "0x10", "settings.error.range", { min: 1, max: 3650 }],
      ["shopThresholdMaxDays", "", "settings.error.range", { min: 1, max: 3650 }],
    ];
    for (const [field, text, key, values] of cases) {
      const parsed = parseSettingsForm(form({ [field]: text }));
      expect(parsed.ok ? [] : parsed.errors, `${field}=${text}`).toEqual([{ field, message: { key, values } }]);
    }
  });

  it("accepts both ends of every range, a decimal comma, and the percentile from 50 to 99", () => {
    const parsed = parseSettingsForm(
      form({
        fixedLapseDays: "3650",
        regularWindowDays: "1",
        shopGapPercentile: "99",
        customerGapMultiplier: "1,5",
        regularMinOrders: "100",
        "winbackTierDays.0": "1",
        "winbackTierDays.1": "2",
        "winbackTierDays.2": "3650",
      }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.settings).toMatchObject({
      fixedLapseDays: 3650,
      regularWindowDays: 1,
      shopGapPercentile: 0.99,
      customerGapMultiplier: 1.5,
      regularMinOrders: 100,
      winbackTierDays: [1, 2, 3650],
    });
    const low = parseSettingsForm(form({ shopGapPercentile: "50" }));
    expect(low.ok && low.settings.shopGapPercentile).toBe(0.5);
  });

  it("an unreadable tier is reported once and not compared with its neighbours", () => {
    const parsed = parseSettingsForm(form({ "winbackTierDays.0": "soon", "winbackTierDays.1": "10" }));
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { field: "winbackTierDays.0", message: { key: "settings.error.range", values: { min: 1, max: 3650 } } },
    ]);
  });

  it("every message key the form can produce exists in all three languages", () => {
    const keys: string[] = [
      "settings.error.range",
      "settings.error.wholeRange",
      "settings.error.percentRange",
      "settings.error.increasing",
      "settings.error.minMax",
      "settings.error.lapseMode",
      "settings.error.prefixEmpty",
      "settings.error.prefixLong",
      "settings.error.prefixComma",
      "settings.error.prefixSpace",
      "settings.error.prefixCharacters",
      "settings.error.notObject",
      "settings.error.unknownSetting",
      "settings.error.sessions",
    ] satisfies SettingsErrorKey[];
    for (const locale of ["en", "ja", "nl"] as const)
      for (const key of keys) expect(messages[locale][key as MessageKey], `${locale} ${key}`).toBeTruthy();
  });
});
