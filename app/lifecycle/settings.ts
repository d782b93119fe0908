/**
 * Per-shop settings: every number the rules use, each with a documented range (SETTING_RANGES, also in the README's
 * settings section). The ranges keep every answer of the model meaningful and every transition inside the dates a
 * database can hold: a lapse after 10 years is the longest horizon a shop can ask for.
 *
 * Two doors let settings in:
 * - `checkLifecycleSettings` (what the Settings form saves or previews): refuses anything out of range, with one
 *   problem per field at fault, so the page puts each message on its field.
 * - `readStoredSettings` (a stored row: old versions had no ranges, JSON may be edited by hand): never refuses; a value
 *   out of range is brought to the nearest allowed one and reported as an adjustment, so the app keeps running and
 *   the merchant is told what is used instead.
 */

export type LapseMode = "cadence" | "fixed";

export interface LifecycleSettings {
  /** `cadence`: thresholds come from order gaps; `fixed`: everyone lapses after `fixedLapseDays`. */
  lapseMode: LapseMode;
  fixedLapseDays: number;
  /** Percentile (a fraction, nearest rank) of all the shop's gaps that becomes the shop threshold Q. */
  shopGapPercentile: number;
  shopThresholdMinDays: number;
  shopThresholdMaxDays: number;
  /** Below this many gaps in the whole shop, the percentile is too noisy: Q = smallShopFallbackDays. */
  smallShopMinGaps: number;
  smallShopFallbackDays: number;
  /** A customer needs at least this many gaps for their own threshold; otherwise Q applies. */
  customerMinGaps: number;
  customerGapMultiplier: number;
  customerThresholdMinDays: number;
  customerThresholdMaxDays: number;
  returnedWindowDays: number;
  regularWindowDays: number;
  regularMinOrders: number;
  /** Days without an order that start win-back tiers 90, 180 and 360 (in that order). */
  winbackTierDays: readonly [number, number, number];
  tagPrefix: string;
}

export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = Object.freeze({
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
  winbackTierDays: Object.freeze([90, 180, 360]) as readonly [number, number, number],
  tagPrefix: "lifecycle:",
}) as LifecycleSettings;

export type NumberSetting = {
  [K in keyof LifecycleSettings]: LifecycleSettings[K] extends number ? K : never;
}[keyof LifecycleSettings];

export const TIER_FIELDS = ["winbackTierDays.0", "winbackTierDays.1", "winbackTierDays.2"] as const;
export type TierField = (typeof TIER_FIELDS)[number];

/** A setting as one input: the three win-back tiers are three fields. */
export type SettingField = NumberSetting | TierField | "lapseMode" | "tagPrefix";

export interface SettingRange {
  min: number;
  max: number;
  /** Whole numbers only (counts of orders or gaps). */
  integer: boolean;
}

/** Ten years: the longest span of days any setting may name. */
export const MAX_SETTING_DAYS = 3650;
const DAYS: SettingRange = { min: 1, max: MAX_SETTING_DAYS, integer: false };

/**
 * The allowed range of every number (inclusive). Days are 1–3,650 (a day to ten years; fractions allowed); counts
 * are whole numbers; the percentile is a fraction 0.5–0.99 (a threshold below the median gap would call half of the
 * usual gaps a lapse, and the 100th percentile is the single longest gap); the multiplier 1–10 (below 1 a customer
 * lapses before their usual gap has passed).
 */
export const SETTING_RANGES: Readonly<Record<NumberSetting | "winbackTierDays", SettingRange>> = Object.freeze({
  fixedLapseDays: DAYS,
  shopGapPercentile: { min: 0.5, max: 0.99, integer: false },
  shopThresholdMinDays: DAYS,
  shopThresholdMaxDays: DAYS,
  smallShopMinGaps: { min: 1, max: 100_000, integer: true },
  smallShopFallbackDays: DAYS,
  customerMinGaps: { min: 1, max: 100, integer: true },
  customerGapMultiplier: { min: 1, max: 10, integer: false },
  customerThresholdMinDays: DAYS,
  customerThresholdMaxDays: DAYS,
  returnedWindowDays: DAYS,
  regularWindowDays: DAYS,
  regularMinOrders: { min: 2, max: 100, integer: true },
  winbackTierDays: DAYS,
});

export const TAG_PREFIX_MAX_LENGTH = 40;
/**
 * Letters and digits of any script, spaces inside, and `: - _ / . + # & @`. Not commas (Shopify separates tags with
 * them), quotes or backslashes (segment queries quote the tag), nor control characters.
 */
const TAG_PREFIX_CHARACTERS = /^[\p{L}\p{M}\p{N} :\-_/.+#&@]+$/u;

export type SettingsMessageKey =
  | "settings.error.range"
  | "settings.error.wholeRange"
  | "settings.error.increasing"
  | "settings.error.minMax"
  | "settings.error.lapseMode"
  | "settings.error.prefixEmpty"
  | "settings.error.prefixLong"
  | "settings.error.prefixComma"
  | "settings.error.prefixSpace"
  | "settings.error.prefixCharacters"
  | "settings.error.notObject"
  | "settings.error.unknownSetting";

/** An i18n message key (app/i18n) and the values it names. */
export interface SettingsMessage {
  key: SettingsMessageKey;
  values: Record<string, string | number>;
}

/** One reason the settings are refused; `field` is the input at fault (null: the settings as a whole). */
export interface SettingsProblem {
  field: SettingField | null;
  message: SettingsMessage;
}

export type SettingsCheck = { ok: true; settings: LifecycleSettings } | { ok: false; problems: SettingsProblem[] };

const NUMBER_SETTINGS = (Object.keys(DEFAULT_LIFECYCLE_SETTINGS) as Array<keyof LifecycleSettings>).filter(
  (key): key is NumberSetting => typeof DEFAULT_LIFECYCLE_SETTINGS[key] === "number",
);
const KNOWN_FIELDS = new Set<string>(Object.keys(DEFAULT_LIFECYCLE_SETTINGS));
/** Pairs whose first must not exceed the second; a problem is reported on the second (the maximum). */
const ORDERED_PAIRS = [
  ["shopThresholdMinDays", "shopThresholdMaxDays"],
  ["customerThresholdMinDays", "customerThresholdMaxDays"],
] as const satisfies ReadonlyArray<readonly [NumberSetting, NumberSetting]>;

function isRecord(input: unknown): input is Record<string, unknown> {
  return input !== null && typeof input === "object" && !Array.isArray(input);
}

export function inRange(value: unknown, range: SettingRange): value is number {
  return (
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= range.min &&
    value <= range.max &&
    (!range.integer || Number.isInteger(value))
  );
}

function rangeMessage(range: SettingRange): SettingsMessage {
  return {
    key: range.integer ? "settings.error.wholeRange" : "settings.error.range",
    values: { min: range.min, max: range.max },
  };
}

/** The problem with a tag prefix, or null when Shopify and the segment queries can use it. */
export function tagPrefixProblem(prefix: unknown): SettingsMessage | null {
  if (typeof prefix !== "string" || prefix.length === 0) return { key: "settings.error.prefixEmpty", values: {} };
  if (prefix.length > TAG_PREFIX_MAX_LENGTH) {
    return { key: "settings.error.prefixLong", values: { max: TAG_PREFIX_MAX_LENGTH, length: prefix.length } };
  }
  if (prefix.includes(",")) return { key: "settings.error.prefixComma", values: {} };
  // Shopify trims tags, so a prefix starting with a space would never match the stored tags and be re-added forever.
  if (prefix.trimStart() !== prefix) return { key: "settings.error.prefixSpace", values: {} };
  if (!TAG_PREFIX_CHARACTERS.test(prefix)) return { key: "settings.error.prefixCharacters", values: {} };
  return null;
}

/**
 * Checks settings against their ranges. Missing fields take their defaults (a stored partial object stays valid when
 * settings are added later); every problem is reported, each on its field.
 */
export function checkLifecycleSettings(input: unknown): SettingsCheck {
  if (input === undefined) return { ok: true, settings: { ...DEFAULT_LIFECYCLE_SETTINGS } };
  if (!isRecord(input))
    return { ok: false, problems: [{ field: null, message: { key: "settings.error.notObject", values: {} } }] };
  const problems: SettingsProblem[] = [];
  const pick = <K extends keyof LifecycleSettings>(key: K): unknown =>
    input[key] === undefined ? DEFAULT_LIFECYCLE_SETTINGS[key] : input[key];

  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key))
      problems.push({ field: null, message: { key: "settings.error.unknownSetting", values: { name: key } } });
  }
  const lapseMode = pick("lapseMode");
  if (lapseMode !== "cadence" && lapseMode !== "fixed")
    problems.push({ field: "lapseMode", message: { key: "settings.error.lapseMode", values: {} } });

  const numbers = {} as Record<NumberSetting, number>;
  for (const key of NUMBER_SETTINGS) {
    const value = pick(key);
    if (inRange(value, SETTING_RANGES[key])) numbers[key] = value;
    else problems.push({ field: key, message: rangeMessage(SETTING_RANGES[key]) });
  }
  for (const [low, high] of ORDERED_PAIRS) {
    if (numbers[low] !== undefined && numbers[high] !== undefined && numbers[low] > numbers[high]) {
      problems.push({ field: high, message: { key: "settings.error.minMax", values: { min: numbers[low] } } });
    }
  }

  const tiers = pick("winbackTierDays");
  const tierList: unknown[] = Array.isArray(tiers) ? tiers : [];
  TIER_FIELDS.forEach((field, k) => {
    const value = tierList[k];
    if (!inRange(value, SETTING_RANGES.winbackTierDays))
      problems.push({ field, message: rangeMessage(SETTING_RANGES.winbackTierDays) });
    else if (
      k > 0 &&
      inRange(tierList[k - 1], SETTING_RANGES.winbackTierDays) &&
      !((tierList[k - 1] as number) < value)
    ) {
      problems.push({
        field,
        message: { key: "settings.error.increasing", values: { previous: tierList[k - 1] as number } },
      });
    }
  });
  if (Array.isArray(tiers) && tiers.length > TIER_FIELDS.length) {
    problems.push({
      field: null,
      message: { key: "settings.error.unknownSetting", values: { name: `winbackTierDays.${TIER_FIELDS.length}` } },
    });
  }

  const prefix = pick("tagPrefix");
  const prefixProblem = tagPrefixProblem(prefix);
  if (prefixProblem) problems.push({ field: "tagPrefix", message: prefixProblem });

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      ...numbers,
      lapseMode: lapseMode as LapseMode,
      winbackTierDays: [tierList[0] as number, tierList[1] as number, tierList[2] as number],
      tagPrefix: prefix as string,
    },
  };
}

/** Thrown by validateLifecycleSettings; `problems` are the per-field reasons. */
export class InvalidSettingsError extends Error {
  constructor(readonly problems: readonly SettingsProblem[]) {
    super(`Invalid lifecycle settings:\n- ${problems.map(describeSettingsProblem).join("\n- ")}`);
    this.name = "InvalidSettingsError";
  }
}

/** A problem in plain English for logs and command-line tools; merchants see the translated message instead. */
export function describeSettingsProblem(problem: SettingsProblem): string {
  const values = Object.entries(problem.message.values)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return `${problem.field ?? "settings"}: ${problem.message.key.replace("settings.error.", "")}${values ? ` (${values})` : ""}`;
}

/** Complete, typed settings, or InvalidSettingsError listing every problem. */
export function validateLifecycleSettings(input: unknown): LifecycleSettings {
  const result = checkLifecycleSettings(input);
  if (!result.ok) throw new InvalidSettingsError(result.problems);
  return result.settings;
}

/** A stored value the app does not use as stored, and what it uses instead (both as stored text and number/text). */
export interface SettingsAdjustment {
  field: SettingField | null;
  stored: string;
  used: string;
}

export interface StoredSettings {
  settings: LifecycleSettings;
  /** Empty when the stored settings are used as they are. */
  adjustments: SettingsAdjustment[];
}

function show(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The nearest allowed value: clamped into the range, rounded for counts; not a finite number → the default. */
function nearestAllowed(value: unknown, range: SettingRange, fallback: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) return fallback;
  const clamped = Math.min(range.max, Math.max(range.min, value));
  return range.integer ? Math.round(clamped) : clamped;
}

/**
 * Settings as stored (parsed JSON, or the JSON text itself): never throws. Missing fields take their defaults silently;
 * a number out of range becomes the nearest allowed one; a value of the wrong kind becomes the default; a minimum
 * above its maximum raises the maximum; win-back tiers that do not increase after that fall back to 90/180/360. A tag
 * prefix is kept whenever tags with it already exist (it passed the older rules) even if the current rules would
 * refuse it, so customers' tags are never orphaned; the adjustment tells the merchant to choose another. Every
 * change is listed in `adjustments` for the merchant to see; saving the settings page stores the adjusted values.
 */
export function readStoredSettings(stored: unknown): StoredSettings {
  let input = stored;
  const adjustments: SettingsAdjustment[] = [];
  if (typeof stored === "string") {
    try {
      input = JSON.parse(stored);
    } catch {
      return { settings: { ...DEFAULT_LIFECYCLE_SETTINGS }, adjustments: [{ field: null, stored, used: "" }] };
    }
  }
  if (input === undefined || input === null) return { settings: { ...DEFAULT_LIFECYCLE_SETTINGS }, adjustments };
  if (!isRecord(input))
    return {
      settings: { ...DEFAULT_LIFECYCLE_SETTINGS },
      adjustments: [{ field: null, stored: show(input), used: "" }],
    };

  const settings = { ...DEFAULT_LIFECYCLE_SETTINGS } as {
    -readonly [K in keyof LifecycleSettings]: LifecycleSettings[K];
  };
  const adjust = (field: SettingField, storedValue: unknown, used: unknown) =>
    adjustments.push({ field, stored: show(storedValue), used: show(used) });

  if (input.lapseMode !== undefined) {
    if (input.lapseMode === "cadence" || input.lapseMode === "fixed") settings.lapseMode = input.lapseMode;
    else adjust("lapseMode", input.lapseMode, settings.lapseMode);
  }
  for (const key of NUMBER_SETTINGS) {
    const value = input[key];
    if (value === undefined) continue;
    settings[key] = nearestAllowed(value, SETTING_RANGES[key], DEFAULT_LIFECYCLE_SETTINGS[key]);
    if (settings[key] !== value) adjust(key, value, settings[key]);
  }
  for (const [low, high] of ORDERED_PAIRS) {
    if (settings[low] > settings[high]) {
      adjust(high, settings[high], settings[low]);
      settings[high] = settings[low];
    }
  }

  if (input.winbackTierDays !== undefined) {
    const storedTiers: unknown[] = Array.isArray(input.winbackTierDays) ? input.winbackTierDays : [];
    const tiers = TIER_FIELDS.map((_, k) =>
      nearestAllowed(storedTiers[k], SETTING_RANGES.winbackTierDays, DEFAULT_LIFECYCLE_SETTINGS.winbackTierDays[k]),
    ) as [number, number, number];
    const increasing = tiers[0] < tiers[1] && tiers[1] < tiers[2];
    const used = increasing ? tiers : DEFAULT_LIFECYCLE_SETTINGS.winbackTierDays;
    TIER_FIELDS.forEach((field, k) => {
      if (storedTiers[k] !== used[k]) adjust(field, storedTiers[k], used[k]);
    });
    settings.winbackTierDays = [used[0], used[1], used[2]];
  }

  if (input.tagPrefix !== undefined) {
    const prefix = input.tagPrefix;
    const problem = tagPrefixProblem(prefix);
    if (problem === null) settings.tagPrefix = prefix as string;
    else if (problem.key === "settings.error.prefixCharacters") {
      settings.tagPrefix = prefix as string;
      adjust("tagPrefix", prefix, prefix);
    } else adjust("tagPrefix", prefix, settings.tagPrefix);
  }
  return { settings, adjustments };
}
