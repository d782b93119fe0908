import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { applyPendingDeliveries, markApplied } from "../ingest/inbox.server";
import { reconcileCustomers } from "./reconcile.server";
import { shopifyWriter } from "./shopify-writer.server";
import { handleShopEvent } from "./shop-events.server";
import { scheduleJourneyRead } from "../campaigns/refresh.server";

/** What an inbox pass needs from the process running it (a job runner, a test, a bench). */
export interface InboxDeps {
  db: Db;
  now: () => Date;
  /** The Admin client of a shop: re-fetching topics, tag writes, Flow triggers. */
  clientFor: (shop: string) => AdminClient;
  log?: (message: string) => void;
}

export interface ProcessInboxOptions {
  /** Only this shop's deliveries (the pg-boss runner serializes shops); every shop when omitted. */
  shop?: string;
  /** At most this many deliveries in this pass. */
  limit?: number;
}

/**
 * One pass of the webhook inbox, the only way deliveries become facts, stages and tags: apply pending deliveries,
 * re-classify the customers they touched, mark them processed and drop their payloads. Returns how many deliveries
 * it handled; 0 means nothing is due, so a runner can call it in a loop until then.
 */
export async function processInbox(deps: InboxDeps, options: ProcessInboxOptions = {}): Promise<number> {
  const now = deps.now();
  const batch = await applyPendingDeliveries(
    {
      db: deps.db,
      now,
      clientFor: deps.clientFor,
      onShopEvent: (shop, topic, payload) => handleShopEvent(deps.db, shop, topic, payload, now, deps.clientFor),
    },
    { shop: options.shop, limit: options.limit },
  );
  for (const [shop, byCause] of batch.affected) {
    const client = deps.clientFor(shop);
    // New orders wait for Shopify's journey summary: queue the campaigns refresh that reads it.
    if (byCause.has("order")) await scheduleJourneyRead(deps.db, shop, now);
    for (const [cause, gids] of byCause) {
      await reconcileCustomers({ db: deps.db, shop, now, cause, shopify: shopifyWriter(deps.db, shop, client) }, [...gids]);
    }
  }
  await markApplied(deps.db, batch.appliedIds, now);
  return batch.processed + batch.failed;
}
