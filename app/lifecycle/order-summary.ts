/**
 * What the shop-wide passes need of one customer's orders, computed when reconcile classifies the customer and kept
 * on the customer, so the daily run reads one row per customer instead of every order:
 * - the gaps between consecutive qualifying orders (Q, the shop's lapse threshold, is a percentile of all of them);
 * - the first and second qualifying order and the instant the customer first met the regular rule (the measured
 *   conversions of Stages 4 and 5);
 * - the purchase days the customer-value models are fitted on (clv/summary).
 * A summary holds as of `now` until the next order that has not happened yet happens (`nextOrderAt`).
 *
 * Pure module: no I/O, no clock.
 */
import { purchaseDaysOf, utcDayIndex, type PurchaseDays } from "./clv/summary";
import { isInRegularWindow, isQualifyingOrder } from "./rules";
import type { LifecycleSettings } from "./settings";
import type { OrderFacts } from "./types";

export interface OrderSummary {
  /** The first and the second qualifying order, epoch ms. */
  firstOrderAt: number | null;
  secondOrderAt: number | null;
  /** The first qualifying order at which the customer had regularMinOrders orders within regularWindowDays. */
  regularAt: number | null;
  /** The regular rule regularAt was found by (regularRuleOf). */
  regularRule: string;
  /** The earliest order that will qualify once it has happened (created after `now`): the summary changes then. */
  nextOrderAt: number | null;
  /** Milliseconds between consecutive qualifying orders, oldest first. */
  gapsMs: number[];
  /** UTC days with a qualifying purchase (value net of refunds); null without one. */
  purchaseDays: PurchaseDays | null;
}

/** The settings a summary's regularAt depends on, as one text: a summary found by other settings does not hold. */
export function regularRuleOf(settings: LifecycleSettings): string {
  return `${settings.regularMinOrders}/${settings.regularWindowDays}`;
}

export function summarizeOrders(orders: readonly OrderFacts[], settings: LifecycleSettings, now: number): OrderSummary {
  const times: number[] = [];
  const valueByDay = new Map<number, number>();
  let nextOrderAt = Infinity;
  for (const order of orders) {
    if (isQualifyingOrder(order, now)) {
      times.push(order.createdAt);
      const day = utcDayIndex(order.createdAt);
      valueByDay.set(day, (valueByDay.get(day) ?? 0) + (order.totalMinor - order.refundedMinor));
    } else if (isQualifyingOrder(order, order.createdAt) && order.createdAt < nextOrderAt) {
      nextOrderAt = order.createdAt;
    }
  }
  times.sort((a, b) => a - b);
  const k = Math.max(1, Math.floor(settings.regularMinOrders));
  let regularAt: number | null = null;
  for (let n = k - 1; n < times.length; n++) {
    if (isInRegularWindow(times[n - k + 1], times[n], settings)) {
      regularAt = times[n];
      break;
    }
  }
  const gapsMs: number[] = [];
  for (let i = 1; i < times.length; i++) gapsMs.push(times[i] - times[i - 1]);
  return {
    firstOrderAt: times.length > 0 ? times[0] : null,
    secondOrderAt: times.length > 1 ? times[1] : null,
    regularAt,
    regularRule: regularRuleOf(settings),
    nextOrderAt: nextOrderAt === Infinity ? null : nextOrderAt,
    gapsMs,
    purchaseDays: purchaseDaysOf(valueByDay),
  };
}
