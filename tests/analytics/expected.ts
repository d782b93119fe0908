import type { ShopState } from "../devstore/server";

/**
 * Stage 2's new subscribers of a month ("YYYY-MM", UTC), counted straight from the dev store's records, apart from
 * the app's SQL: subscribed customers whose consent date falls in the month and who had no qualifying order before.
 */
export function newSubscribersIn(shop: ShopState, month: string): number {
  const firstOrder = new Map<number, number>();
  for (const o of shop.orders.values()) {
    if (o.customerId == null || o.test || o.cancelledAt != null || o.totalMinor - o.refundedMinor <= 0) continue;
    firstOrder.set(o.customerId, Math.min(firstOrder.get(o.customerId) ?? Infinity, o.createdAt));
  }
  let subscribers = 0;
  for (const c of shop.customers.values()) {
    const at = c.emailMarketing.consentUpdatedAt;
    if (c.emailMarketing.state !== "SUBSCRIBED" || at == null || new Date(at).toISOString().slice(0, 7) !== month)
      continue;
    if ((firstOrder.get(c.id) ?? Infinity) >= at) subscribers++;
  }
  return subscribers;
}
