/**
 * Shop statistics (rule 2). Q only depends on which gaps fall below, inside or above the clamp range, so the
 * accumulator counts the gaps outside the range and keeps only those inside: memory stays proportional to the gaps
 * that can actually become Q, and a caller paging customers out of a database never holds them all.
 */
import { DAY_MS, effectiveEnd, gapDays, shopGapThreshold } from "./rules";
import type { LifecycleSettings } from "./settings";
import type { ShopStats } from "./types";

export class ShopStatsAccumulator {
  private below = 0;
  private above = 0;
  private count = 0;
  private inside: Float64Array;
  private insideLength = 0;

  constructor(
    private readonly settings: LifecycleSettings,
    private readonly now: number,
    expectedGaps = 1024,
  ) {
    this.inside = new Float64Array(Math.max(16, expectedGaps));
  }

  /** Adds one customer's sorted qualifying times (optionally the slice times[start..end) of a flat array). */
  add(times: ArrayLike<number>, start = 0, end = times.length): this {
    end = effectiveEnd(times, start, end, this.now);
    for (let i = start; i < end - 1; i++) this.addGap(gapDays(times, i));
    return this;
  }

  /** Adds one customer's gaps as kept in their order summary (milliseconds between consecutive qualifying orders). */
  addGapsMs(gapsMs: ArrayLike<number>): this {
    for (let i = 0; i < gapsMs.length; i++) this.addGap(gapsMs[i] / DAY_MS);
    return this;
  }

  private addGap(gap: number): void {
    this.count++;
    if (gap < this.settings.shopThresholdMinDays) this.below++;
    else if (gap > this.settings.shopThresholdMaxDays) this.above++;
    else {
      if (this.insideLength === this.inside.length) {
        const grown = new Float64Array(this.inside.length * 2);
        grown.set(this.inside);
        this.inside = grown;
      }
      this.inside[this.insideLength++] = gap;
    }
  }

  result(): ShopStats {
    return shopGapThreshold(this.count, this.settings, (rank) => {
      // Below-range and above-range gaps clamp to the range ends anyway, so their exact values are not needed.
      if (rank <= this.below) return this.settings.shopThresholdMinDays;
      if (rank > this.count - this.above) return this.settings.shopThresholdMaxDays;
      return selectKth(this.inside, this.insideLength, rank - this.below - 1);
    });
  }
}

export function computeShopStats(
  customers: Iterable<readonly number[]>,
  settings: LifecycleSettings,
  now: number,
): ShopStats {
  const accumulator = new ShopStatsAccumulator(settings, now);
  for (const times of customers) accumulator.add(times);
  return accumulator.result();
}

/** k-th smallest (0-based) of a[0..length): quickselect, reordering `a` in place, O(length) on average. */
export function selectKth(a: Float64Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    // Median of three keeps sorted or reversed input (common: gaps appended customer by customer) linear.
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
  return a[k];
}
