/**
 * When imported campaigns are refreshed: on demand ("Refresh now"), by the scheduled `campaigns` job, and — so a
 * shop without the job still sees current campaigns — in the background when a page finds them older than
 * STALE_AFTER_MS. One refresh per shop at a time in this process.
 */
import type { Db } from "../db.server";
import { loadShopContext } from "../models/shop.server";
import { refreshCampaigns, type RefreshSummary } from "./import.server";
import type { GraphqlRequester } from "../shopify/requester.server";

export const STALE_AFTER_MS = 60 * 60 * 1000;

const running = new Map<string, Promise<RefreshSummary>>();
/** When this process last refreshed each shop: a shop with no imported campaigns has no refreshedAt to read. */
const lastAttempt = new Map<string, number>();

/** Refreshes the shop's imported campaigns now (joins a refresh already running). */
export function refreshShopCampaigns(db: Db, shop: string, client: GraphqlRequester, now: Date = new Date()): Promise<RefreshSummary> {
  const current = running.get(shop);
  if (current) return current;
  lastAttempt.set(shop, now.getTime());
  const run = (async () => {
    const ctx = await loadShopContext(db, shop);
    return refreshCampaigns(db, shop, client, { now, tagPrefix: ctx.settings.tagPrefix });
  })().finally(() => running.delete(shop));
  running.set(shop, run);
  return run;
}

/** Starts a background refresh when the last one is older than STALE_AFTER_MS (or never happened); never throws. */
export function refreshCampaignsIfStale(db: Db, shop: string, client: GraphqlRequester, lastRefreshedAt: string | null, now: Date = new Date()): boolean {
  if (running.has(shop)) return false;
  const attempted = lastAttempt.get(shop);
  if (attempted !== undefined && now.getTime() - attempted < STALE_AFTER_MS) return false;
  if (lastRefreshedAt && now.getTime() - new Date(lastRefreshedAt).getTime() < STALE_AFTER_MS) return false;
  refreshShopCampaigns(db, shop, client, now).catch((error: unknown) => console.error(`[campaigns] background refresh for ${shop} failed`, error));
  return true;
}
