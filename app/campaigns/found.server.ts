/**
 * Rebuilds the shop's campaigns found in orders (app/campaigns/found.ts) from the stored journeys of the last
 * FOUND_LOOKBACK_DAYS, keeping what the merchant decided (confirmed, moved, hidden).
 */
import type { Db } from "../db.server";
import { loadShopContext } from "../models/shop.server";
import { attributedOrdersSince, orderHistoriesOf } from "../models/journey.server";
import { saveFoundCampaigns, type FoundSaveSummary } from "../models/campaign.server";
import { DAY_MS } from "../lifecycle";
import { findCampaigns } from "./found";
import { campaignActiveDaysOf, FOUND_LOOKBACK_DAYS } from "./settings";

/** Most found campaigns kept per shop (by orders): the long tail of one-order codes adds nothing to a board. */
export const MAX_FOUND_CAMPAIGNS = 500;

export async function rebuildFoundCampaigns(db: Db, shop: string, now: Date): Promise<FoundSaveSummary> {
  const ctx = await loadShopContext(db, shop);
  const stored = await db.shop.findUnique({ where: { domain: shop }, select: { campaignActiveDays: true } });
  const orders = await attributedOrdersSince(db, shop, new Date(now.getTime() - FOUND_LOOKBACK_DAYS * DAY_MS));
  // Histories are needed for returning customers (the lapse rule) and for orders Shopify gave no index.
  const customers = [
    ...new Set(orders.filter((o) => o.customerGid && o.customerOrderIndex !== 1).map((o) => o.customerGid!)),
  ];
  const histories = await orderHistoriesOf(db, shop, customers);
  // Before the first classification there are no stored stats: the small-shop fallback is what the model would use.
  const stats = ctx.stats ?? {
    gapThresholdDays: ctx.settings.smallShopFallbackDays,
    gapCount: 0,
    usedSmallShopFallback: true,
  };
  const found = findCampaigns(orders, { histories, stats, settings: ctx.settings });
  return saveFoundCampaigns(
    db,
    shop,
    found.slice(0, MAX_FOUND_CAMPAIGNS),
    now,
    campaignActiveDaysOf(stored?.campaignActiveDays),
  );
}
