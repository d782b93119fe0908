import type { Db } from "../db.server";
import { regularRuleOf, summarizeOrders, type LifecycleSettings } from "../lifecycle";
import {
  customersWithoutCurrentSummary,
  loadOrdersOf,
  storedOrderSummary,
  writeOrderSummaries,
} from "../models/customer.server";

export interface SummariesOptions {
  /**
   * The caller has made every live customer's summary hold as of `now` in this pass (refreshOrderSummaries, with
   * reconcile keeping the customers it wrote current since): the look for stale ones, a scan of all the shop's
   * customers (0.6 s at a million), is not repeated.
   */
  summariesHold?: boolean;
}

/** Customers summarized per read of their orders and write of their summaries. */
const SUMMARY_CHUNK = 2000;

/**
 * Makes every live customer's order summary hold as of `now`, so the shop-wide passes (Q, the measured conversions,
 * the value refit) can read summaries instead of orders. Reconcile keeps summaries current as facts arrive; what is
 * left here is a customer it has not seen since their summary stopped holding (an order dated after the last
 * reconcile has happened since, a run dated before it, or the regular rule changed) or never (customers stored
 * before summaries existed).
 * Returns how many were summarized.
 */
export async function refreshOrderSummaries(
  db: Db,
  shop: string,
  settings: LifecycleSettings,
  now: Date,
): Promise<number> {
  const stale = await customersWithoutCurrentSummary(db, shop, now, regularRuleOf(settings));
  for (let i = 0; i < stale.length; i += SUMMARY_CHUNK) {
    const chunk = stale.slice(i, i + SUMMARY_CHUNK);
    const orders = await loadOrdersOf(
      db,
      shop,
      chunk.map((c) => c.gid),
    );
    await writeOrderSummaries(
      db,
      shop,
      chunk.map(({ id, gid, summarizedAt }) => ({
        id,
        seen: summarizedAt,
        summary: storedOrderSummary(summarizeOrders(orders.get(gid) ?? [], settings, now.getTime()), now),
      })),
    );
  }
  return stale.length;
}
