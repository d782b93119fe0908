/**
 * Per-shop settings: every number the rules use. Stored settings are untrusted (old rows, hand-edited JSON), so they
 * only enter the model through `validateLifecycleSettings`.
 */

export type LapseMode = "cadence" | "fixed";

export interface LifecycleSettings {
  /** `cadence`: thresholds come from order gaps; `fixed`: everyone lapses after `fixedLapseDays`. */
  lapseMode: LapseMode;
  fixedLapseDays: number;
  /** Percentile (0..1, nearest rank) of all the shop's gaps that becomes the shop threshold Q. */
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

export const TAG_PREFIX_MAX_LENGTH = 40;

type NumberKey = {
  [K in keyof LifecycleSettings]: LifecycleSettings[K] extends number ? K : never;
}[keyof LifecycleSettings];

const DAY_FIELDS: readonly NumberKey[] = [
  "fixedLapseDays",
  "shopThresholdMinDays",
  "shopThresholdMaxDays",
  "smallShopFallbackDays",
  "customerThresholdMinDays",
  "customerThresholdMaxDays",
  "returnedWindowDays",
  "regularWindowDays",
];
const COUNT_FIELDS: readonly NumberKey[] = ["smallShopMinGaps", "customerMinGaps", "regularMinOrders"];
const KNOWN_FIELDS = new Set<string>(Object.keys(DEFAULT_LIFECYCLE_SETTINGS));

/**
 * Returns complete, typed settings: missing fields take their defaults, so a stored partial object stays valid when
 * settings are added later. Throws one Error that lists every problem, so a settings form can show them all at once.
 */
export function validateLifecycleSettings(input: unknown): LifecycleSettings {
  if (input === undefined) return { ...DEFAULT_LIFECYCLE_SETTINGS };
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new Error("Invalid lifecycle settings: expected an object with setting names as keys.");
  }
  const raw = input as Record<string, unknown>;
  const problems: string[] = [];
  const pick = <K extends keyof LifecycleSettings>(key: K): unknown =>
    raw[key] === undefined ? DEFAULT_LIFECYCLE_SETTINGS[key] : raw[key];

  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) problems.push(`${key} is not a lifecycle setting.`);
  }

  const lapseMode = pick("lapseMode");
  if (lapseMode !== "cadence" && lapseMode !== "fixed") {
    problems.push(`lapseMode must be "cadence" or "fixed" (got ${describe(lapseMode)}).`);
  }

  const numbers = {} as Record<NumberKey, number>;
  const numberOk = {} as Record<NumberKey, boolean>;
  const checkNumber = (key: NumberKey, integer: boolean): void => {
    const value = pick(key);
    const ok = typeof value === "number" && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
    if (!ok) {
      problems.push(`${key} must be a positive ${integer ? "whole number" : "number"} (got ${describe(value)}).`);
    }
    numbers[key] = value as number;
    numberOk[key] = ok;
  };
  for (const key of DAY_FIELDS) checkNumber(key, false);
  for (const key of COUNT_FIELDS) checkNumber(key, true);
  checkNumber("customerGapMultiplier", false);
  checkNumber("shopGapPercentile", false);
  if (numberOk.shopGapPercentile && numbers.shopGapPercentile > 1) {
    problems.push(`shopGapPercentile must be at most 1 (it is a fraction, e.g. 0.9; got ${numbers.shopGapPercentile}).`);
  }
  const ordered = (low: NumberKey, high: NumberKey): void => {
    if (numberOk[low] && numberOk[high] && numbers[low] > numbers[high]) {
      problems.push(`${low} (${numbers[low]}) must not be greater than ${high} (${numbers[high]}).`);
    }
  };
  ordered("shopThresholdMinDays", "shopThresholdMaxDays");
  ordered("customerThresholdMinDays", "customerThresholdMaxDays");

  const tiers = pick("winbackTierDays");
  let tierDays: [number, number, number] = [...DEFAULT_LIFECYCLE_SETTINGS.winbackTierDays];
  if (
    !Array.isArray(tiers) ||
    tiers.length !== 3 ||
    !tiers.every((t) => typeof t === "number" && Number.isFinite(t) && t > 0)
  ) {
    problems.push(`winbackTierDays must be three positive numbers of days, for tiers 90, 180 and 360 (got ${describe(tiers)}).`);
  } else if (!(tiers[0] < tiers[1] && tiers[1] < tiers[2])) {
    problems.push(`winbackTierDays must increase from tier to tier (got ${tiers.join(", ")}).`);
  } else {
    tierDays = [tiers[0], tiers[1], tiers[2]];
  }

  const prefix = pick("tagPrefix");
  if (typeof prefix !== "string" || prefix.length === 0) {
    problems.push(`tagPrefix must be a non-empty text (got ${describe(prefix)}).`);
  } else {
    if (prefix.length > TAG_PREFIX_MAX_LENGTH) {
      problems.push(`tagPrefix must be at most ${TAG_PREFIX_MAX_LENGTH} characters (got ${prefix.length}).`);
    }
    if (prefix.includes(",")) {
      problems.push("tagPrefix must not contain a comma: Shopify separates tags with commas.");
    }
    // Shopify trims tags, so a prefix starting with a space would never match the stored tags and be re-added forever.
    if (prefix.trimStart() !== prefix) {
      problems.push("tagPrefix must not start with a space: Shopify trims tags.");
    }
  }

  if (problems.length > 0) {
    throw new Error(`Invalid lifecycle settings:\n- ${problems.join("\n- ")}`);
  }
  return {
    lapseMode: lapseMode as LapseMode,
    fixedLapseDays: numbers.fixedLapseDays,
    shopGapPercentile: numbers.shopGapPercentile,
    shopThresholdMinDays: numbers.shopThresholdMinDays,
    shopThresholdMaxDays: numbers.shopThresholdMaxDays,
    smallShopMinGaps: numbers.smallShopMinGaps,
    smallShopFallbackDays: numbers.smallShopFallbackDays,
    customerMinGaps: numbers.customerMinGaps,
    customerGapMultiplier: numbers.customerGapMultiplier,
    customerThresholdMinDays: numbers.customerThresholdMinDays,
    customerThresholdMaxDays: numbers.customerThresholdMaxDays,
    returnedWindowDays: numbers.returnedWindowDays,
    regularWindowDays: numbers.regularWindowDays,
    regularMinOrders: numbers.regularMinOrders,
    winbackTierDays: tierDays,
    tagPrefix: prefix as string,
  };
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (typeof value === "number") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
