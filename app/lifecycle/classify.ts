/**
 * The per-customer entry points. They add the object-shaped result and the explanation around `evaluate`, which
 * holds the rules; the batch path (batch.ts) calls the same `evaluate`.
 */
import { buildExplanation } from "./explain";
import { evaluate, isQualifyingOrder, isSubscribed, newEvaluation } from "./rules";
import type { LifecycleSettings } from "./settings";
import type { Classification, CustomerFacts, EmailMarketingState, OrderFacts, ShopStats } from "./types";

/** Created times of the qualifying orders (rule 1), sorted ascending. */
export function qualifyingOrderTimes(orders: readonly OrderFacts[], now: number): number[] {
  const times: number[] = [];
  for (const order of orders) if (isQualifyingOrder(order, now)) times.push(order.createdAt);
  return times.sort((a, b) => a - b);
}

/** `times` must be one customer's sorted qualifying order times (as from `qualifyingOrderTimes`). */
export function classifyTimes(
  times: readonly number[],
  emailMarketingState: EmailMarketingState,
  stats: ShopStats,
  settings: LifecycleSettings,
  now: number,
): Classification {
  const ev = evaluate(times, 0, times.length, isSubscribed(emailMarketingState), stats, settings, now, newEvaluation());
  return {
    stage: ev.stage,
    winbackTier: ev.winbackTier,
    nextTransitionAt: Number.isNaN(ev.nextTransitionAt) ? null : ev.nextTransitionAt,
    lapseThresholdDays: ev.lapseThresholdDays,
    thresholdSource: ev.thresholdSource,
    usesShopThreshold: ev.usesShopThreshold,
    qualifyingOrderCount: ev.qualifyingOrderCount,
    ordersInWindow: ev.ordersInWindow,
    lastOrderAt: Number.isNaN(ev.lastOrderAt) ? null : ev.lastOrderAt,
    daysSinceLastOrder: Number.isNaN(ev.daysSinceLastOrder) ? null : ev.daysSinceLastOrder,
    explanation: buildExplanation(ev, emailMarketingState, settings),
  };
}

export function classifyCustomer(
  facts: CustomerFacts,
  stats: ShopStats,
  settings: LifecycleSettings,
  now: number,
): Classification {
  return classifyTimes(qualifyingOrderTimes(facts.orders, now), facts.emailMarketingState, stats, settings, now);
}

/**
 * The daily job's filter (rule 7): a stored result needs re-evaluation when its next transition has passed, or when
 * it depended on the shop threshold and that threshold changed since it was computed.
 */
export function needsReevaluation(
  stored: { nextTransitionAt: number | null; usesShopThreshold: boolean },
  shopThresholdThen: number,
  shopThresholdNow: number,
  now: number,
): boolean {
  if (stored.nextTransitionAt !== null && stored.nextTransitionAt <= now) return true;
  return stored.usesShopThreshold && shopThresholdThen !== shopThresholdNow;
}
