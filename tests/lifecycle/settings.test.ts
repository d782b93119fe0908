import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIFECYCLE_SETTINGS,
  InvalidSettingsError,
  SETTING_RANGES,
  checkLifecycleSettings,
  readStoredSettings,
  validateLifecycleSettings,
  type SettingsProblem,
} from "../../app/lifecycle/index";

/** The ranges as the README documents them, written out by hand (not read from the code under test). */
const DOCUMENTED = {
  fixedLapseDays: [1, 3650, false],
  shopGapPercentile: [0.5, 0.99, false],
  shopThresholdMinDays: [1, 3650, false],
  shopThresholdMaxDays: [1, 3650, false],
  smallShopMinGaps: [1, 100000, true],
  smallShopFallbackDays: [1, 3650, false],
  customerMinGaps: [1, 100, true],
  customerGapMultiplier: [1, 10, false],
  customerThresholdMinDays: [1, 3650, false],
  customerThresholdMaxDays: [1, 3650, false],
  returnedWindowDays: [1, 3650, false],
  regularWindowDays: [1, 3650, false],
  regularMinOrders: [2, 100, true],
  winbackTierDays: [1, 3650, false],
} as const;

const problemsOf = (input: unknown): SettingsProblem[] => {
  const result = checkLifecycleSettings(input);
  return result.ok ? [] : result.problems;
};

describe("settings ranges", () => {
  it("the defaults are exactly the numbers of the spec", () => {
    expect(DEFAULT_LIFECYCLE_SETTINGS).toEqual({
      lapseMode: "cadence",
      fixedLapseDays: 90,
      shopGapPercentile: 0.9,
      shopThresholdMinDays: 30,
      shopThresholdMaxDays: 365,
      smallShopMinGaps: 50,
      smallShopFallbackDays: 90,
      customerMinGaps: 2,
      customerGapMultiplier: 2,
      customerThresholdMinDays: 14,
      customerThresholdMaxDays: 365,
      returnedWindowDays: 30,
      regularWindowDays: 365,
      regularMinOrders: 3,
      winbackTierDays: [90, 180, 360],
      tagPrefix: "lifecycle:",
    });
  });

  it("every range is the documented one", () => {
    for (const [key, [min, max, integer]] of Object.entries(DOCUMENTED)) {
      expect(SETTING_RANGES[key as keyof typeof SETTING_RANGES], key).toEqual({ min, max, integer });
    }
    expect(Object.keys(SETTING_RANGES).sort()).toEqual(Object.keys(DOCUMENTED).sort());
  });

  it("an empty object or nothing at all gives the defaults; a partial object keeps its fields", () => {
    expect(validateLifecycleSettings({})).toEqual(DEFAULT_LIFECYCLE_SETTINGS);
    expect(validateLifecycleSettings(undefined)).toEqual(DEFAULT_LIFECYCLE_SETTINGS);
    const s = validateLifecycleSettings({ lapseMode: "fixed", fixedLapseDays: 60 });
    expect(s).toMatchObject({ lapseMode: "fixed", fixedLapseDays: 60, regularWindowDays: 365 });
  });

  // Each number field at both ends of its range and just outside them; non-numbers and non-finite numbers.
  const scalarFields = Object.keys(DOCUMENTED).filter((k) => k !== "winbackTierDays") as Array<
    Exclude<keyof typeof DOCUMENTED, "winbackTierDays">
  >;
  // Fields whose limit interacts with another field: test their ends with a partner that allows them.
  const partner: Record<string, Record<string, number>> = {
    shopThresholdMinDays: { shopThresholdMaxDays: 3650 },
    shopThresholdMaxDays: { shopThresholdMinDays: 1 },
    customerThresholdMinDays: { customerThresholdMaxDays: 3650 },
    customerThresholdMaxDays: { customerThresholdMinDays: 1 },
  };
  it.each(scalarFields)("%s: accepted at both ends, refused just outside, with the range on that field", (key) => {
    const [min, max, integer] = DOCUMENTED[key];
    const step = integer ? 1 : key === "shopGapPercentile" ? 0.001 : 0.01;
    for (const ok of [min, max]) expect(problemsOf({ ...partner[key], [key]: ok }), `${key}=${ok}`).toEqual([]);
    const expected = {
      field: key,
      message: { key: integer ? "settings.error.wholeRange" : "settings.error.range", values: { min, max } },
    };
    for (const bad of [min - step, max + step, 0, -1, 1e15, 200_000_000, Number.NaN, Infinity, "30", null, true]) {
      expect(problemsOf({ ...partner[key], [key]: bad }), `${key}=${String(bad)}`).toEqual([expected]);
    }
    if (integer) expect(problemsOf({ [key]: min + 0.5 })).toEqual([expected]);
  });

  it("win-back tiers: each in 1–3,650, each more than the one before, problems on the tier at fault", () => {
    expect(problemsOf({ winbackTierDays: [1, 2, 3650] })).toEqual([]);
    const range = { key: "settings.error.range", values: { min: 1, max: 3650 } };
    expect(problemsOf({ winbackTierDays: [90, 180, 200_000_000] })).toEqual([
      { field: "winbackTierDays.2", message: range },
    ]);
    expect(problemsOf({ winbackTierDays: [0, 180, 360] })).toEqual([{ field: "winbackTierDays.0", message: range }]);
    expect(problemsOf({ winbackTierDays: [180, 90, 360] })).toEqual([
      { field: "winbackTierDays.1", message: { key: "settings.error.increasing", values: { previous: 180 } } },
    ]);
    expect(problemsOf({ winbackTierDays: [90, 180, 180] })).toEqual([
      { field: "winbackTierDays.2", message: { key: "settings.error.increasing", values: { previous: 180 } } },
    ]);
    expect(problemsOf({ winbackTierDays: [90, 180] })).toEqual([{ field: "winbackTierDays.2", message: range }]);
    expect(problemsOf({ winbackTierDays: "90,180,360" }).map((p) => p.field)).toEqual([
      "winbackTierDays.0",
      "winbackTierDays.1",
      "winbackTierDays.2",
    ]);
    expect(problemsOf({ winbackTierDays: [90, 180, 360, 720] })).toEqual([
      { field: null, message: { key: "settings.error.unknownSetting", values: { name: "winbackTierDays.3" } } },
    ]);
  });

  it("a minimum above its maximum is reported on the maximum", () => {
    expect(problemsOf({ shopThresholdMinDays: 400 })).toEqual([
      { field: "shopThresholdMaxDays", message: { key: "settings.error.minMax", values: { min: 400 } } },
    ]);
    expect(problemsOf({ customerThresholdMinDays: 100, customerThresholdMaxDays: 50 })).toEqual([
      { field: "customerThresholdMaxDays", message: { key: "settings.error.minMax", values: { min: 100 } } },
    ]);
    expect(problemsOf({ customerThresholdMinDays: 50, customerThresholdMaxDays: 50 })).toEqual([]);
  });

  it("tag prefix: 1–40 characters; letters, digits, spaces and : - _ / . + # & @; no comma, no leading space", () => {
    for (const ok of [
      "lifecycle:",
      "stage/",
      "x",
      "p".repeat(40),
      "顧客:",
      "klant-fase_",
      "a b:",
      "#vip+",
      "shop&co@",
      "v2.0/",
    ]) {
      expect(problemsOf({ tagPrefix: ok }), ok).toEqual([]);
    }
    const cases: Array<[unknown, string]> = [
      ["", "settings.error.prefixEmpty"],
      [7, "settings.error.prefixEmpty"],
      ["x".repeat(41), "settings.error.prefixLong"],
      ["a,b", "settings.error.prefixComma"],
      [" ls:", "settings.error.prefixSpace"],
      ["it's:", "settings.error.prefixCharacters"],
      ['say"', "settings.error.prefixCharacters"],
      ["back\\slash", "settings.error.prefixCharacters"],
      ["tab\t", "settings.error.prefixCharacters"],
      ["line\n", "settings.error.prefixCharacters"],
      ["<b>", "settings.error.prefixCharacters"],
    ];
    for (const [bad, key] of cases) {
      const problems = problemsOf({ tagPrefix: bad });
      expect(
        problems.map((p) => [p.field, p.message.key]),
        JSON.stringify(bad),
      ).toEqual([["tagPrefix", key]]);
    }
  });

  it("lists every problem at once, each on its own field; unknown names and non-objects on no field", () => {
    const problems = problemsOf({
      lapseMode: "sometimes",
      fixedLapseDays: -1,
      shopGapPercentile: 1.5,
      smallShopMinGaps: 2.5,
      regularMinOrders: 1,
      returnedWindowDays: Number.NaN,
      winbackTierDays: [180, 90, 360],
      tagPrefix: "a,b",
      lapseDays: 3,
    });
    expect(problems.map((p) => p.field).sort((a, b) => String(a).localeCompare(String(b)))).toEqual(
      [
        "fixedLapseDays",
        "lapseMode",
        null,
        "regularMinOrders",
        "returnedWindowDays",
        "shopGapPercentile",
        "smallShopMinGaps",
        "tagPrefix",
        "winbackTierDays.1",
      ].sort((a, b) => String(a).localeCompare(String(b))),
    );
    expect(problems.find((p) => p.field === null)!.message).toEqual({
      key: "settings.error.unknownSetting",
      values: { name: "lapseDays" },
    });
    for (const input of [null, [1], "cadence"]) {
      expect(problemsOf(input)).toEqual([{ field: null, message: { key: "settings.error.notObject", values: {} } }]);
    }
  });

  it("validateLifecycleSettings throws InvalidSettingsError carrying the same problems", () => {
    try {
      validateLifecycleSettings({ fixedLapseDays: 1e15 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSettingsError);
      expect((error as InvalidSettingsError).problems).toEqual(problemsOf({ fixedLapseDays: 1e15 }));
      expect((error as Error).message).toMatch(/fixedLapseDays: range \(min 1, max 3650\)/);
    }
  });
});

describe("stored settings out of range", () => {
  it("valid stored settings (object or JSON text) are used as stored, with no adjustment", () => {
    const stored = { ...DEFAULT_LIFECYCLE_SETTINGS, fixedLapseDays: 120, winbackTierDays: [60, 120, 240] };
    expect(readStoredSettings(stored)).toEqual({ settings: stored, adjustments: [] });
    expect(readStoredSettings(JSON.stringify(stored))).toEqual({ settings: stored, adjustments: [] });
    expect(readStoredSettings(null)).toEqual({ settings: DEFAULT_LIFECYCLE_SETTINGS, adjustments: [] });
    expect(readStoredSettings({ lapseMode: "fixed" })).toEqual({
      settings: { ...DEFAULT_LIFECYCLE_SETTINGS, lapseMode: "fixed" },
      adjustments: [],
    });
  });

  it("numbers out of range are brought to the nearest allowed value, each change reported", () => {
    const { settings, adjustments } = readStoredSettings(
      JSON.stringify({
        fixedLapseDays: 1e15,
        shopGapPercentile: 0.07,
        regularMinOrders: 2.6,
        customerGapMultiplier: 0.5,
        returnedWindowDays: "soon",
      }),
    );
    expect(settings).toEqual({
      ...DEFAULT_LIFECYCLE_SETTINGS,
      fixedLapseDays: 3650,
      shopGapPercentile: 0.5,
      regularMinOrders: 3,
      customerGapMultiplier: 1,
      returnedWindowDays: 30,
    });
    expect(adjustments).toEqual([
      { field: "fixedLapseDays", stored: "1000000000000000", used: "3650" },
      { field: "shopGapPercentile", stored: "0.07", used: "0.5" },
      { field: "customerGapMultiplier", stored: "0.5", used: "1" },
      { field: "returnedWindowDays", stored: "soon", used: "30" },
      { field: "regularMinOrders", stored: "2.6", used: "3" },
    ]);
    expect(checkLifecycleSettings(settings).ok).toBe(true);
  });

  it("a minimum above its maximum raises the maximum; tiers that do not increase fall back to 90/180/360", () => {
    const a = readStoredSettings({ shopThresholdMinDays: 500, shopThresholdMaxDays: 200 });
    expect(a.settings).toMatchObject({ shopThresholdMinDays: 500, shopThresholdMaxDays: 500 });
    expect(a.adjustments).toEqual([{ field: "shopThresholdMaxDays", stored: "200", used: "500" }]);
    const b = readStoredSettings({ winbackTierDays: [90, 180, 200_000_000] });
    expect(b.settings.winbackTierDays).toEqual([90, 180, 3650]);
    expect(b.adjustments).toEqual([{ field: "winbackTierDays.2", stored: "200000000", used: "3650" }]);
    const c = readStoredSettings({ winbackTierDays: [5000, 6000, 7000] });
    expect(c.settings.winbackTierDays).toEqual([90, 180, 360]);
    expect(c.adjustments.map((x) => [x.field, x.stored, x.used])).toEqual([
      ["winbackTierDays.0", "5000", "90"],
      ["winbackTierDays.1", "6000", "180"],
      ["winbackTierDays.2", "7000", "360"],
    ]);
  });

  it("a prefix tags already carry is kept even when today's rules refuse it; an unusable one falls back", () => {
    const kept = readStoredSettings({ tagPrefix: "it's:" });
    expect(kept.settings.tagPrefix).toBe("it's:");
    expect(kept.adjustments).toEqual([{ field: "tagPrefix", stored: "it's:", used: "it's:" }]);
    const unusable = readStoredSettings({ tagPrefix: "a,b" });
    expect(unusable.settings.tagPrefix).toBe("lifecycle:");
    expect(unusable.adjustments).toEqual([{ field: "tagPrefix", stored: "a,b", used: "lifecycle:" }]);
  });

  it("unreadable JSON or a non-object gives the defaults with one adjustment on no field", () => {
    expect(readStoredSettings("{not json")).toEqual({
      settings: DEFAULT_LIFECYCLE_SETTINGS,
      adjustments: [{ field: null, stored: "{not json", used: "" }],
    });
    expect(readStoredSettings([1, 2]).adjustments).toEqual([{ field: null, stored: "[1,2]", used: "" }]);
    expect(readStoredSettings({ lapseMode: "weekly" }).adjustments).toEqual([
      { field: "lapseMode", stored: "weekly", used: "cadence" },
    ]);
  });
});
