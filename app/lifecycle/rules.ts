/**
 * Every lifecycle rule lives here, once. `classifyTimes`, `classifyCustomer`, the batch fast path and the shop
 * statistics all call these functions, so a rule change cannot make the paths disagree.
 *
 * Times are epoch milliseconds (UTC). Durations in days are real numbers and never rounded, so a boundary such as
 * "d >= L" is exact to the millisecond rather than to the day.
 */
import type { LifecycleSettings } from "./settings";
import type { EmailMarketingState, OrderFacts, ShopStats, Stage, ThresholdSource, WinbackTier } from "./types";
import { WINBACK_TIERS } from "./types";

export const DAY_MS = 86_400_000;

export function daysBetween(earlier: number, later: number): number {
  return (later - earlier) / DAY_MS;
}

/** Orders created after `now` do not exist yet for this run: the model never reads the clock, `now` is the clock. */
export function happenedBy(createdAt: number, now: number): boolean {
  return createdAt <= now;
}

export function isQualifyingOrder(order: OrderFacts, now: number): boolean {
  return (
    !order.test &&
    !order.cancelled &&
    !order.voided &&
    !order.fullyRefunded &&
    order.totalMinor - order.refundedMinor > 0 &&
    happenedBy(order.createdAt, now)
  );
}

export function isSubscribed(state: EmailMarketingState): boolean {
  return state === "SUBSCRIBED";
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/**
 * 1-based nearest rank ceil(fraction × count). The product is computed in binary floating point and can land a hair
 * above an integer (0.07 × 100 → 7.000000000000001), which would push the rank up by one; such products snap to the
 * integer. (0.9 × m happens to be exact enough for every m, but the percentile is a setting.)
 */
export function nearestRank(fraction: number, count: number): number {
  const exact = fraction * count;
  const rounded = Math.round(exact);
  const rank = Math.abs(exact - rounded) <= 1e-9 * Math.max(1, exact) ? rounded : Math.ceil(exact);
  return Math.min(count, Math.max(1, rank));
}

/** g_i: days from the i-th to the (i+1)-th time. Throws on unsorted input, which would silently corrupt medians. */
export function gapDays(times: ArrayLike<number>, i: number): number {
  const gap = daysBetween(times[i], times[i + 1]);
  if (!(gap >= 0)) {
    throw new Error(`Order times must be sorted ascending numbers (found ${times[i + 1]} after ${times[i]}).`);
  }
  return gap;
}

/** Index one past the last time that has happened by `now` (callers pass sorted times, so trailing ones are cut). */
export function effectiveEnd(times: ArrayLike<number>, start: number, end: number, now: number): number {
  while (end > start && !happenedBy(times[end - 1], now)) end--;
  return end;
}

// Reused between calls so the batch path does not allocate per customer; JS is single-threaded and nothing here yields.
let scratch = new Float64Array(64);

/** Median of g_start..g_(start+count-1); an even count takes the mean of the two middle values. */
export function medianGapDays(times: ArrayLike<number>, start: number, count: number): number {
  if (count > scratch.length) scratch = new Float64Array(Math.max(count, scratch.length * 2));
  for (let j = 0; j < count; j++) scratch[j] = gapDays(times, start + j);
  if (count <= 32) {
    for (let j = 1; j < count; j++) {
      const v = scratch[j];
      let k = j - 1;
      while (k >= 0 && scratch[k] > v) {
        scratch[k + 1] = scratch[k];
        k--;
      }
      scratch[k + 1] = v;
    }
  } else {
    scratch.subarray(0, count).sort();
  }
  const mid = count >> 1;
  return count % 2 === 1 ? scratch[mid] : (scratch[mid - 1] + scratch[mid]) / 2;
}

export function thresholdSourceFor(gapCount: number, settings: LifecycleSettings): ThresholdSource {
  if (settings.lapseMode === "fixed") return "fixed";
  return gapCount >= settings.customerMinGaps ? "customer" : "shop";
}

/** L for the gaps g_start..g_(start+gapCount-1) of one customer (rule 3). */
export function lapseThresholdDays(
  times: ArrayLike<number>,
  start: number,
  gapCount: number,
  stats: ShopStats,
  settings: LifecycleSettings,
): number {
  switch (thresholdSourceFor(gapCount, settings)) {
    case "fixed":
      return settings.fixedLapseDays;
    case "shop":
      return stats.gapThresholdDays;
    case "customer":
      return clamp(
        settings.customerGapMultiplier * medianGapDays(times, start, gapCount),
        settings.customerThresholdMinDays,
        settings.customerThresholdMaxDays,
      );
  }
}

/** Q from the shop's gap sample (rule 2); `kthSmallest` is only called when the percentile is actually needed. */
export function shopGapThreshold(
  gapCount: number,
  settings: LifecycleSettings,
  kthSmallest: (rank: number) => number,
): ShopStats {
  if (gapCount < settings.smallShopMinGaps) {
    return { gapThresholdDays: settings.smallShopFallbackDays, gapCount, usedSmallShopFallback: true };
  }
  const value = kthSmallest(nearestRank(settings.shopGapPercentile, gapCount));
  return {
    gapThresholdDays: clamp(value, settings.shopThresholdMinDays, settings.shopThresholdMaxDays),
    gapCount,
    usedSmallShopFallback: false,
  };
}

export function isLapsed(daysSinceLastOrder: number, thresholdDays: number): boolean {
  return daysSinceLastOrder >= thresholdDays;
}

export function winbackTierFor(daysSinceLastOrder: number, settings: LifecycleSettings): WinbackTier | null {
  for (let k = WINBACK_TIERS.length - 1; k >= 0; k--) {
    if (daysSinceLastOrder >= settings.winbackTierDays[k]) return WINBACK_TIERS[k];
  }
  return null;
}

export function isReturnGap(lastGapDays: number, thresholdBeforeDays: number): boolean {
  return lastGapDays > thresholdBeforeDays;
}

export function isInReturnedWindow(daysSinceLastOrder: number, settings: LifecycleSettings): boolean {
  return daysSinceLastOrder < settings.returnedWindowDays;
}

/** An order created at t is in the window (now − W, now] and leaves it at exactly t + W. */
export function isInRegularWindow(createdAt: number, now: number, settings: LifecycleSettings): boolean {
  return daysBetween(createdAt, now) < settings.regularWindowDays;
}

export function isRegular(ordersInWindow: number, settings: LifecycleSettings): boolean {
  return ordersInWindow >= settings.regularMinOrders;
}

/** The latest instant a JavaScript Date (and so the database) can hold: a boundary beyond it is never reached. */
export const MAX_INSTANT_MS = 8.64e15;

/**
 * The first whole millisecond x with daysBetween(from, x) >= days, or Infinity when there is none a Date can hold.
 *
 * Computed, not stepped: from + days × DAY_MS is one rounding away from the answer, so the answer lies within a few
 * milliseconds of its ceiling. A bracket of ±16 ms around it is confirmed (and widened by doubling, at most 48 times,
 * should rounding ever be worse) and then bisected, so the work is bounded by about 160 comparisons whatever `days`
 * is. Re-evaluating at the instant returned is guaranteed to see the boundary reached, and a millisecond before not.
 */
export function firstInstantAtLeast(from: number, days: number): number {
  const estimate = Math.ceil(from + days * DAY_MS);
  // Far beyond the Date range there is nothing to find (NaN included); near its edge the bracket below decides.
  if (!(Math.abs(estimate) <= MAX_INSTANT_MS + 64)) return estimate < 0 ? -Infinity : Infinity;
  const reached = (x: number) => daysBetween(from, x) >= days;
  let notYet = estimate - 16;
  let already = estimate + 16;
  for (let widen = 0; widen < 48 && reached(notYet); widen++) notYet -= already - notYet;
  for (let widen = 0; widen < 48 && !reached(already); widen++) already += already - notYet;
  if (reached(notYet) || !reached(already)) return Infinity;
  // The bracket spans at most 2^54 ms, so 60 halvings always close it; the count is a guard, not the logic.
  for (let halvings = 0; halvings < 60 && already - notYet > 1; halvings++) {
    const mid = Math.floor(notYet + (already - notYet) / 2);
    if (reached(mid)) already = mid;
    else notYet = mid;
  }
  return Math.abs(already) <= MAX_INSTANT_MS ? already : Infinity;
}

/** Everything the rules decide for one customer; NaN stands for "none" so the batch path can copy into typed arrays. */
export interface Evaluation {
  stage: Stage;
  winbackTier: WinbackTier | null;
  nextTransitionAt: number;
  lapseThresholdDays: number;
  thresholdSource: ThresholdSource;
  /** L over g_1..g_(n-2), the threshold the last gap is compared with for `returned`; NaN when n < 2. */
  returnedThresholdDays: number;
  lastGapDays: number;
  usesShopThreshold: boolean;
  qualifyingOrderCount: number;
  ordersInWindow: number;
  lastOrderAt: number;
  daysSinceLastOrder: number;
}

export function newEvaluation(): Evaluation {
  return {
    stage: "visitor",
    winbackTier: null,
    nextTransitionAt: NaN,
    lapseThresholdDays: NaN,
    thresholdSource: "shop",
    returnedThresholdDays: NaN,
    lastGapDays: NaN,
    usesShopThreshold: false,
    qualifyingOrderCount: 0,
    ordersInWindow: 0,
    lastOrderAt: NaN,
    daysSinceLastOrder: NaN,
  };
}

/**
 * Rules 3–5 and 7 for one customer whose sorted qualifying times are times[start..end). Writes into `out` (and
 * returns it) so the batch path can reuse one object for a million customers.
 */
export function evaluate(
  times: ArrayLike<number>,
  start: number,
  end: number,
  subscribed: boolean,
  stats: ShopStats,
  settings: LifecycleSettings,
  now: number,
  out: Evaluation,
): Evaluation {
  end = effectiveEnd(times, start, end, now);
  const n = end - start;
  const allGaps = n > 0 ? n - 1 : 0;
  out.thresholdSource = thresholdSourceFor(allGaps, settings);
  out.lapseThresholdDays = lapseThresholdDays(times, start, allGaps, stats, settings);
  out.qualifyingOrderCount = n;
  out.winbackTier = null;
  out.nextTransitionAt = NaN;
  out.returnedThresholdDays = NaN;
  out.lastGapDays = NaN;

  if (n === 0) {
    out.stage = subscribed ? "enquirer" : "visitor";
    out.usesShopThreshold = false;
    out.ordersInWindow = 0;
    out.lastOrderAt = NaN;
    out.daysSinceLastOrder = NaN;
    return out;
  }

  const last = times[end - 1];
  const d = daysBetween(last, now);
  const threshold = out.lapseThresholdDays;
  const lapsed = isLapsed(d, threshold);
  const inReturnedWindow = isInReturnedWindow(d, settings);
  let returnGap = false;
  if (n >= 2) {
    out.lastGapDays = gapDays(times, end - 2);
    out.returnedThresholdDays = lapseThresholdDays(times, start, n - 2, stats, settings);
    returnGap = isReturnGap(out.lastGapDays, out.returnedThresholdDays);
  }

  let oldestInWindow = end;
  while (oldestInWindow > start && isInRegularWindow(times[oldestInWindow - 1], now, settings)) oldestInWindow--;
  const ordersInWindow = end - oldestInWindow;

  let stage: Stage;
  if (lapsed) stage = "lapsed";
  else if (returnGap && inReturnedWindow) stage = "returned";
  else if (isRegular(ordersInWindow, settings)) stage = "regular-buyer";
  else if (n >= 2) stage = "repeat-buyer";
  else stage = "first-time-buyer";

  out.stage = stage;
  out.winbackTier = lapsed ? winbackTierFor(d, settings) : null;
  out.ordersInWindow = ordersInWindow;
  out.lastOrderAt = last;
  out.daysSinceLastOrder = d;
  out.usesShopThreshold =
    out.thresholdSource === "shop" ||
    (n >= 2 && !lapsed && inReturnedWindow && thresholdSourceFor(n - 2, settings) === "shop");

  // Rule 7: only boundaries that can change the result. Before the lapse no tier applies, so tiers are only
  // candidates once lapsed; the returned window only matters while the return gap holds.
  let next = Infinity;
  if (!lapsed) {
    next = Math.min(next, firstInstantAtLeast(last, threshold));
    if (returnGap && inReturnedWindow) next = Math.min(next, firstInstantAtLeast(last, settings.returnedWindowDays));
  } else {
    for (let k = 0; k < settings.winbackTierDays.length; k++) {
      const tierDays = settings.winbackTierDays[k];
      if (d < tierDays) {
        next = Math.min(next, firstInstantAtLeast(last, tierDays));
        break;
      }
    }
  }
  if (ordersInWindow > 0) {
    next = Math.min(next, firstInstantAtLeast(times[oldestInWindow], settings.regularWindowDays));
  }
  out.nextTransitionAt = next > now && next !== Infinity ? next : NaN;
  return out;
}
