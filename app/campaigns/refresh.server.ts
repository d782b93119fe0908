/**
 * When imported campaigns are refreshed: on demand ("Refresh now"), by the scheduled `campaigns` job, and — so a
 * shop without the job still sees current campaigns — in the background when a page finds them older than
 * STALE_AFTER_MS. One refresh per shop at a time in this process.
 */
import type { Db } from "../db.server";
import { loadShopContext } from "../models/shop.server";
import { refreshCampaigns, type RefreshSummary } from "./import.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { markCampaignsRefreshed } from "../models/campaign.server";
import { enqueueJob } from "../queue/queue.server";
import { nextJourneyDue, readDueJourneys } from "./journeys.server";
import { rebuildFoundCampaigns } from "./found.server";
import { logger } from "../logger.server";

export interface ShopRefreshSummary extends RefreshSummary {
  /** Campaigns found in orders, and new orders' journeys read in this refresh. */
  found: number;
  journeysRead: number;
}

/** One refresh that reads new orders' journeys per this window at most (the job's singleton key names it). */
const JOURNEY_JOB_WINDOW_MS = 5 * 60 * 1000;

/**
 * Queues the refresh that reads the next pending journey when it is due (one job per shop and 5-minute window).
 * Called when an order arrives and after each refresh that left journeys pending.
 */
export async function scheduleJourneyRead(db: Db, shop: string, now: Date): Promise<void> {
  const due = await nextJourneyDue(db, shop);
  if (!due) return;
  const runAt = new Date(Math.max(due.getTime(), now.getTime()));
  const window = Math.floor(runAt.getTime() / JOURNEY_JOB_WINDOW_MS);
  await enqueueJob(
    db,
    "campaigns",
    { journeys: true },
    { shop, runAt, singletonKey: `campaigns:${shop}:journeys:${window}` },
  );
}

export const STALE_AFTER_MS = 60 * 60 * 1000;

const running = new Map<string, Promise<ShopRefreshSummary>>();
/** When this process last refreshed each shop: a shop with no imported campaigns has no refreshedAt to read. */
const lastAttempt = new Map<string, number>();

/**
 * Refreshes the shop's campaigns now (joins a refresh already running): imported activities and discounts, new
 * orders' journeys, then the campaigns found in orders; records the refresh on the shop.
 */
export function refreshShopCampaigns(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  now: Date = new Date(),
): Promise<ShopRefreshSummary> {
  const current = running.get(shop);
  if (current) return current;
  lastAttempt.set(shop, now.getTime());
  const run = (async () => {
    const ctx = await loadShopContext(db, shop);
    const imported = await refreshCampaigns(db, shop, client, { now, tagPrefix: ctx.settings.tagPrefix });
    const journeys = await readDueJourneys(db, shop, client, now);
    const found = await rebuildFoundCampaigns(db, shop, now);
    await markCampaignsRefreshed(db, shop, now);
    if (journeys.notReady > 0) await scheduleJourneyRead(db, shop, now);
    return { ...imported, found: found.found, journeysRead: journeys.read };
  })().finally(() => running.delete(shop));
  running.set(shop, run);
  return run;
}

/** Starts a background refresh when the last one is older than STALE_AFTER_MS (or never happened); never throws. */
export function refreshCampaignsIfStale(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  lastRefreshedAt: string | null,
  now: Date = new Date(),
): boolean {
  if (running.has(shop)) return false;
  const attempted = lastAttempt.get(shop);
  if (attempted !== undefined && now.getTime() - attempted < STALE_AFTER_MS) return false;
  if (lastRefreshedAt && now.getTime() - new Date(lastRefreshedAt).getTime() < STALE_AFTER_MS) return false;
  refreshShopCampaigns(db, shop, client, now).catch((error: unknown) =>
    logger.error({ component: "campaigns", shop, err: error }, "background refresh failed"),
  );
  return true;
}
