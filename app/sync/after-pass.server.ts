import type { Db } from "../db.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { storeShopConversions } from "../board/board.server";
import { markSettingsApplied } from "../models/board.server";
import { refreshShopAnalyticsOnce } from "../analytics/shop-analytics.server";
import { recountStages, type ChangeCause, type ShopifyWriter } from "./reconcile.server";
import { refitAndRetag, type RefitSummary } from "./predict.server";
import { rebuildFoundCampaigns } from "../campaigns/found.server";
import { messageLog } from "../logger.server";
import { loadShopContext } from "../models/shop.server";
import { refreshOrderSummaries } from "./order-summaries.server";

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
  /** The caller made the order summaries hold as of `now` in this pass (SummariesOptions): no second look. */
  summariesHold?: boolean;
}

export interface AfterPassSummary {
  refit: RefitSummary | null;
  analytics: "read" | "failed" | "not read";
  /**
   * Milliseconds per step, for the logs and the scale bench: at a million customers this step is not free. The
   * recount's and the conversions' fall within the refit's (they run while its models are fitted).
   */
  timings: Record<"summaries" | "recount" | "conversions" | "refit" | "campaigns" | "analytics", number>;
}

/**
 * What every full pass over a shop's customers (the import, the daily run, a reclassification after a settings
 * change) leaves behind for the board: stage counts rebuilt from the customers, conversions measured and stored,
 * customer value refitted (with the high-value tags it moves), the campaigns found in orders placed again, and
 * Shopify's analytics read again, since Stage 2's new subscribers are counted from the customers as they now stand.
 * The counts and conversions are taken while the refit's models are fitted on their own thread (on two cores the
 * pass is that much shorter). A refit or analytics failure is logged and does not fail the pass: the stage work
 * already done stands.
 */
export async function afterFullPass(options: AfterPassOptions): Promise<AfterPassSummary> {
  const { db, shop, now } = options;
  const warn = options.log ?? messageLog("after-pass", "warn");
  const timings: AfterPassSummary["timings"] = {
    summaries: 0,
    recount: 0,
    conversions: 0,
    refit: 0,
    campaigns: 0,
    analytics: 0,
  };
  const timed = async <T>(step: keyof typeof timings, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[step] = performance.now() - started;
    }
  };
  // The conversions and the refit read the order summaries: made to hold once, here, unless the caller just did.
  if (!options.summariesHold) {
    await timed("summaries", async () =>
      refreshOrderSummaries(db, shop, (await loadShopContext(db, shop)).settings, now),
    );
  }
  const summariesHold = { summariesHold: true };
  // The counts and conversions are taken while the refit's models are fitted on a thread of their own. Their failure
  // fails the pass, as it always did; a refit's failure is only logged.
  const scans = once(async () => {
    await timed("recount", () => recountStages(db, shop));
    await timed("conversions", () => storeShopConversions(db, shop, now, summariesHold));
    // The board stops saying "updating…" once a reclassification's counts and conversions are in.
    if (options.cause === "settings") await markSettingsApplied(db, shop, now);
  });
  const refit = await timed("refit", () =>
    refitAndRetag({ db, shop, now, cause: options.cause, shopify: options.writer }, warn, {
      ...summariesHold,
      whileFitting: scans.quietly,
    }),
  );
  await scans.result();
  // Campaigns found in orders: placed by the stages as they now stand (the lapse rule, the stored threshold).
  await timed("campaigns", () => rebuildFoundCampaigns(db, shop, now));
  const analytics = await timed("analytics", () => readAnalytics(options, warn));
  options.log?.(
    `${shop}: after-pass ${Object.entries(timings)
      .map(([step, ms]) => `${step} ${ms.toFixed(0)} ms`)
      .join(", ")}`,
  );
  return { refit, analytics, timings };
}

/** Work started at most once: `quietly` for a caller that must not fail by it, `result` for the one reporting it. */
function once(work: () => Promise<void>) {
  let started: Promise<void> | null = null;
  const start = () => (started ??= work());
  return { quietly: () => start().catch(() => undefined), result: start };
}

async function readAnalytics(
  options: AfterPassOptions,
  warn: (message: string) => void,
): Promise<AfterPassSummary["analytics"]> {
  if (!options.analytics) return "not read";
  try {
    await refreshShopAnalyticsOnce(options.db, options.shop, options.analytics, options.now);
    return "read";
  } catch (error) {
    warn(`${options.shop}: analytics not read: ${error instanceof Error ? error.message : String(error)}`);
    return "failed";
  }
}
