import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import type { ChangeCause } from "../domain/sync";
import { CustomerFactsQuery } from "../graphql/CustomerFactsQuery";
import {
  applyAlone,
  applyFactBatch,
  isBatchable,
  PayloadError,
  readDelivery,
  refetchCustomer,
  REFETCH_TOPICS,
  type Affected,
  type FactsDeps,
  type ReadDelivery,
} from "../ingest/inbox.server";
import {
  dueDeliveries,
  hasOfflineSession,
  markDeliveriesApplied,
  recordDeliveryFailures,
  SESSION_FREE_TOPICS,
  shopsWithInboxWork,
  type DeliveryFailure,
  type DueDelivery,
} from "../models/inbox.server";
import { settleShopifyWorkDue } from "../models/customer.server";
import { reconcileCustomers } from "./reconcile.server";
import { sendPendingFlowTriggers, writePlannedTags } from "./shopify-writer.server";
import { handleShopEvent } from "./shop-events.server";
import { scheduleJourneyRead } from "../campaigns/refresh.server";
import { messageLog } from "../logger.server";

const inboxErrors = messageLog("inbox", "error");

/** What an inbox pass needs from the process running it (a job runner, a test, a bench). */
export interface InboxDeps {
  db: Db;
  now: () => Date;
  /** The Admin client of a shop: re-fetching topics, tag writes, Flow triggers. */
  clientFor: (shop: string) => AdminClient;
  log?: (message: string) => void;
}

export interface ProcessInboxOptions {
  /** Only this shop (the pg-boss runner serializes shops); every shop with work due when omitted. */
  shop?: string;
  /** At most this many deliveries applied from their payloads per shop in this pass. */
  limit?: number;
}

/** Deliveries per shop and pass: large enough that set-based writes pay off, small enough to bound memory. */
export const DEFAULT_INBOX_BATCH = 2000;
/** Re-fetching deliveries looked at per shop and pass (each re-fetch is one Admin API call or more). */
const REFETCHES_PER_PASS = 100;
/** Admin request attempts in a pass: a failing shop is retried in a later pass, never waited on in this one. */
const SHOPIFY_ATTEMPTS = 2;

/**
 * One pass of the webhook inbox, the only way deliveries become facts, stages and tags. For each shop with work due:
 *
 * 1. Deliveries whose payload carries the facts are applied set-based (one statement per kind per batch), their
 *    customers re-classified set-based (tag writes are only planned), and they are marked processed in one
 *    statement. A batch that fails is applied again one delivery at a time, so a poisoned delivery fails alone.
 * 2. Shopify-bound work, only as much as the shop's rate-limit bucket pays for now (never waiting for it, so Shopify
 *    never holds back the database side): deliveries that must re-read a customer, the planned tag writes (or a
 *    step of a bulk tag write), pending Flow triggers.
 *
 * A failed delivery is retried with exponential backoff and parked with its reason after MAX_DELIVERY_ATTEMPTS; a
 * payload that can never apply is parked at once. A shop without an offline session (uninstalled, install not
 * finished) only applies topics that need none; the rest waits without spending attempts. One shop's failure never
 * fails another shop's pass. Returns how much it did (deliveries handled, tags written, Flow triggers sent); 0
 * means nothing is due now, so a runner calls it in a loop until then.
 */
export async function processInbox(deps: InboxDeps, options: ProcessInboxOptions = {}): Promise<number> {
  const now = deps.now();
  const shops = options.shop !== undefined ? [options.shop] : await shopsWithInboxWork(deps.db, now);
  let done = 0;
  for (const shop of shops) {
    try {
      done += await processShopInbox(deps, shop, options.limit ?? DEFAULT_INBOX_BATCH, now);
    } catch (error) {
      (deps.log ?? inboxErrors)(
        `[inbox] ${shop}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
  return done;
}

async function processShopInbox(deps: InboxDeps, shop: string, limit: number, now: Date): Promise<number> {
  const { db } = deps;
  const installed = await hasOfflineSession(db, shop);
  const topics = installed ? { notIn: REFETCH_TOPICS } : { in: SESSION_FREE_TOPICS };
  const deliveries = await dueDeliveries(db, shop, now, { topics, limit });
  const applied = await applyDeliveries(deps, shop, deliveries, now);
  if (!installed || applied.shopErased || !(await hasOfflineSession(db, shop))) return deliveries.length;
  return deliveries.length + (await shopifyStep(deps, shop, now));
}

interface AppliedBatch {
  /** shop/redact was applied: nothing of the shop is left to work on. */
  shopErased: boolean;
}

/**
 * Applies a shop's deliveries in arrival order: runs of deliveries that commute are applied as one set-based batch;
 * a merge or a shop-level event is applied alone, in its place. Then the customers they touched are re-classified,
 * and the deliveries are marked processed (failures are recorded with their backoff).
 */
async function applyDeliveries(
  deps: InboxDeps,
  shop: string,
  deliveries: readonly DueDelivery[],
  now: Date,
): Promise<AppliedBatch> {
  const { db } = deps;
  const facts: FactsDeps = {
    db,
    now,
    onShopEvent: (eventShop, topic, payload) => handleShopEvent(db, eventShop, topic, payload, now, deps.clientFor),
  };
  const failures: DeliveryFailure[] = [];
  const affected = new Map<number, Affected>();
  const read: ReadDelivery[] = [];
  for (const delivery of deliveries) {
    try {
      read.push({ id: delivery.id, intent: readDelivery(delivery.topic, delivery.payload) });
    } catch (error) {
      failures.push(failureOf(delivery, error));
    }
  }
  const attemptsOf = new Map(deliveries.map((d) => [d.id, d]));
  let run: ReadDelivery[] = [];
  const flush = async () => {
    for (const [id, result] of await applyRun(facts, shop, run, (d, error) =>
      failures.push(failureOf(attemptsOf.get(d.id)!, error)),
    ))
      affected.set(id, result);
    run = [];
  };
  for (const delivery of read) {
    if (isBatchable(delivery.intent)) {
      run.push(delivery);
      continue;
    }
    await flush();
    try {
      const result = await applyAlone(facts, shop, delivery);
      affected.set(delivery.id, result ?? { gids: [], cause: "order" });
    } catch (error) {
      failures.push(failureOf(attemptsOf.get(delivery.id)!, error));
      continue;
    }
    // shop/redact erased the shop, these deliveries included: nothing after it may bring its data back.
    if (delivery.intent.kind === "shopEvent" && delivery.intent.topic === "shop/redact") return { shopErased: true };
  }
  await flush();
  const reconciled = await reconcileAffected(deps, shop, affected, now, (id, error) =>
    failures.push(failureOf(attemptsOf.get(id)!, error)),
  );
  await markDeliveriesApplied(db, reconciled, now);
  await recordDeliveryFailures(db, failures, now);
  return { shopErased: false };
}

/**
 * A run of commuting deliveries as one batch. If the batch fails, its halves are tried, and so on down to single
 * deliveries: a poisoned delivery fails alone, and the others still go in a few batches rather than one by one.
 */
async function applyRun(
  facts: FactsDeps,
  shop: string,
  run: readonly ReadDelivery[],
  onFailure: (delivery: ReadDelivery, error: unknown) => void,
): Promise<Map<number, Affected>> {
  if (run.length === 0) return new Map();
  try {
    return await applyFactBatch(facts, shop, run);
  } catch (error) {
    if (run.length === 1) {
      onFailure(run[0], error);
      return new Map();
    }
    const half = Math.ceil(run.length / 2);
    const first = await applyRun(facts, shop, run.slice(0, half), onFailure);
    const second = await applyRun(facts, shop, run.slice(half), onFailure);
    return new Map([...first, ...second]);
  }
}

/**
 * Re-classifies the customers the applied deliveries touched, grouped by cause (the cause is recorded with each
 * stage change). If that fails, each delivery's customers are re-classified alone, so one bad customer holds back
 * only its own deliveries. Returns the deliveries done.
 */
async function reconcileAffected(
  deps: InboxDeps,
  shop: string,
  affected: ReadonlyMap<number, Affected>,
  now: Date,
  onFailure: (id: number, error: unknown) => void,
): Promise<number[]> {
  const ids = [...affected.keys()];
  if ([...affected.values()].some((a) => a.cause === "order" && a.gids.length > 0))
    await scheduleJourneys(deps, shop, now);
  try {
    await reconcileByCause(deps.db, shop, now, [...affected.values()]);
    return ids;
  } catch {
    const done: number[] = [];
    for (const [id, result] of affected) {
      try {
        await reconcileByCause(deps.db, shop, now, [result]);
        done.push(id);
      } catch (error) {
        onFailure(id, error);
      }
    }
    return done;
  }
}

/**
 * New orders wait for Shopify's journey summary: queue the campaigns refresh that reads it. A failure holds back no
 * delivery: the journeys stay pending and the next pass with an order, or the next refresh, queues their read.
 */
async function scheduleJourneys(deps: InboxDeps, shop: string, now: Date): Promise<void> {
  try {
    await scheduleJourneyRead(deps.db, shop, now);
  } catch (error) {
    (deps.log ?? inboxErrors)(
      `[inbox] ${shop}: journey read not queued: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function reconcileByCause(db: Db, shop: string, now: Date, affected: readonly Affected[]): Promise<void> {
  const byCause = new Map<ChangeCause, Set<string>>();
  for (const { gids, cause } of affected) {
    const set = byCause.get(cause) ?? new Set<string>();
    gids.forEach((gid) => set.add(gid));
    byCause.set(cause, set);
  }
  for (const [cause, gids] of byCause) {
    if (gids.size > 0) await reconcileCustomers({ db, shop, now, cause, shopify: null }, [...gids]);
  }
}

function failureOf(delivery: Pick<DueDelivery, "id" | "attempts">, error: unknown): DeliveryFailure {
  return {
    id: delivery.id,
    attempts: delivery.attempts,
    reason: error instanceof Error ? error.message : String(error),
    permanent: error instanceof PayloadError,
  };
}

/**
 * The shop's Shopify-bound work, as much as its bucket pays for now: re-fetching deliveries, planned tag writes,
 * pending Flow triggers. Returns how much it did.
 */
async function shopifyStep(deps: InboxDeps, shop: string, now: Date): Promise<number> {
  const client = deps.clientFor(shop);
  let done = await applyRefetches(deps, client, shop, now);
  const tags = await writePlannedTags(deps.db, shop, client, () => now, { wait: false, maxAttempts: SHOPIFY_ATTEMPTS });
  done += tags.written + tags.failed;
  done += await sendPendingFlowTriggers(deps.db, shop, client, {
    affordableOnly: true,
    maxAttempts: SHOPIFY_ATTEMPTS,
  }).catch((error: unknown) => {
    (deps.log ?? inboxErrors)(
      `[inbox] ${shop}: Flow triggers not sent: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 0;
  });
  await settleShopifyWorkDue(deps.db, shop, now);
  return done;
}

/**
 * Deliveries that announce a change without its content (customers/create, customers/purchasing_summary): each
 * customer is re-read once however many of its deliveries wait, while the bucket pays for it. What the bucket
 * cannot pay for now stays due for a later pass without spending an attempt.
 */
async function applyRefetches(deps: InboxDeps, client: AdminClient, shop: string, now: Date): Promise<number> {
  const { db } = deps;
  const deliveries = await dueDeliveries(db, shop, now, { topics: { in: REFETCH_TOPICS }, limit: REFETCHES_PER_PASS });
  if (deliveries.length === 0) return 0;
  const failures: DeliveryFailure[] = [];
  const byCustomer = new Map<string, { cause: ChangeCause; deliveries: DueDelivery[] }>();
  for (const delivery of deliveries) {
    try {
      const intent = readDelivery(delivery.topic, delivery.payload);
      if (intent.kind !== "refetch") throw new PayloadError(`Unexpected ${intent.kind} for ${delivery.topic}`);
      const entry = byCustomer.get(intent.gid) ?? { cause: intent.cause, deliveries: [] };
      if (intent.cause === "order") entry.cause = "order";
      entry.deliveries.push(delivery);
      byCustomer.set(intent.gid, entry);
    } catch (error) {
      failures.push(failureOf(delivery, error));
    }
  }
  const refetched = new Map<ChangeCause, string[]>();
  for (const [gid, entry] of byCustomer) {
    if (!client.canAffordNow(client.expectedCost(CustomerFactsQuery))) break;
    try {
      await refetchCustomer(db, client, shop, gid, { maxAttempts: SHOPIFY_ATTEMPTS });
      refetched.set(entry.cause, [...(refetched.get(entry.cause) ?? []), gid]);
    } catch (error) {
      for (const delivery of entry.deliveries) failures.push(failureOf(delivery, error));
    }
  }
  const affected = new Map<number, Affected>();
  for (const [cause, gids] of refetched) {
    for (const gid of gids) {
      for (const delivery of byCustomer.get(gid)!.deliveries) affected.set(delivery.id, { gids: [gid], cause });
    }
  }
  const reconciled = await reconcileAffected(deps, shop, affected, now, (id, error) =>
    failures.push(
      failureOf(
        deliveries.find((d) => d.id === id)!,
        error,
      ),
    ),
  );
  await markDeliveriesApplied(db, reconciled, now);
  await recordDeliveryFailures(db, failures, now);
  return reconciled.length + failures.length;
}
