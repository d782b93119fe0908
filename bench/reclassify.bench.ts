/**
 * Classifying and planning the tags of every customer of an imported shop (reconcileShop, as the import's classify
 * phase and a settings change run it), next to the same work done with the raw driver in the same run; the
 * Shopify-bound part (the planned tags sent as bulk mutations, uploaded and waited for) is reported apart.
 *
 * The shop is a generated store in the dev store (its own process), imported with the app's own bulk import (not
 * timed). The baseline reads the same rows with better-sqlite3, runs the same model (shop statistics, classification
 * with explanations, net spend, tag plans) and writes the same columns and stage changes with prepared statements in
 * one transaction, on a copy of the same database. Goal: 100,000 customers in ≤ 15 s on SQLite. `--quick`: 20,000
 * customers in ≤ 3 s (the same rate).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createPrismaClient } from "../app/db.server";
import { startBulkQuery, waitForBulkOperation } from "../app/shopify/bulk.server";
import { CustomersBulkQuery } from "../app/graphql/CustomersBulkQuery";
import { OrdersBulkQuery } from "../app/graphql/OrdersBulkQuery";
import { importBulkResult } from "../app/sync/backfill.server";
import { reconcileShop } from "../app/sync/reconcile.server";
import { writePlannedTags } from "../app/sync/shopify-writer.server";
import {
  appTagsFor,
  classifyTimes,
  computeShopStats,
  isQualifyingOrder,
  DEFAULT_LIFECYCLE_SETTINGS,
  qualifyingOrderTimes,
  type EmailMarketingState,
  type OrderFacts,
} from "../app/lifecycle";
import { encodeDesiredAppTags, planDesiredAppTags } from "../app/domain/tag-plan";
import { applyMigrations } from "../tests/support/migrations";
import { count, type BenchOptions, type BenchResult } from "./support/goals";
import { adminClient, startGeneratedDevStore } from "./support/processes";

const SHOP = "bench-reclassify.myshopify.com";
/** The generated shop's history ends here (tests/devstore/seed/generated.ts): the shop is classified as of this day. */
const NOW = new Date(Date.UTC(2026, 0, 1));
/** Seconds per 100,000 customers. */
const GOAL_SECONDS_PER_100K = 15;

/** The same work as reconcileShop with the raw driver: read, classify, plan, write in one transaction. */
function rawReclassify(file: string, now: Date): { seconds: number; customers: number } {
  const started = performance.now();
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const customers = db
      .prepare(
        `SELECT "id", "gid", "emailMarketingState", "tags" FROM "Customer" WHERE "shop" = ? AND "deletedAt" IS NULL ORDER BY "id"`,
      )
      .all(SHOP) as Array<{
      id: number;
      gid: string;
      emailMarketingState: string;
      tags: string;
    }>;
    const orders = new Map<string, OrderFacts[]>();
    const netSpent = (list: readonly OrderFacts[], nowMs: number) => {
      let sum = 0n;
      for (const o of list) if (isQualifyingOrder(o, nowMs)) sum += BigInt(o.totalMinor - o.refundedMinor);
      return sum;
    };
    const orderRows = db
      .prepare(
        `SELECT "customerGid", CAST(ROUND(unixepoch("createdAt", 'subsec') * 1000) AS INTEGER), "totalMinor", "refundedMinor", "cancelled", "test", "voided", "fullyRefunded" FROM "Order" WHERE "shop" = ? AND "deletedAt" IS NULL`,
      )
      .raw()
      .iterate(SHOP) as Iterable<[string, number, number, number, number, number, number, number]>;
    for (const [gid, createdAt, total, refunded, cancelled, test, voided, fullyRefunded] of orderRows) {
      const list = orders.get(gid) ?? [];
      list.push({
        createdAt,
        totalMinor: total,
        refundedMinor: refunded,
        cancelled: !!cancelled,
        test: !!test,
        voided: !!voided,
        fullyRefunded: !!fullyRefunded,
      });
      orders.set(gid, list);
    }
    const nowMs = now.getTime();
    const times = customers.map((c) => qualifyingOrderTimes(orders.get(c.gid) ?? [], nowMs));
    const stats = computeShopStats(times, DEFAULT_LIFECYCLE_SETTINGS, nowMs);
    const update = db.prepare(
      `UPDATE "Customer" SET "stage" = ?, "winbackTier" = ?, "nextTransitionAt" = ?, "explanation" = ?, "lapseThresholdDays" = ?, "usesShopThreshold" = ?,
        "qualifyingOrders" = ?, "lastOrderAt" = ?, "classifiedAt" = ?, "stageSince" = ?, "desiredAppTags" = ?, "tagWriteDueAt" = ?, "netSpentMinor" = ? WHERE "id" = ?`,
    );
    const change = db.prepare(
      `INSERT INTO "StageChange" ("shop", "customerGid", "fromStage", "toStage", "winbackTier", "at", "cause", "flowStatus") VALUES (?, ?, NULL, ?, ?, ?, 'backfill', 'skipped')`,
    );
    const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString().replace("Z", "+00:00"));
    const at = iso(nowMs);
    db.transaction(() => {
      customers.forEach((c, i) => {
        const result = classifyTimes(
          times[i],
          c.emailMarketingState as EmailMarketingState,
          stats,
          DEFAULT_LIFECYCLE_SETTINGS,
          nowMs,
        );
        const desired = { tags: appTagsFor(result, "lifecycle:"), prefix: "lifecycle:", retire: [] };
        const plan = planDesiredAppTags(JSON.parse(c.tags) as string[], desired);
        const planned = plan.add.length + plan.remove.length > 0 ? encodeDesiredAppTags(desired) : null;
        update.run(
          result.stage,
          result.winbackTier,
          iso(result.nextTransitionAt),
          JSON.stringify(result.explanation),
          result.lapseThresholdDays,
          result.usesShopThreshold ? 1 : 0,
          result.qualifyingOrderCount,
          iso(result.lastOrderAt),
          at,
          at,
          planned,
          planned ? at : null,
          netSpent(orders.get(c.gid) ?? [], nowMs),
          c.id,
        );
        change.run(SHOP, c.gid, result.stage, result.winbackTier, at);
      });
    })();
    return { seconds: (performance.now() - started) / 1000, customers: customers.length };
  } finally {
    db.close();
  }
}

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  const customers = quick ? 20_000 : 100_000;
  const store = await startGeneratedDevStore(SHOP, customers, customers * 5, quick ? 1024 : 2048);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-reclassify-"));
  const file = path.join(dir, "app.sqlite");
  applyMigrations(file);
  const db = createPrismaClient(`file:${file}`);
  const client = adminClient(store);
  const now = NOW;
  try {
    // Imported with the app's own bulk import (not timed).
    await db.shop.create({ data: { domain: SHOP } });
    await db.session.create({
      data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: store.accessToken },
    });
    const { id: syncRunId } = await db.syncRun.create({ data: { shop: SHOP, kind: "backfill", phase: "customers" } });
    for (const [kind, query] of [
      ["customers", CustomersBulkQuery],
      ["orders", OrdersBulkQuery],
    ] as const) {
      const operation = await waitForBulkOperation(client, await startBulkQuery(client, query), { intervalMs: 100 });
      if (operation.url) await importBulkResult(db, SHOP, kind, operation.url, { syncRunId });
    }
    await db.$executeRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
    const copy = path.join(dir, "raw.sqlite");
    fs.copyFileSync(file, copy);
    const raw = rawReclassify(copy, now);

    const started = performance.now();
    const summary = await reconcileShop({ db, shop: SHOP, now, cause: "backfill", shopify: null });
    const appSeconds = (performance.now() - started) / 1000;

    const sendStarted = performance.now();
    const sent = await writePlannedTags(db, SHOP, client, () => now, { wait: true });
    const sendSeconds = (performance.now() - sendStarted) / 1000;

    const goalSeconds = (GOAL_SECONDS_PER_100K * customers) / 100_000;
    return {
      title: "Classify and plan tags for every customer of an imported shop",
      markdown: `
A generated store of ${count(customers)} customers and ${count(customers * 5)} orders (dev store, its own process), imported by
the app's bulk import. \`reconcileShop\` (shop statistics, every customer classified with its explanation, stages,
stage changes and stage counts stored, tag plans stored) next to the raw driver doing the same reads, model work and
writes (prepared statements, one transaction) on a copy of the same database, in the same run. Sending the planned
tags to Shopify (bulk mutations: staged upload, run, wait, results) is the Shopify-bound part, timed apart.
Goal: ≤ ${GOAL_SECONDS_PER_100K} s per 100,000 customers on SQLite.

| SQLite | customers | seconds | customers/s | |
|---|---|---|---|---|
| app: reconcileShop (classify + plan) | ${count(summary.customers)} | **${appSeconds.toFixed(1)}** | ${count(summary.customers / appSeconds)} | **${(raw.seconds / appSeconds).toFixed(2)}×** raw speed |
| raw better-sqlite3, same work | ${count(raw.customers)} | ${raw.seconds.toFixed(1)} | ${count(raw.customers / raw.seconds)} | baseline |
| Shopify-bound: planned tags sent (bulk mutations) | ${count(sent.written)} written, ${count(sent.failed)} failed | ${sendSeconds.toFixed(1)} | ${count(sent.written / sendSeconds)} | apart |

${count(summary.stageChanges)} stage changes and ${count(summary.tagsPlanned)} tag plans stored.
`,
      goals: [
        {
          name: "reclassify sqlite",
          figure: `${count(summary.customers)} customers classified and tag-planned in ${appSeconds.toFixed(1)} s`,
          ratio: `${(raw.seconds / appSeconds).toFixed(2)}× the raw driver's speed on the same work; tags sent apart in ${sendSeconds.toFixed(1)} s`,
          goal: `≤ ${goalSeconds.toFixed(0)} s`,
          met: appSeconds <= goalSeconds && summary.customers === customers && sent.failed === 0,
        },
      ],
    };
  } finally {
    await db.$disconnect();
    await store.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
