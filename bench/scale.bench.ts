/**
 * A shop at the scale of the biggest merchants, end to end: 1,000,000 customers and 5,000,000 orders generated in
 * the dev store (its own process), imported by the app's backfill job as it runs in production (bulk exports,
 * import, classification, tag planning, the after-pass, segments), then the daily run with 1% of the customers due.
 * The app runs bundled in a process of its own, with a heap limit, so its peak RSS is its own.
 *
 * The baseline, measured in the same run: the dev store's two bulk exports as the app waited for them (the app
 * cannot store data before its export exists; the dev store stands in for Shopify's servers, whose export speed the
 * app does not set). The goal is on the app's own time: the backfill minus those waits and minus the Shopify-bound
 * tag and Flow writes (bulk mutation upload and wait), which are reported apart.
 *
 * Goal: imported, classified and tag-planned in ≤ 20 minutes of the app's own time, peak RSS of the app ≤ 1 GB, the
 * daily run ≤ 30 s. `--quick`: 100,000 customers and 500,000 orders, the time goals scaled by a tenth (the same
 * rate), RSS the same.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrismaClient } from "../app/db.server";
import { runBackfill } from "../app/sync/backfill.server";
import { runDailyEvaluation } from "../app/sync/daily.server";
import type { ShopifyWriter } from "../app/sync/reconcile.server";
import { shopifyWriter } from "../app/sync/shopify-writer.server";
import { applyMigrations } from "../tests/support/migrations";
import { count, type BenchOptions, type BenchResult } from "./support/goals";
import {
  adminClient,
  bundle,
  childArguments,
  runChild,
  startGeneratedDevStore,
  type DevStoreSource,
} from "./support/processes";

const SHOP = "bench-scale.myshopify.com";
/** The generated shop's history ends here (tests/devstore/seed/generated.ts): the import runs as of this day. */
const NOW = new Date(Date.UTC(2026, 0, 1));
const FULL = { customers: 1_000_000, orders: 5_000_000 };
const IMPORT_GOAL_S = 20 * 60;
const DAILY_GOAL_S = 30;
const RSS_GOAL_MB = 1024;
const APP_HEAP_FLAG = "--max-old-space-size=768";
const DUE_SHARE = 0.01;
/** A step of the after-pass in its log line (app/sync/after-pass.server.ts). */
const AFTER_PASS_STEP = /(summaries|recount|conversions|refit|campaigns|analytics) (\d+) ms/g;

interface AppRun {
  /** Seconds from the start of the backfill to each log mark. */
  marks: Record<string, number>;
  /** Seconds per step of the after-pass (recount, conversions, refit, campaigns, analytics), from its log line. */
  afterPass: Record<string, number>;
  backfillSeconds: number;
  /** Of the backfill: time inside the writer (tag writes through bulk mutations, Flow triggers). */
  shopifyWriteSeconds: number;
  daily: {
    seconds: number;
    due: number;
    evaluated: number;
    stageChanges: number;
    asOf: string;
    shopifyWriteSeconds: number;
    /** Reading Shopify's analytics (ShopifyQL), Shopify-bound like the writes. */
    analyticsSeconds: number;
    afterPass: Record<string, number>;
  };
  customers: number;
  orders: number;
  peakRssMb: number;
}

/** The writer with the time spent in each of its (Shopify-bound) calls added up. */
function timed(writer: ShopifyWriter, spent: { seconds: number }): ShopifyWriter {
  return new Proxy(writer, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          spent.seconds += (performance.now() - started) / 1000;
        }
      };
    },
  });
}

// ---------------------------------------------------------------- the app (child process)

async function appSide(source: DevStoreSource, url: string): Promise<AppRun> {
  const db = createPrismaClient(url);
  const client = adminClient(source);
  const marks: Record<string, number> = {};
  const afterPass: Record<string, number> = {};
  const started = performance.now();
  const backfillWrites = { seconds: 0 };
  await runBackfill({
    db,
    shop: SHOP,
    client,
    writer: timed(shopifyWriter(db, SHOP, client), backfillWrites),
    now: () => NOW,
    pollIntervalMs: 250,
    log: (message) => {
      const mark =
        /: (customers export ready|customers imported|orders export ready|orders imported|\d+ customers classified|after-pass)/.exec(
          message,
        )?.[1];
      if (mark) marks[mark.replace(/^\d+ /, "")] = (performance.now() - started) / 1000;
      for (const [, step, ms] of message.matchAll(AFTER_PASS_STEP)) afterPass[step] = Number(ms) / 1000;
      console.error(`bench scale: ${message}`);
    },
  });
  const backfillSeconds = (performance.now() - started) / 1000;

  // The day on which 1% of the customers have passed their next transition: the daily run's usual share.
  const customers = await db.customer.count({ where: { shop: SHOP } });
  const [{ at }] = await db.customer
    .findMany({
      where: { shop: SHOP, nextTransitionAt: { not: null } },
      orderBy: { nextTransitionAt: "asc" },
      skip: Math.max(0, Math.round(customers * DUE_SHARE) - 1),
      take: 1,
      select: { nextTransitionAt: true },
    })
    .then((rows) => rows.map((r) => ({ at: r.nextTransitionAt! })));
  const due = await db.customer.count({ where: { shop: SHOP, nextTransitionAt: { lte: at } } });
  const dailyWrites = { seconds: 0 };
  const dailyStarted = performance.now();
  const dailyAfterPass: Record<string, number> = {};
  const summary = await runDailyEvaluation(db, SHOP, at, timed(shopifyWriter(db, SHOP, client), dailyWrites), {
    analytics: client,
    log: (message) => {
      for (const [, step, ms] of message.matchAll(AFTER_PASS_STEP)) dailyAfterPass[step] = Number(ms) / 1000;
    },
  });
  const dailySeconds = (performance.now() - dailyStarted) / 1000;
  const orders = await db.order.count({ where: { shop: SHOP } });
  await db.$disconnect();
  return {
    marks,
    afterPass,
    backfillSeconds,
    shopifyWriteSeconds: backfillWrites.seconds,
    daily: {
      seconds: dailySeconds,
      due,
      evaluated: summary.evaluated,
      stageChanges: summary.stageChanges,
      asOf: at.toISOString(),
      shopifyWriteSeconds: dailyWrites.seconds,
      analyticsSeconds: dailyAfterPass.analytics ?? 0,
      afterPass: dailyAfterPass,
    },
    customers,
    orders,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

// ---------------------------------------------------------------- orchestration

const s = (seconds: number) => `${seconds.toFixed(1)} s`;

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  const scale = quick ? 0.1 : 1;
  const customers = FULL.customers * scale;
  const orders = FULL.orders * scale;
  const child = await bundle(fileURLToPath(import.meta.url), "scale");
  const seedStarted = performance.now();
  const devStore = await startGeneratedDevStore(SHOP, customers, orders, quick ? 2048 : 12288);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-db-"));
  let app: AppRun;
  let devStoreRssMb = 0;
  try {
    const file = path.join(dbDir, "app.sqlite");
    applyMigrations(file);
    app = await runChild<AppRun>(
      child,
      [APP_HEAP_FLAG],
      [
        "app",
        JSON.stringify({ origin: devStore.origin, accessToken: devStore.accessToken, shop: SHOP }),
        `file:${file}`,
      ],
    );
  } finally {
    devStoreRssMb = devStore.peakRssMb();
    await devStore.stop();
    fs.rmSync(dbDir, { recursive: true, force: true });
  }

  const m = app.marks;
  const customersExport = m["customers export ready"];
  const ordersExport = m["orders export ready"] - m["customers imported"];
  const exportWait = customersExport + ordersExport;
  const importRows = app.customers + app.orders;
  const importOwn = m["orders imported"] - exportWait;
  const classify = m["customers classified"] - m["orders imported"];
  const afterPass = m["after-pass"] - m["customers classified"];
  // Shopify-bound, reported apart: the tag and Flow writes, and the after-pass's read of Shopify's analytics.
  const analyticsRead = app.afterPass.analytics ?? 0;
  const own = app.backfillSeconds - exportWait - app.shopifyWriteSeconds - analyticsRead;
  const dailyOwn = app.daily.seconds - app.daily.shopifyWriteSeconds - app.daily.analyticsSeconds;
  const importGoal = IMPORT_GOAL_S * scale;
  const dailyGoal = DAILY_GOAL_S * scale;
  const stepsOf = (timings: Record<string, number>) =>
    ["recount", "conversions", "refit", "campaigns", "analytics"]
      .map((step) => `${step} ${s(timings[step] ?? NaN)}`)
      .join(", ");
  const steps = stepsOf(app.afterPass);
  return {
    title: "A 1M-customer shop end to end (1,000,000 customers, 5,000,000 orders, SQLite)",
    markdown: `
The dev store generated ${count(customers)} customers and ${count(orders)} orders (${s(seedSeconds)}, its peak RSS
${devStoreRssMb.toFixed(0)} MB). The app ran the backfill job's \`runBackfill\` against it, bundled on plain node with
\`${APP_HEAP_FLAG}\` in a process of its own on an empty SQLite database, as of ${NOW.toISOString().slice(0, 10)}, then
the daily run on the day ${count(app.daily.due)} customers (${((100 * app.daily.due) / app.customers).toFixed(1)}%) were due.
Load average when the run ended: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(", ")} on ${os.cpus().length} cores.

| phase of the backfill | seconds | |
|---|---|---|
| customers export (waiting on the dev store) | ${s(customersExport)} | baseline |
| customers imported | ${s(m["customers imported"] - customersExport)} | |
| orders export (waiting on the dev store) | ${s(ordersExport)} | baseline |
| orders imported | ${s(m["orders imported"] - m["orders export ready"])} | ${count(importRows / importOwn)} rows/s over both imports |
| classified and tags planned (reconcile; Shopify-bound tag writes included) | ${s(classify)} | |
| after-pass (${steps}) | ${s(afterPass)} | |
| segments | ${s(app.backfillSeconds - m["after-pass"])} | |
| **backfill, wall time** | **${s(app.backfillSeconds)}** | |

| figure | value |
|---|---|
| baseline: the dev store's two exports, as the app waited for them | ${s(exportWait)} |
| Shopify-bound tag and Flow writes (bulk mutation upload and wait) | ${s(app.shopifyWriteSeconds)} |
| Shopify-bound analytics read (ShopifyQL, in the after-pass) | ${s(analyticsRead)} |
| **imported, classified and tag-planned**: the app's own time (backfill minus the exports and the Shopify-bound calls) | **${s(own)}** (goal ≤ ${s(importGoal)}) |
| app peak RSS | **${app.peakRssMb.toFixed(0)} MB** (goal ≤ ${RSS_GOAL_MB} MB) |
| **daily run**, ${count(app.daily.evaluated)} evaluated, ${count(app.daily.stageChanges)} stage changes, as of ${app.daily.asOf.slice(0, 10)}: the app's own time | **${s(dailyOwn)}** (goal ≤ ${s(dailyGoal)}; wall ${s(app.daily.seconds)}, of it Shopify-bound writes ${s(app.daily.shopifyWriteSeconds)} and analytics read ${s(app.daily.analyticsSeconds)}) |
| the daily run's after-pass, by step | ${stepsOf(app.daily.afterPass)} |
`,
    goals: [
      {
        name: "scale import",
        figure: `${s(own)} to import, classify and tag-plan ${count(app.customers)} customers / ${count(app.orders)} orders, peak RSS ${app.peakRssMb.toFixed(0)} MB`,
        ratio: `${(own / exportWait).toFixed(2)}× the dev store's own exports`,
        goal: `≤ ${s(importGoal)}, ≤ ${RSS_GOAL_MB} MB`,
        met: own <= importGoal && app.peakRssMb <= RSS_GOAL_MB && app.customers === customers,
      },
      {
        name: "scale daily",
        figure: `${s(dailyOwn)} of the app's own time with ${count(app.daily.due)} customers due (wall ${s(app.daily.seconds)})`,
        ratio: `${(dailyOwn / own).toFixed(3)}× the import`,
        goal: `≤ ${s(dailyGoal)}`,
        met: dailyOwn <= dailyGoal,
      },
    ],
  };
}

const args = childArguments();
if (args) {
  const [, source, url] = args;
  const measured = await appSide(JSON.parse(source) as DevStoreSource, url);
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  process.exit(0);
}
