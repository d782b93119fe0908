/**
 * Tag writes against the dev store's rate limit (2000-point bucket, 100 points/s, Shopify's standard plan):
 * how much of the available budget the aliased writer uses, whether it is ever THROTTLED, cost per customer;
 * and the time to import and tag the whole Online Retail store, next to the bare bulk export in the same run.
 * Goal: the writer uses ≥ 90% of the budget available while it writes, and is never THROTTLED (the backfill neither).
 * `--quick`: 400 customers instead of 600 (the same budget shape: a full bucket, then the restore rate).
 */
import { startDevStore } from "../tests/devstore/server";
import { AdminClient } from "../app/shopify/admin-client.server";
import { writeTagEdits } from "../app/shopify/tags.server";
import { runBackfill } from "../app/sync/backfill.server";
import { shopifyWriter } from "../app/sync/shopify-writer.server";
import { readJsonlLines, startBulkQuery, waitForBulkOperation } from "../app/shopify/bulk.server";
import { CustomersBulkQuery } from "../app/graphql/CustomersBulkQuery";
import { OrdersBulkQuery } from "../app/graphql/OrdersBulkQuery";
import { createTestDb } from "../tests/support/test-db";
import type { BenchOptions, BenchResult } from "./support/goals";

const KEY = "bench-key";
const SECRET = "bench-secret";
const UTILISATION_GOAL = 0.9;

function clientFor(origin: string, shop: string, token: string) {
  return new AdminClient({
    shop,
    endpoint: `${origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => token,
  });
}

async function aliasedWrites(customers: number) {
  const devStore = await startDevStore({
    port: 0,
    apiKey: KEY,
    apiSecret: SECRET,
    bucket: { maximumAvailable: 2000, restoreRate: 100 },
  });
  const shop = "bench-tags.myshopify.com";
  devStore.seedGenerated(shop, { customers, orders: customers, seed: 1 });
  const client = clientFor(devStore.origin, shop, devStore.issueOfflineToken(shop));
  const gids = [...devStore.shops.get(shop)!.customers.keys()].map((id) => `gid://shopify/Customer/${id}`);
  const edits = gids.map((id) => ({ id, add: ["lifecycle:repeat-buyer"], remove: [] as string[] }));
  const started = Date.now();
  const outcomes = await writeTagEdits(client, edits, new Map(), { bulkThreshold: Number.POSITIVE_INFINITY });
  const seconds = (Date.now() - started) / 1000;
  const stats = devStore.stats(shop);
  await devStore.close();
  const available = 2000 + 100 * seconds;
  return {
    customers,
    seconds,
    ok: outcomes.filter((o) => o.ok).length,
    points: stats.pointsUsed,
    throttled: stats.throttled,
    utilisation: stats.pointsUsed / available,
    floorSeconds: Math.max(0, stats.pointsUsed - 2000) / 100,
  };
}

async function onlineRetailBackfill() {
  const devStore = await startDevStore({
    port: 0,
    apiKey: KEY,
    apiSecret: SECRET,
    bucket: { maximumAvailable: 2000, restoreRate: 100 },
  });
  const shop = "bench-online-retail.myshopify.com";
  const now = Date.UTC(2026, 0, 15);
  await devStore.seedOnlineRetail(shop, { shiftTo: now });
  const client = clientFor(devStore.origin, shop, devStore.issueOfflineToken(shop));

  // Baseline: the same two bulk exports, downloaded and parsed, nothing else.
  const exportStarted = Date.now();
  let lines = 0;
  for (const query of [CustomersBulkQuery, OrdersBulkQuery]) {
    const op = await waitForBulkOperation(client, await startBulkQuery(client, query), { intervalMs: 20 });
    if (op.url) for await (const _ of readJsonlLines(op.url)) lines++;
  }
  const exportSeconds = (Date.now() - exportStarted) / 1000;

  const testDb = createTestDb();
  const pointsBefore = devStore.stats(shop).pointsUsed;
  const started = Date.now();
  await runBackfill({
    db: testDb.db,
    shop,
    client,
    writer: shopifyWriter(testDb.db, shop, client),
    now: () => new Date(now),
    pollIntervalMs: 20,
  });
  const seconds = (Date.now() - started) / 1000;
  const stats = devStore.stats(shop);
  const tagged = devStore.shops.get(shop)!.customers.size;
  await testDb.close();
  await devStore.close();
  return {
    customers: tagged,
    lines,
    exportSeconds,
    seconds,
    points: stats.pointsUsed - pointsBefore,
    throttled: stats.throttled,
  };
}

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  const alias = await aliasedWrites(quick ? 400 : 600);
  const backfill = await onlineRetailBackfill();
  return {
    title: "Tag writes under Shopify's rate limit",
    markdown: `
Dev store bucket: 2,000 points, restoring 100 points/s (Shopify's standard plan).

**Aliased tagsAdd/tagsRemove** (${alias.customers} generated customers, one change each, bulk path disabled):

| figure | value |
|---|---|
| customers written | ${alias.ok} of ${alias.customers} |
| elapsed | ${alias.seconds.toFixed(1)} s (floor at 100 points/s after the full bucket: ${alias.floorSeconds.toFixed(1)} s) |
| points used / points available in that time | ${alias.points} / ${Math.round(2000 + 100 * alias.seconds)} = **${(alias.utilisation * 100).toFixed(1)}%** |
| THROTTLED responses | **${alias.throttled}** |
| writes per second | ${(alias.ok / alias.seconds).toFixed(1)} |
| cost per changed customer | ${(alias.points / alias.ok).toFixed(1)} points |

**Online Retail store, install to every customer tagged** (${backfill.customers} customers; large batches go through one bulk mutation per direction, which does not draw on the bucket):

| figure | value |
|---|---|
| backfill: export + import + classify + tag + segments | ${backfill.seconds.toFixed(1)} s |
| baseline: the same two bulk exports only (${backfill.lines} JSONL lines) | ${backfill.exportSeconds.toFixed(1)} s |
| ratio | ${(backfill.seconds / backfill.exportSeconds).toFixed(1)}× |
| Admin API points used by the backfill | ${backfill.points} |
| THROTTLED responses | ${backfill.throttled} |
`,
    goals: [
      {
        name: "tags",
        figure: `${(alias.utilisation * 100).toFixed(1)}% of the rate-limit budget, ${alias.throttled} THROTTLED, ${alias.ok} of ${alias.customers} written`,
        ratio: `${alias.seconds.toFixed(1)} s against a floor of ${alias.floorSeconds.toFixed(1)} s at the restore rate`,
        goal: `≥ ${UTILISATION_GOAL * 100}%, 0 THROTTLED, every customer written`,
        met: alias.utilisation >= UTILISATION_GOAL && alias.throttled === 0 && alias.ok === alias.customers,
      },
      {
        name: "tags backfill",
        figure: `${backfill.seconds.toFixed(1)} s for the Online Retail store (${backfill.customers} customers), ${backfill.throttled} THROTTLED`,
        ratio: `${(backfill.seconds / backfill.exportSeconds).toFixed(1)}× the bare bulk export`,
        goal: "0 THROTTLED",
        met: backfill.throttled === 0,
      },
    ],
  };
}
