/**
 * A deliberately plain re-statement of the rules, for tests only: arrays, Array.sort, the rules read top to
 * bottom. It shares no code with app/lifecycle, so a test comparing the two catches a rule implemented wrongly in
 * either place (or the model's optimisations drifting from the text).
 */
import type { LifecycleSettings, OrderFacts, Stage } from "../../app/lifecycle/index";

const DAY = 86_400_000;
const days = (from: number, to: number) => (to - from) / DAY;

export function oracleQualifyingTimes(orders: readonly OrderFacts[], now: number): number[] {
  return orders
    .filter((o) => !o.test && !o.cancelled && !o.voided && !o.fullyRefunded)
    .filter((o) => o.totalMinor - o.refundedMinor > 0 && o.createdAt <= now)
    .map((o) => o.createdAt)
    .sort((a, b) => a - b);
}

export function oracleGaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => days(times[i], t));
}

export function oracleMedian(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Q: nearest-rank percentile of all gaps, clamped; fallback for small shops. */
export function oracleShopQ(allTimes: Iterable<readonly number[]>, s: LifecycleSettings): number {
  const gaps: number[] = [];
  for (const times of allTimes) gaps.push(...oracleGaps(times));
  if (gaps.length < s.smallShopMinGaps) return s.smallShopFallbackDays;
  gaps.sort((a, b) => a - b);
  // Integer arithmetic for the rank when the fraction is a whole percent, so the oracle has no float doubts.
  const percent = Math.round(s.shopGapPercentile * 100);
  const rank =
    Math.abs(percent / 100 - s.shopGapPercentile) < 1e-12
      ? Math.ceil((percent * gaps.length) / 100)
      : Math.ceil(s.shopGapPercentile * gaps.length);
  return Math.min(s.shopThresholdMaxDays, Math.max(s.shopThresholdMinDays, gaps[rank - 1]));
}

export function oracleClassify(
  times: readonly number[],
  subscribed: boolean,
  q: number,
  s: LifecycleSettings,
  now: number,
): { stage: Stage; tier: 90 | 180 | 360 | null } {
  const n = times.length;
  if (n === 0) return { stage: subscribed ? "enquirer" : "visitor", tier: null };
  const gaps = oracleGaps(times);
  const threshold = (g: number[]) => {
    if (s.lapseMode === "fixed") return s.fixedLapseDays;
    if (g.length < s.customerMinGaps) return q;
    const l = s.customerGapMultiplier * oracleMedian(g);
    return Math.min(s.customerThresholdMaxDays, Math.max(s.customerThresholdMinDays, l));
  };
  const d = days(times[n - 1], now);
  if (d >= threshold(gaps)) {
    const [t90, t180, t360] = s.winbackTierDays;
    return { stage: "lapsed", tier: d >= t360 ? 360 : d >= t180 ? 180 : d >= t90 ? 90 : null };
  }
  if (n >= 2 && gaps[n - 2] > threshold(gaps.slice(0, n - 2)) && d < s.returnedWindowDays) {
    return { stage: "returned", tier: null };
  }
  // "In the last W days", counted in days like every other rule (a window start computed as now − W × DAY would be
  // rounded away for a tiny W).
  if (times.filter((t) => days(t, now) < s.regularWindowDays && t <= now).length >= s.regularMinOrders)
    return { stage: "regular-buyer", tier: null };
  if (n >= 2) return { stage: "repeat-buyer", tier: null };
  return { stage: "first-time-buyer", tier: null };
}
