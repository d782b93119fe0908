import type { Db } from "../db.server";
import { dueCustomerGids } from "../models/customer.server";
import { loadShopContext } from "../models/shop.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { reconcileCustomers, refreshShopStats, type ShopifyWriter } from "./reconcile.server";
import { afterFullPass } from "./after-pass.server";

export interface DailySummary {
  gapThresholdDays: number;
  shopThresholdChanged: boolean;
  evaluated: number;
  stageChanges: number;
  tagEdits: number;
  /** The customer-value refit: "ok", "insufficient" (with why), or null when it failed (logged). */
  prediction: { status: string; code: string | null; highValue: number; retagged: number } | null;
}

/**
 * The daily re-evaluation: Q is recomputed as of now, and only customers whose next transition has passed
 * (plus, when Q moved, those whose threshold is Q) are re-classified; everyone else cannot have changed.
 */
export async function runDailyEvaluation(
  db: Db,
  shop: string,
  now: Date,
  writer: ShopifyWriter | null,
  options: { analytics?: GraphqlRequester | null; log?: (message: string) => void } = {},
): Promise<DailySummary> {
  const ctx = await loadShopContext(db, shop);
  const previousQ = ctx.stats?.gapThresholdDays ?? null;
  const stats = await refreshShopStats(db, ctx, now);
  const shopThresholdChanged = previousQ !== null && previousQ !== stats.gapThresholdDays;
  const due = await dueCustomerGids(db, shop, now, shopThresholdChanged);
  const summary = await reconcileCustomers({ db, shop, now, cause: "time", shopify: writer }, due, ctx);
  const { refit } = await afterFullPass({
    db,
    shop,
    now,
    cause: "time",
    writer,
    analytics: options.analytics,
    log: options.log,
    // refreshShopStats made them hold as of now, and reconcile kept the due customers' current.
    summariesHold: true,
  });
  await db.shop.update({ where: { domain: shop }, data: { lastDailyRunAt: now } });
  return {
    gapThresholdDays: stats.gapThresholdDays,
    shopThresholdChanged,
    evaluated: summary.customers,
    stageChanges: summary.stageChanges,
    tagEdits: summary.tagEdits,
    prediction: refit && {
      status: refit.status,
      code: refit.code,
      highValue: refit.highValue,
      retagged: refit.retagGids.length,
    },
  };
}
