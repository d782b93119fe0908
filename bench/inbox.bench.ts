/**
 * The inbox: how fast stored webhook deliveries become facts, stages and planned tag edits (processInbox), next to
 * how fast the webhook route accepts them in the same run, on SQLite and PostgreSQL; and how long a backlog of
 * 100,000 deliveries takes to drain. Tag writes to Shopify are not in these figures: they go out afterwards at the
 * shop's own pace (its rate-limit bucket, or bulk mutations), which is the point of taking them off this path.
 *
 * The shop is a generated store in the dev store (its own process, Shopify's standard 2,000/100 bucket), imported by
 * the app's own backfill. The route gets a flash sale: new orders for its customers, posted by autocannon against the
 * production build (bench/ingest.bench.ts's load). Then this process runs processInbox until nothing is due, as the
 * worker does. Goals: ≥ 1,000 deliveries/s on SQLite and ≥ 500/s on PostgreSQL, each ≥ half of what the route
 * accepted; 100,000 deliveries drained in < 2 minutes. `--quick`: a smaller store, rounds and backlog.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import type { PrismaClient } from "@prisma/client";
import { createPrismaClient } from "../app/db.server";
import { AdminClient } from "../app/shopify/admin-client.server";
import { processInbox } from "../app/sync/inbox.server";
import { runBackfill } from "../app/sync/backfill.server";
import { shopifyWriter } from "../app/sync/shopify-writer.server";
import { applyMigrations } from "../tests/support/migrations";
import { postgresAvailable, startPostgres, type PostgresCluster } from "../tests/support/postgres";
import { startWebApp } from "../tests/faults/processes";
import { payloadTemplate, rounds, WARM_UP_REQUESTS, type BodyFor, type Rounds } from "./ingest.bench";
import { count, type BenchOptions, type BenchResult, type Goal } from "./support/goals";

const ROOT = path.resolve(import.meta.dirname, "..");
const SHOP = "bench-ingest.myshopify.com";
const KEY = "bench-ingest-key";
const SECRET = "bench-ingest-secret";
const RATE_GOAL: Record<Kind, number> = { sqlite: 1000, postgres: 500 };
const BACKLOG_GOAL_SECONDS = 120;
const FULL_BACKLOG = 100_000;

type Kind = "sqlite" | "postgres";

interface Sizes {
  customers: number;
  requestsPerRound: number;
  backlog: number;
}

interface DevStoreProcess {
  origin: string;
  token: string;
  child: ChildProcess;
}

/** The dev store in its own process with a generated store, as Shopify is another machine. */
async function startDevStoreProcess(customers: number): Promise<DevStoreProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(ROOT, "tests/devstore/cli.ts"),
      "--api-key",
      KEY,
      "--api-secret",
      SECRET,
      "--shop",
      SHOP,
      "--seed",
      `generated:${customers}:${customers * 5}`,
      "--bucket",
      "2000:100",
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const ready = await new Promise<{ origin: string; accessToken: string }>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line) as { origin: string; accessToken: string });
    });
    child.once("exit", (code) => reject(new Error(`the dev store exited with ${code}`)));
  });
  return { origin: ready.origin, token: ready.accessToken, child };
}

interface Measured {
  kind: Kind;
  route: Rounds;
  flashSale: { deliveries: number; seconds: number; stageChanges: number; tagsPendingAfter: number };
  backlog: { deliveries: number; seconds: number };
  failed: number;
}

/** Runs processInbox until nothing is due, as the worker does; returns the seconds it took. */
async function drain(db: PrismaClient, client: AdminClient): Promise<number> {
  const started = performance.now();
  while ((await processInbox({ db, now: () => new Date(), clientFor: () => client, log: () => undefined })) > 0);
  return (performance.now() - started) / 1000;
}

async function pending(db: PrismaClient): Promise<number> {
  return db.webhookDelivery.count({ where: { processedAt: null } });
}

/** New orders for the shop's own customers, one per request, at the time of the sale. */
function flashSaleBodies(template: string, customerIds: readonly string[], offset: number): BodyFor {
  const templateCustomer = /"admin_graphql_api_id":"gid:\/\/shopify\/Customer\/(\d+)"/.exec(template)![1];
  const withCustomer = (id: string) => template.split(templateCustomer).join(id);
  return (n) =>
    withCustomer(customerIds[(offset + n * 7919) % customerIds.length])
      .split("__ORDER__")
      .join(`8${String(offset + n).padStart(17, "0")}`);
}

/** A backlog written straight into the inbox (the route's work is not what this part measures). */
async function writeBacklog(db: PrismaClient, bodyFor: BodyFor, deliveries: number, prefix: string): Promise<void> {
  for (let start = 0; start < deliveries; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, deliveries - start) }, (_, i) => ({
      shop: SHOP,
      topic: "orders/create",
      eventId: `${prefix}${start + i}`,
      payload: bodyFor(start + i + 1),
      receivedAt: new Date(),
    }));
    await db.webhookDelivery.createMany({ data: rows });
  }
}

async function measure(
  kind: Kind,
  url: string,
  store: DevStoreProcess,
  template: string,
  sizes: Sizes,
): Promise<Measured> {
  const db = createPrismaClient(url);
  const client = new AdminClient({
    shop: SHOP,
    endpoint: `${store.origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => store.token,
  });
  try {
    // Installed and imported: the Shop row, the offline session, the store's history, stages and tags.
    await db.shop.create({ data: { domain: SHOP } });
    await db.session.create({
      data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: store.token },
    });
    await runBackfill({
      db,
      shop: SHOP,
      client,
      writer: shopifyWriter(db, SHOP, client),
      now: () => new Date(),
      pollIntervalMs: 50,
    });
    const customerIds = (await db.customer.findMany({ where: { shop: SHOP }, select: { gid: true } })).map((c) =>
      c.gid.split("/").pop()!,
    );

    const env = { DATABASE_URL: url, SHOPIFY_API_KEY: KEY, SHOPIFY_API_SECRET: SECRET };
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-inbox-log-"));
    const web = await startWebApp(env, { logFile: path.join(logDir, "web.log") });
    let route: Rounds;
    try {
      route = await rounds(web.url, flashSaleBodies(template, customerIds, 0), `${kind}-sale-`, sizes.requestsPerRound);
    } finally {
      await web.stop();
      fs.rmSync(logDir, { recursive: true, force: true });
    }
    const saleDeliveries = await pending(db);
    const changesBefore = await db.stageChange.count({ where: { shop: SHOP } });
    const saleSeconds = await drain(db, client);
    const tagsPendingAfter = await db.customer.count({ where: { shop: SHOP, desiredAppTags: { not: null } } });

    await writeBacklog(db, flashSaleBodies(template, customerIds, 10_000_000), sizes.backlog, `${kind}-backlog-`);
    const backlogSeconds = await drain(db, client);
    return {
      kind,
      route,
      flashSale: {
        deliveries: saleDeliveries,
        seconds: saleSeconds,
        stageChanges: (await db.stageChange.count({ where: { shop: SHOP } })) - changesBefore,
        tagsPendingAfter,
      },
      backlog: { deliveries: sizes.backlog, seconds: backlogSeconds },
      failed: await db.webhookDelivery.count({ where: { OR: [{ attempts: { gt: 0 } }, { processedAt: null }] } }),
    };
  } finally {
    await db.$disconnect();
  }
}

function goalsOf(m: Measured): Goal[] {
  const rate = m.flashSale.deliveries / m.flashSale.seconds;
  const backlogRate = m.backlog.deliveries / m.backlog.seconds;
  const backlogFor100k = FULL_BACKLOG / backlogRate;
  return [
    {
      name: `inbox ${m.kind}`,
      figure: `${count(rate)} deliveries/s applied (facts, stages, planned tags), ${m.failed} failed`,
      ratio: `${(rate / m.route.rate).toFixed(2)}× the ${count(m.route.rate)}/s the route accepted`,
      goal: `≥ ${count(RATE_GOAL[m.kind])}/s and ≥ 0.5×, none failed`,
      met: rate >= RATE_GOAL[m.kind] && rate >= 0.5 * m.route.rate && m.failed === 0,
    },
    {
      name: `inbox backlog ${m.kind}`,
      figure: `${count(m.backlog.deliveries)} deliveries in ${m.backlog.seconds.toFixed(1)} s (${count(backlogRate)}/s)`,
      ratio: `${backlogFor100k.toFixed(0)} s for 100,000 at that rate`,
      goal: `100,000 in < ${BACKLOG_GOAL_SECONDS} s`,
      met: backlogFor100k < BACKLOG_GOAL_SECONDS,
    },
  ];
}

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  const sizes: Sizes = quick
    ? { customers: 2_000, requestsPerRound: 3_000, backlog: 20_000 }
    : { customers: 20_000, requestsPerRound: 20_000, backlog: FULL_BACKLOG };
  const template = await payloadTemplate();
  const store = await startDevStoreProcess(sizes.customers);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-inbox-"));
  const measured: Measured[] = [];
  let cluster: PostgresCluster | null = null;
  try {
    const file = path.join(dir, "inbox.sqlite");
    applyMigrations(file);
    measured.push(await measure("sqlite", `file:${file}`, store, template, sizes));
    if (postgresAvailable()) {
      cluster = await startPostgres();
      // A fresh dev store: the SQLite run's tag writes changed its customers.
      store.child.kill("SIGTERM");
      const fresh = await startDevStoreProcess(sizes.customers);
      Object.assign(store, fresh);
      measured.push(
        await measure("postgres", await cluster.createMigratedDatabase("bench_inbox"), store, template, sizes),
      );
    }
  } finally {
    store.child.kill("SIGTERM");
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const rows = measured.flatMap((m) => [
    `| ${m.kind}: route accepts (orders/create, median of 3 rounds) | ${count(m.route.okTotal)} | | **${count(m.route.rate)}**/s (${m.route.rates.map((r) => count(r)).join(", ")}) | baseline |`,
    `| ${m.kind}: processInbox applies them | ${count(m.flashSale.deliveries)} | ${m.flashSale.seconds.toFixed(1)} | **${count(m.flashSale.deliveries / m.flashSale.seconds)}**/s | **${(m.flashSale.deliveries / m.flashSale.seconds / m.route.rate).toFixed(2)}×** |`,
    `| ${m.kind}: backlog written into the inbox, drained | ${count(m.backlog.deliveries)} | ${m.backlog.seconds.toFixed(1)} | ${count(m.backlog.deliveries / m.backlog.seconds)}/s | |`,
  ]);
  const tagRows = measured.map(
    (m) => `| ${m.kind} | ${count(m.flashSale.stageChanges)} | ${count(m.flashSale.tagsPendingAfter)} |`,
  );
  return {
    title: "Inbox: deliveries applied (facts, stages, planned tags) next to what the route accepts",
    markdown: `
A generated store of ${count(sizes.customers)} customers and ${count(sizes.customers * 5)} orders in the dev store (its own process,
Shopify's standard 2,000-point bucket restoring 100 points/s), imported by the app's backfill. A flash sale: autocannon
posts new orders for those customers to the production build's webhook route (bench/ingest.bench.ts, 3 rounds of
${count(sizes.requestsPerRound)} after ${count(WARM_UP_REQUESTS)} untimed ones, the median round's rate is the baseline; all of them are applied); then processInbox runs in this process until nothing
is due. Applying covers the facts, re-classifying the customers and planning their tag edits; the tag writes
themselves go to Shopify afterwards at the shop's pace and are not in the seconds. Then ${count(sizes.backlog)} more deliveries are
written straight into the inbox and drained the same way. Goals: ≥ 1,000/s (SQLite), ≥ 500/s (PostgreSQL), each
≥ half the route's rate; 100,000 drained in < 2 minutes.

| | deliveries | seconds | rate | vs route |
|---|---|---|---|---|
${rows.join("\n")}

Stage changes the flash sale made, and tag writes still waiting for Shopify's rate limit when the deliveries were
all applied (they go out at the shop's pace afterwards, or in one bulk mutation):

| database | stage changes | tag writes still to send |
|---|---|---|
${tagRows.join("\n")}
`,
    goals: measured.flatMap(goalsOf),
  };
}
