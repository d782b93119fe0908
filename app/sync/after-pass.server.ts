import type { Db } from "../db.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { storeShopConversions } from "../board/board.server";
import { markSettingsApplied } from "../models/board.server";
import { refreshShopAnalyticsOnce } from "../analytics/shop-analytics.server";
import { recountStages, type ChangeCause, type ShopifyWriter } from "./reconcile.server";
import { refitAndRetag, type RefitSummary } from "./predict.server";
import { rebuildFoundCampaigns } from "../campaigns/found.server";

export interface AfterPassOptions {
  db: Db;
  shop: string;
  now: Date;
  /** What the pass was: "backfill" (import), "time" (daily), "settings" (reclassify). */
  cause: ChangeCause;
  writer: ShopifyWriter | null;
  /** Reads Shopify's analytics through it; without one (no Admin access in this run) they are left as stored. */
  analytics?: GraphqlRequester | null;
  log?: (message: string) => void;
}

export interface AfterPassSummary {
  refit: RefitSummary | null;
  analytics: "read" | "failed" | "not read";
}

/**
 * What every full pass over a shop's customers (the import, the daily run, a reclassification after a settings
 * change) leaves behind for the board: stage counts rebuilt from the customers, conversions measured and stored,
 * customer value refitted (with the high-value tags it moves), the campaigns found in orders placed again, and Shopify's analytics read again, since Stage 2's
 * new subscribers are counted from the customers as they now stand. A refit or analytics failure is logged and
 * does not fail the pass: the stage work already done stands.
 */
export async function afterFullPass(options: AfterPassOptions): Promise<AfterPassSummary> {
  const { db, shop, now } = options;
  const log = options.log ?? ((message: string) => console.error(message));
  await recountStages(db, shop);
  await storeShopConversions(db, shop, now);
  // The board stops saying "updating…" once a reclassification's counts and conversions are in.
  if (options.cause === "settings") await markSettingsApplied(db, shop, now);
  const refit = await refitAndRetag({ db, shop, now, cause: options.cause, shopify: options.writer }, log);
  // Campaigns found in orders: placed by the stages as they now stand (the lapse rule, the stored threshold).
  await rebuildFoundCampaigns(db, shop, now);
  if (!options.analytics) return { refit, analytics: "not read" };
  try {
    await refreshShopAnalyticsOnce(db, shop, options.analytics, now);
    return { refit, analytics: "read" };
  } catch (error) {
    log(`${shop}: analytics not read: ${error instanceof Error ? error.message : String(error)}`);
    return { refit, analytics: "failed" };
  }
}
