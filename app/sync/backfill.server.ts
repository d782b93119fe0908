import prisma, { databaseProvider, driverConnection, type Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { startBulkQuery, waitForBulkOperation, type BulkOperation } from "../shopify/bulk.server";
import { CustomersBulkQuery } from "../graphql/CustomersBulkQuery";
import { OrdersBulkQuery } from "../graphql/OrdersBulkQuery";
import {
  upsertCustomerValues,
  upsertOrderValues,
  withBulkWriteCheckpoints,
  type ImportCheckpoint,
} from "../models/facts.server";
import type { ImportKind, ImportedLine } from "./import-lines";
import { readImportBatches } from "./import-reader.server";
import { journeyValueStatements } from "../models/journey.server";
import { enqueueJob } from "../queue/queue.server";
import { reconcileShop, type ShopifyWriter } from "./reconcile.server";
import { syncStageSegments } from "./segments.server";
import { loadShopContext, saveShopCurrency } from "../models/shop.server";
import { afterFullPass } from "./after-pass.server";
import { ShopQuery } from "../graphql/ShopQuery";
import { syncErrorKind } from "../shopify/errors";

export type BackfillPhase = "customers" | "orders" | "classify" | "segments" | "done" | "failed";

export async function requestBackfill(shop: string, db: Db = prisma): Promise<boolean> {
  return enqueueJob(db, "backfill", {}, { shop, singletonKey: `backfill:${shop}` });
}

export interface BackfillDeps {
  db: Db;
  shop: string;
  client: AdminClient;
  writer: ShopifyWriter;
  now: () => Date;
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  log?: (message: string) => void;
}

/**
 * Imports the shop's whole history with bulk operations and classifies every customer. Each phase is
 * checkpointed in SyncRun (bulk operation id, lines done, committed with the facts they count), so a crashed run
 * resumes right after the last batch it stored.
 */
export async function runBackfill(deps: BackfillDeps): Promise<void> {
  const { db, shop } = deps;
  const log = deps.log ?? (() => undefined);
  let run = await db.syncRun.findFirst({
    where: { shop, kind: "backfill", finishedAt: null },
    orderBy: { id: "desc" },
  });
  const isFirst = (await db.syncRun.count({ where: { shop, kind: "backfill", phase: "done" } })) === 0;
  run ??= await db.syncRun.create({ data: { shop, kind: "backfill", phase: "customers" } });
  const runId = run.id;

  try {
    // Every import starts from the shop's current currency: money on the board is shown in it.
    const { data: shopData } = await deps.client.request(ShopQuery);
    await saveShopCurrency(db, shop, shopData.shop.currencyCode);
    if (run.phase === "customers") {
      await importPhase(deps, runId, run, "customers");
      run = await db.syncRun.update({
        where: { id: runId },
        data: { phase: "orders", bulkOperationId: null, resultUrl: null, linesDone: 0, linesTotal: null },
      });
      log(`${shop}: customers imported`);
    }
    if (run.phase === "orders") {
      await importPhase(deps, runId, run, "orders");
      run = await db.syncRun.update({ where: { id: runId }, data: { phase: "classify" } });
      log(`${shop}: orders imported`);
    }
    if (run.phase === "classify") {
      const ctx = await loadShopContext(db, shop);
      const customersTotal = await db.customer.count({ where: { shop, deletedAt: null } });
      await db.syncRun.update({ where: { id: runId }, data: { customersTotal, customersDone: 0 } });
      const summary = await reconcileShop({
        db,
        shop,
        now: deps.now(),
        cause: "backfill",
        shopify: deps.writer,
        notifyFlow: !isFirst || ctx.flowOnBackfill,
        onProgress: async (customersDone) => {
          await db.syncRun.update({ where: { id: runId }, data: { customersDone } });
        },
      });
      log(`${shop}: ${summary.customers} customers classified, ${summary.tagEdits} tag writes`);
      await afterFullPass({
        db,
        shop,
        now: deps.now(),
        cause: "backfill",
        writer: deps.writer,
        analytics: deps.client,
        log,
      });
      run = await db.syncRun.update({
        where: { id: runId },
        data: { phase: "segments", customersDone: summary.customers },
      });
    }
    if (run.phase === "segments") {
      await syncStageSegments(db, shop, deps.client);
      await db.syncRun.update({
        where: { id: runId },
        data: { phase: "done", finishedAt: deps.now(), error: null, errorKind: null },
      });
    }
  } catch (error) {
    await db.syncRun.update({
      where: { id: runId },
      data: { error: error instanceof Error ? error.message : String(error), errorKind: syncErrorKind(error) },
    });
    throw error;
  }
}

/** A fact export of an import: its bulk query, and how a batch of its lines (IMPORT_LINES) is stored with its checkpoint. */
interface FactImport<Kind extends ImportKind> {
  query: string;
  store: (db: Db, shop: string, items: ImportedLine<Kind>[], checkpoint: ImportCheckpoint) => Promise<void>;
}

const CUSTOMERS_IMPORT: FactImport<"customers"> = {
  query: CustomersBulkQuery,
  store: upsertCustomerValues,
};

const ORDERS_IMPORT: FactImport<"orders"> = {
  query: OrdersBulkQuery,
  store: async (db, shop, lines, checkpoint) => {
    const kept: unknown[][] = [];
    const dropped: string[] = [];
    for (const [, journey] of lines) {
      if (typeof journey === "string") dropped.push(journey);
      else if (journey) kept.push(journey);
    }
    const journeys = journeyValueStatements(db, await driverConnection(db), shop, kept, dropped);
    await upsertOrderValues(
      db,
      shop,
      lines.map(([order]) => order),
      checkpoint,
      journeys,
    );
  },
};

const IMPORTS: { [Kind in ImportKind]: FactImport<Kind> } = { customers: CUSTOMERS_IMPORT, orders: ORDERS_IMPORT };

export type { ImportKind };

async function importPhase(
  deps: BackfillDeps,
  runId: number,
  run: { bulkOperationId: string | null; linesDone: number },
  kind: ImportKind,
): Promise<void> {
  const { db, client } = deps;
  let operationId = run.bulkOperationId;
  if (!operationId) {
    operationId = await startBulkQuery(client, IMPORTS[kind].query);
    await db.syncRun.update({ where: { id: runId }, data: { bulkOperationId: operationId } });
  }
  const operation: BulkOperation = await waitForBulkOperation(client, operationId, {
    intervalMs: deps.pollIntervalMs,
    onProgress: async (op) => {
      await db.syncRun.update({
        where: { id: runId },
        data: { linesTotal: op.objectCount == null ? null : Number(op.objectCount) },
      });
    },
  });
  const linesTotal = Number(operation.objectCount ?? 0);
  await db.syncRun.update({ where: { id: runId }, data: { resultUrl: operation.url, linesTotal } });
  deps.log?.(`${deps.shop}: ${kind} export ready (${linesTotal} lines)`);
  if (!operation.url) return; // an empty store: Shopify returns no file
  const linesDone = await importBulkResult(db, deps.shop, kind, operation.url, {
    syncRunId: runId,
    skipLines: run.linesDone,
    fetch: deps.fetch,
  });
  await db.syncRun.update({ where: { id: runId }, data: { linesDone: linesTotal || linesDone } });
}

/** Lines per batch parsed: one transaction of facts and checkpoint each, or several batches in one (readImportBatches). */
export const IMPORT_BATCH_LINES = 5_000;

/**
 * Stores one bulk result file's facts, batch by batch, each batch committed with its checkpoint (SyncRun.linesDone),
 * so a crashed import resumes right after the last batch stored. While a batch is written, the next one is read and
 * mapped: on SQLite in a thread of its own for a large file (readImportBatches), since better-sqlite3 holds the calling
 * thread for the whole write; on PostgreSQL here, while the database works. Returns the number of the last line stored.
 */
export async function importBulkResult(
  db: Db,
  shop: string,
  kind: ImportKind,
  url: string,
  options: { syncRunId: number; skipLines?: number; fetch?: typeof fetch; parseThread?: boolean },
): Promise<number> {
  // The batches are of this kind's lines, which TypeScript cannot tie to IMPORTS[kind] through a union of kinds.
  const store = IMPORTS[kind].store as FactImport<ImportKind>["store"] as (
    db: Db,
    shop: string,
    items: unknown[],
    checkpoint: ImportCheckpoint,
  ) => Promise<void>;
  let linesDone = options.skipLines ?? 0;
  let writing: Promise<void> | null = null;
  await withBulkWriteCheckpoints(db, async () => {
    try {
      for await (const batch of readImportBatches(url, kind, {
        skipLines: linesDone,
        batchLines: IMPORT_BATCH_LINES,
        fetch: options.fetch,
        // PostgreSQL's driver is asynchronous: parsing here already overlaps the database's work, without a thread's memory.
        parseThread: options.parseThread ?? (databaseProvider(db) === "postgresql" ? false : undefined),
      })) {
        await writing;
        writing = store(db, shop, batch.values, { syncRunId: options.syncRunId, linesDone: batch.lastLine });
        // Awaited at the next batch or below; until then a failure must not count as unhandled.
        writing.catch(() => undefined);
        linesDone = batch.lastLine;
      }
      await writing;
    } finally {
      // A failed read (a dropped download) still lets the batch in flight commit before the job gives up.
      await writing?.catch(() => undefined);
    }
  });
  return linesDone;
}
