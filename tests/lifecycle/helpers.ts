import {
  DEFAULT_LIFECYCLE_SETTINGS,
  validateLifecycleSettings,
  type LifecycleSettings,
  type OrderFacts,
  type ShopStats,
} from "../../app/lifecycle/index";

export const DAY = 86_400_000;
/** A fixed "now" for the hand-built cases (the model never reads the clock). */
export const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

/** The instant `days` (may be fractional) before NOW. */
export const ago = (days: number): number => NOW - days * DAY;

export function shop(q: number): ShopStats {
  return { gapThresholdDays: q, gapCount: 1000, usedSmallShopFallback: false };
}

export function settings(overrides: Partial<LifecycleSettings> = {}): LifecycleSettings {
  return validateLifecycleSettings({ ...DEFAULT_LIFECYCLE_SETTINGS, ...overrides });
}

export function order(createdAt: number, extra: Partial<OrderFacts> = {}): OrderFacts {
  return {
    createdAt,
    totalMinor: 1000,
    refundedMinor: 0,
    cancelled: false,
    test: false,
    voided: false,
    fullyRefunded: false,
    ...extra,
  };
}

/** Times from gaps: the last order `lastDaysAgo` before NOW, earlier ones spaced by `gaps` (in days, oldest first). */
export function timesFromGaps(gaps: readonly number[], lastDaysAgo: number): number[] {
  const times = [ago(lastDaysAgo)];
  for (let i = gaps.length - 1; i >= 0; i--) times.unshift(times[0] - gaps[i] * DAY);
  return times;
}
