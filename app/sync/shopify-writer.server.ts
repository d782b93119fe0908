import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import {
  affordableTagEdits,
  OVER_TAG_LIMIT_MESSAGE,
  retryAfterReread,
  startTagBulkPhase,
  tagBulkPhaseFailures,
  writeTagEdits,
  bulkPhaseLines,
  type TagBulkPhase,
} from "../shopify/tags.server";
import { readBulkOperation } from "../shopify/bulk.server";
import { FLOW_TRIGGERS_PER_REQUEST, sendStageChangedBatch } from "../shopify/flow.server";
import {
  countDueTagWrites,
  dueTagWrites,
  recordTagWriteResults,
  type DueTagWrite,
  type TagWriteResult,
} from "../models/customer.server";
import { decodeDesiredAppTags, planDesiredAppTags } from "../domain/tag-plan";
import { applyTagPlan } from "../lifecycle";
import type { TagEdit } from "../graphql/TagsBatchMutation";
import type { ShopifyWriter, TagWriteSummary } from "./reconcile.server";
import { fullHistoryGranted, skipPendingStageChanges, TAGS_HELD_MESSAGE } from "./access.server";
import { logger } from "../logger.server";

export interface TagWriteOptions {
  /**
   * Jobs wait for the rate limit and for bulk operations until every due write is done. The inbox does not: it sends
   * what the shop's bucket pays for now and advances a bulk operation by one poll, then returns to the database work.
   */
  wait: boolean;
  /** From this many due customers on, one bulk mutation per direction instead of aliased requests. */
  bulkThreshold?: number;
  /** Attempts per Admin request. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Customers per aliased round (one query-cost-sized request or more) and per bulk operation. */
const ALIASED_ROUND = 250;
const BULK_MAX_CUSTOMERS = 20_000;
const DEFAULT_BULK_THRESHOLD = 1000;
/** Failed tag writes: retried after 1 min, doubling up to 6 h, given up (the error stays visible) after 8. */
const MAX_TAG_ATTEMPTS = 8;

function tagRetryAt(attemptsBefore: number, now: Date): Date | null {
  if (attemptsBefore + 1 >= MAX_TAG_ATTEMPTS) return null;
  return new Date(now.getTime() + Math.min(6 * 3_600_000, 60_000 * 2 ** attemptsBefore));
}

/** A planned write: what to send for a customer, and what is recorded once it is sent. */
interface PlannedWrite {
  due: DueTagWrite;
  edit: TagEdit;
  /** Shopify's 250-tag limit keeps part of the plan from being written (removals still are). */
  overLimit: boolean;
}

/**
 * Plans each due customer's write against its known tags. Customers with nothing to send (already right, or only an
 * addition that Shopify's tag limit refuses) are settled at once, without a call.
 */
function planWrites(due: readonly DueTagWrite[]): { writes: PlannedWrite[]; settled: TagWriteResult[] } {
  const writes: PlannedWrite[] = [];
  const settled: TagWriteResult[] = [];
  for (const customer of due) {
    const plan = planDesiredAppTags(customer.tags, decodeDesiredAppTags(customer.desiredAppTags));
    if (plan.add.length === 0 && plan.remove.length === 0) {
      settled.push({
        gid: customer.gid,
        sent: customer.desiredAppTags,
        tags: customer.tags,
        error: plan.overLimit ? OVER_TAG_LIMIT_MESSAGE : null,
        retryAt: null,
      });
    } else {
      writes.push({
        due: customer,
        edit: { id: customer.gid, add: plan.add, remove: plan.remove },
        overLimit: plan.overLimit,
      });
    }
  }
  return { writes, settled };
}

/** What a sent write leaves: the tags Shopify now carries, or the error and when to try again. */
function resultOf(write: PlannedWrite, error: string | undefined, now: Date): TagWriteResult {
  const { due, edit } = write;
  if (error !== undefined)
    return {
      gid: due.gid,
      sent: due.desiredAppTags,
      tags: null,
      error,
      retryAt: tagRetryAt(due.tagWriteAttempts, now),
    };
  return {
    gid: due.gid,
    sent: due.desiredAppTags,
    tags: applyTagPlan(due.tags, { add: [...edit.add], remove: [...edit.remove], overLimit: false }),
    error: write.overLimit ? OVER_TAG_LIMIT_MESSAGE : null,
    retryAt: null,
  };
}

/**
 * The tag-write step: sends the tag plans reconcile stored (only each customer's newest), removals before
 * additions, paced to the shop's rate limit with aliased tagsAdd/tagsRemove, or as bulk mutations (one operation at a
 * time, tracked in TagBulkWrite) when many are due. A failed write is retried later with backoff; it never fails the
 * caller. Without read_all_orders nothing is written (app/sync/access.server.ts): each due customer is told why, and
 * the full import that follows the grant plans them again.
 */
export async function writePlannedTags(
  db: Db,
  shop: string,
  client: AdminClient,
  now: () => Date,
  options: TagWriteOptions,
): Promise<TagWriteSummary> {
  const summary: TagWriteSummary = { written: 0, failed: 0 };
  if (!(await db.tagBulkWrite.findUnique({ where: { shop } })) && (await countDueTagWrites(db, shop, now())) > 0) {
    let granted: boolean;
    try {
      granted = await fullHistoryGranted(db, shop, client, now());
    } catch (error) {
      // The scopes could not be read (no token, 401, Shopify down): the writes wait for a retry like a failed write.
      await settleDueTagWrites(db, shop, now(), error instanceof Error ? error.message : String(error), true, summary);
      return summary;
    }
    if (!granted) {
      await settleDueTagWrites(db, shop, now(), TAGS_HELD_MESSAGE, false, summary);
      return summary;
    }
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pollMs = 250;
  for (;;) {
    const bulk = await db.tagBulkWrite.findUnique({ where: { shop } });
    if (bulk) {
      if (await advanceBulkWrite(db, client, bulk, now(), summary)) continue;
      if (!options.wait) return summary;
      await sleep(pollMs);
      pollMs = Math.min(pollMs * 1.5, 5000);
      continue;
    }
    const due = await countDueTagWrites(db, shop, now());
    if (due === 0) return summary;
    if (due >= (options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD)) {
      await startBulkWrite(db, shop, client, now(), summary);
      continue;
    }
    const { writes, settled } = planWrites(await dueTagWrites(db, shop, now(), ALIASED_ROUND));
    await settle(db, shop, settled, summary);
    const sending = options.wait
      ? writes
      : writes.slice(
          0,
          affordableTagEdits(
            client,
            writes.map((w) => w.edit),
          ),
        );
    if (sending.length > 0) await writeAliased(db, shop, client, sending, now(), options, summary);
    if (!options.wait && sending.length < writes.length) return summary;
  }
}

/** Every due write settled without a call: held (no retry; a new plan comes with the full import) or retried later. */
async function settleDueTagWrites(
  db: Db,
  shop: string,
  now: Date,
  reason: string,
  retry: boolean,
  summary: TagWriteSummary,
): Promise<void> {
  for (;;) {
    const due = await dueTagWrites(db, shop, now, BULK_MAX_CUSTOMERS);
    if (due.length === 0) return;
    const retryAt = (d: DueTagWrite) => (retry ? tagRetryAt(d.tagWriteAttempts, now) : null);
    await settle(
      db,
      shop,
      due.map((d) => ({ gid: d.gid, sent: d.desiredAppTags, tags: null, error: reason, retryAt: retryAt(d) })),
      summary,
    );
    // Retried writes are no longer due, held ones no longer planned: the loop ends when none is left due now.
  }
}

async function settle(
  db: Db,
  shop: string,
  results: readonly TagWriteResult[],
  summary: TagWriteSummary,
): Promise<void> {
  if (results.length === 0) return;
  await recordTagWriteResults(db, shop, results);
  for (const result of results) {
    if (result.error === null) summary.written++;
    else summary.failed++;
  }
}

async function writeAliased(
  db: Db,
  shop: string,
  client: AdminClient,
  writes: readonly PlannedWrite[],
  now: Date,
  options: TagWriteOptions,
  summary: TagWriteSummary,
) {
  const current = new Map(writes.map((w) => [w.edit.id, w.due.tags]));
  let outcomes;
  try {
    outcomes = await writeTagEdits(
      client,
      writes.map((w) => w.edit),
      current,
      { bulkThreshold: Number.POSITIVE_INFINITY, maxAttempts: options.maxAttempts },
    );
  } catch (error) {
    // The shop's Admin API failed (no token, 401, 5xx after retries): every write of this round waits and retries.
    const message = error instanceof Error ? error.message : String(error);
    await settle(
      db,
      shop,
      writes.map((w) => resultOf(w, message, now)),
      summary,
    );
    return;
  }
  const failed = new Map(outcomes.flatMap((o) => (o.ok ? [] : [[o.gid, o.error] as const])));
  await settle(
    db,
    shop,
    writes.map((w) => resultOf(w, failed.get(w.edit.id), now)),
    summary,
  );
}

interface StoredBulkEdit {
  edit: TagEdit;
  due: DueTagWrite;
  overLimit: boolean;
}

async function startBulkWrite(
  db: Db,
  shop: string,
  client: AdminClient,
  now: Date,
  summary: TagWriteSummary,
): Promise<void> {
  const { writes, settled } = planWrites(await dueTagWrites(db, shop, now, BULK_MAX_CUSTOMERS));
  await settle(db, shop, settled, summary);
  if (writes.length === 0) return;
  const edits = writes.map((w) => w.edit);
  const phase: TagBulkPhase = bulkPhaseLines("remove", edits).length > 0 ? "remove" : "add";
  let operationId: string;
  try {
    operationId = await startTagBulkPhase(client, phase, edits);
  } catch (error) {
    await settle(
      db,
      shop,
      writes.map((w) => resultOf(w, error instanceof Error ? error.message : String(error), now)),
      summary,
    );
    return;
  }
  const stored: StoredBulkEdit[] = writes.map((w) => ({ edit: w.edit, due: w.due, overLimit: w.overLimit }));
  await db.tagBulkWrite.create({ data: { shop, phase, operationId, edits: JSON.stringify(stored), startedAt: now } });
}

/**
 * Polls the shop's bulk tag write once. When its phase has finished, the next phase starts (additions after
 * removals) or the results are recorded. Returns false while the operation is still running.
 */
async function advanceBulkWrite(
  db: Db,
  client: AdminClient,
  bulk: { shop: string; phase: string; operationId: string; edits: string; failures: string },
  now: Date,
  summary: TagWriteSummary,
): Promise<boolean> {
  const stored = JSON.parse(bulk.edits) as StoredBulkEdit[];
  const edits = stored.map((s) => s.edit);
  const failures = new Map(Object.entries(JSON.parse(bulk.failures) as Record<string, string>));
  const phase = bulk.phase as TagBulkPhase;
  let completed = false;
  try {
    const operation = await readBulkOperation(client, bulk.operationId);
    if (operation.status === "CREATED" || operation.status === "RUNNING" || operation.status === "CANCELING")
      return false;
    completed = operation.status === "COMPLETED";
    for (const [id, error] of await tagBulkPhaseFailures(operation, phase, edits)) failures.set(id, error);
  } catch (error) {
    // Not readable (token revoked, operation gone): the phase's writes failed; they are planned again and retried later.
    for (const line of bulkPhaseLines(phase, edits))
      failures.set(
        line.id,
        `The bulk tag write could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
  }

  if (phase === "remove" && bulkPhaseLines("add", edits).length > 0 && completed) {
    try {
      const operationId = await startTagBulkPhase(client, "add", edits);
      await db.tagBulkWrite.update({
        where: { shop: bulk.shop },
        data: { phase: "add", operationId, failures: JSON.stringify(Object.fromEntries(failures)) },
      });
      return true;
    } catch (error) {
      for (const line of bulkPhaseLines("add", edits))
        failures.set(line.id, error instanceof Error ? error.message : String(error));
    }
  }
  const retried = failures.size > 0 ? await retryFailedBulkLines(client, edits, failures) : failures;
  const results = stored.map((s) =>
    resultOf({ edit: s.edit, due: s.due, overLimit: s.overLimit }, retried.get(s.edit.id), now),
  );
  await db.$transaction([db.tagBulkWrite.delete({ where: { shop: bulk.shop } })]);
  await settle(db, bulk.shop, results, summary);
  return true;
}

/** Lines a bulk phase could not write get the aliased writer's one retry against their real tags. */
async function retryFailedBulkLines(
  client: AdminClient,
  edits: readonly TagEdit[],
  failures: Map<string, string>,
): Promise<Map<string, string>> {
  try {
    return await retryAfterReread(
      client,
      edits.filter((e) => failures.has(e.id)),
      failures,
      { maxAttempts: 2 },
    );
  } catch {
    return failures;
  }
}

export interface FlowSendOptions {
  /** Send only the batches the shop's bucket pays for now (the inbox); otherwise wait for the rate limit. */
  affordableOnly?: boolean;
  maxAttempts?: number;
}

/**
 * Sends the Flow triggers of the shop's pending StageChange rows, oldest first; returns how many were sent. Without
 * read_all_orders they are marked skipped: stage changes computed from a cut-off history never reach Flow.
 */
export async function sendPendingFlowTriggers(
  db: Db,
  shop: string,
  client: AdminClient,
  options: FlowSendOptions = {},
): Promise<number> {
  if (!(await db.stageChange.findFirst({ where: { shop, flowStatus: "pending" }, select: { id: true } }))) return 0;
  if (!(await fullHistoryGranted(db, shop, client))) {
    await skipPendingStageChanges(db, shop);
    return 0;
  }
  let sent = 0;
  let afterId = 0;
  for (;;) {
    let size = FLOW_TRIGGERS_PER_REQUEST;
    if (options.affordableOnly) {
      while (size > 0 && !client.canAffordNow(10 * size)) size = Math.floor(size / 2);
      if (size === 0) return sent;
    }
    const pending = await db.stageChange.findMany({
      where: { shop, flowStatus: "pending", id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: size,
    });
    if (pending.length === 0) return sent;
    afterId = pending[pending.length - 1].id;
    const customers = await db.customer.findMany({
      where: { shop, gid: { in: pending.map((p) => p.customerGid) } },
      select: { gid: true, lastOrderAt: true },
    });
    const lastOrderAt = new Map(customers.map((c) => [c.gid, c.lastOrderAt]));
    const results = await sendStageChangedBatch(
      client,
      pending.map((change) => {
        const last = lastOrderAt.get(change.customerGid);
        return {
          customerGid: change.customerGid,
          fromStage: change.fromStage,
          toStage: change.toStage,
          winbackTier: change.winbackTier,
          daysSinceLastOrder: last ? (change.at.getTime() - last.getTime()) / 86_400_000 : null,
        };
      }),
      { maxAttempts: options.maxAttempts },
    );
    const sentIds = pending.filter((_, i) => results[i] === null).map((p) => p.id);
    const failedIds = pending.filter((_, i) => results[i] !== null).map((p) => p.id);
    await db.stageChange.updateMany({ where: { id: { in: sentIds } }, data: { flowStatus: "sent" } });
    if (failedIds.length > 0) {
      await db.stageChange.updateMany({ where: { id: { in: failedIds } }, data: { flowStatus: "failed" } });
      pending.forEach((change, i) => {
        if (results[i] !== null) logger.error({ component: "flow", shop, customer: change.customerGid }, results[i]!);
      });
    }
    sent += sentIds.length;
  }
}

/**
 * Reconcile's view of Shopify in a job: the planned tags are written before the job moves on (waiting for the rate
 * limit or bulk operations), then Flow hears of the stage changes, from the StageChange rows marked pending (not
 * from memory), so a crash between the database commit and the call only delays them. Without read_all_orders
 * nothing is written: tags are held with the reason, stage changes never reach Flow.
 */
export function shopifyWriter(
  db: Db,
  shop: string,
  client: AdminClient,
  tagOptions: Omit<TagWriteOptions, "wait"> = {},
): ShopifyWriter {
  return {
    writePlannedTags: (now) => writePlannedTags(db, shop, client, () => now, { ...tagOptions, wait: true }),
    sendPendingStageChanges: async () => {
      await sendPendingFlowTriggers(db, shop, client);
    },
  };
}
