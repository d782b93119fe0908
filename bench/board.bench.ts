/**
 * The stage board's loader at a million customers: a temp SQLite file migrated with prisma/migrations, filled with
 * 1,000,000 customers (a realistic stage mix), their orders, StageCount rows and 2,000 campaigns, then
 * - loadBoard (the board loader's model function) as served: its conversions read from the StageConversion rows
 *   that storeShopConversions wrote, median of runs, next to a bare `SELECT count(*) FROM "Customer"` through the
 *   same Prisma client in the same run (interleaved);
 * - the customers page (first page and a deep keyset page) and the query plans they use;
 * - measuring and storing the conversions themselves (storeShopConversions: the daily job's and the import's share
 *   of the work, off the request path).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { loadBoard, storeShopConversions } from "../app/board/board.server";
import { listCustomers } from "../app/models/customer-list.server";
import { type BenchOptions, type BenchResult } from "./support/goals";

const ROOT = path.resolve(import.meta.dirname, "..");
const SHOP = "bench-board.myshopify.com";
/** The board's budget per load, whatever the shop's size (it never scans customers or orders). */
const BOARD_BUDGET_MS = 100;
const CAMPAIGNS = 2_000;
const RUNS = 31;
const DAY = 86_400_000;
const NOW = new Date("2026-11-23T12:00:00Z");

/** The format Prisma's SQLite adapter writes DateTime values in. */
const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIX: Array<[string, number, number, number]> = [
  // stage, share, min orders, max orders
  ["visitor", 0.4, 0, 0],
  ["enquirer", 0.15, 0, 0],
  ["first-time-buyer", 0.2, 1, 1],
  ["repeat-buyer", 0.06, 2, 3],
  ["regular-buyer", 0.02, 3, 6],
  ["lapsed", 0.16, 1, 4],
  ["returned", 0.01, 2, 4],
];

function fill(file: string, customers: number): { orders: number; seconds: number } {
  const started = Date.now();
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  for (const dir of fs
    .readdirSync(path.join(ROOT, "prisma/migrations"))
    .filter((d) => /^\d/.test(d))
    .sort()) {
    db.exec(fs.readFileSync(path.join(ROOT, "prisma/migrations", dir, "migration.sql"), "utf8"));
  }
  const random = mulberry32(42);
  const insertCustomer = db.prepare(
    `INSERT INTO "Customer" ("shop","gid","emailMarketingState","consentUpdatedAt","stage","winbackTier","qualifyingOrders","lastOrderAt","netSpentMinor","explanation","shopifyCreatedAt")
     VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const insertOrder = db.prepare(
    `INSERT INTO "Order" ("shop","gid","customerGid","createdAt","totalMinor","refundedMinor","cancelled","test","voided","fullyRefunded") VALUES (?,?,?,?,?,0,0,0,0,0)`,
  );
  const counts = new Map<string, { customers: number; net: bigint }>();
  let orders = 0;
  const explanation = JSON.stringify([
    { key: "orders", values: { count: 2 } },
    { key: "lastOrder", values: { days: 40 } },
  ]);
  const cumulative = MIX.map((m, i) => MIX.slice(0, i + 1).reduce((s, x) => s + x[1], 0));
  db.transaction(() => {
    for (let i = 1; i <= customers; i++) {
      const r = random();
      const mix = MIX[cumulative.findIndex((c) => r <= c)] ?? MIX[0];
      const [stage, , min, max] = mix;
      const gid = `gid://shopify/Customer/${7_000_000_000_000 + i}`;
      const n = min + Math.floor(random() * (max - min + 1));
      const created = NOW.getTime() - Math.floor(random() * 1500) * DAY;
      let t = created;
      let net = 0n;
      let last: number | null = null;
      for (let k = 0; k < n; k++) {
        t = Math.min(NOW.getTime() - DAY, t + Math.floor(random() * 200 + 1) * DAY);
        const total = BigInt(1000 + Math.floor(random() * 20000));
        net += total;
        last = t;
        insertOrder.run(SHOP, `gid://shopify/Order/${++orders}`, gid, iso(t), total);
      }
      const subscribed = stage === "enquirer" || random() < 0.3;
      insertCustomer.run(
        SHOP,
        gid,
        subscribed ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
        subscribed ? iso(created + Math.floor(random() * 30) * DAY) : null,
        stage,
        stage === "lapsed" ? [90, 180, 360][Math.floor(random() * 3)] : null,
        n,
        last == null ? null : iso(last),
        net,
        n > 0 ? explanation : null,
        iso(created),
      );
      const c = counts.get(stage) ?? { customers: 0, net: 0n };
      c.customers++;
      c.net += net;
      counts.set(stage, c);
    }
    const insertCount = db.prepare(
      `INSERT INTO "StageCount" ("shop","stage","customers","netSpentMinor") VALUES (?,?,?,?)`,
    );
    for (const [stage, c] of counts) insertCount.run(SHOP, stage, c.customers, c.net);
    const insertCampaign = db.prepare(
      `INSERT INTO "Campaign" ("shop","source","externalId","name","stage","stageOneKind","channel","status","tactic","startsAt","endsAt","stageOverridden","refreshedAt")
       VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?)`,
    );
    for (let i = 0; i < CAMPAIGNS; i++) {
      const stage = 1 + (i % 4); // Stage 5 stays empty
      const start = NOW.getTime() - Math.floor(random() * 700) * DAY;
      const end = random() < 0.2 ? null : start + Math.floor(random() * 120) * DAY;
      insertCampaign.run(
        SHOP,
        "marketing_activity",
        `gid://shopify/MarketingActivity/${i}`,
        `Campaign ${i}`,
        stage,
        stage === 1 ? "get-found" : null,
        "EMAIL",
        "ACTIVE",
        "NEWSLETTER",
        iso(start),
        end == null ? null : iso(end),
        iso(NOW.getTime()),
      );
    }
    db.prepare(`INSERT INTO "Shop" ("domain","currencyCode","monthlySessions","updatedAt") VALUES (?,?,?,?)`).run(
      SHOP,
      "EUR",
      250_000,
      iso(NOW.getTime()),
    );
    db.prepare(
      `INSERT INTO "SyncRun" ("shop","kind","phase","linesDone","linesTotal","startedAt","updatedAt","finishedAt") VALUES (?,?,?,?,?,?,?,?)`,
    ).run(SHOP, "backfill", "done", orders, orders, iso(NOW.getTime() - DAY), iso(NOW.getTime()), iso(NOW.getTime()));
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return { orders, seconds: (Date.now() - started) / 1000 };
}

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  const customers = quick ? 100_000 : 1_000_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "board-bench-"));
  const file = path.join(dir, "board.sqlite");
  try {
    const filled = fill(file, customers);
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file }) });
    try {
      // What the daily job and the end of an import do: measure and store the StageConversion rows.
      const storeTimes = await timeRuns(3, () => storeShopConversions(prisma, SHOP, NOW));
      const storedRows = await prisma.stageConversion.count({ where: { shop: SHOP } });
      if (storedRows !== 4) throw new Error(`expected 4 StageConversion rows, found ${storedRows}`);

      await timeRuns(3, () => prisma.$queryRawUnsafe(`SELECT count(*) AS n FROM "Customer"`)); // warm-up
      await timeRuns(3, () => loadBoard(prisma, SHOP, NOW));
      const countTimes: number[] = [];
      const boardTimes: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        countTimes.push(...(await timeRuns(1, () => prisma.$queryRawUnsafe(`SELECT count(*) AS n FROM "Customer"`))));
        boardTimes.push(...(await timeRuns(1, () => loadBoard(prisma, SHOP, NOW))));
      }
      const board = await loadBoard(prisma, SHOP, NOW);
      // The board read the stored rows (a measure on the request would carry the request's instant, not NOW's rows).
      if (
        board.conversionsMeasuredAt !== NOW.toISOString() ||
        board.stages.some((s) => s.conversion.unmeasured === "measuring")
      ) {
        throw new Error(`the board did not read the stored conversions (measured at ${board.conversionsMeasuredAt})`);
      }

      const firstPage = await timeRuns(RUNS, () => listCustomers(prisma, SHOP, { stage: "lapsed", now: NOW }));
      const deepId = (await prisma.customer.findFirst({
        where: { shop: SHOP, stage: "lapsed" },
        orderBy: { id: "desc" },
        skip: 500,
        select: { id: true },
      }))!.id;
      const deepPage = await timeRuns(RUNS, () =>
        listCustomers(prisma, SHOP, { stage: "lapsed", after: { stage: "lapsed", id: deepId }, now: NOW }),
      );
      const allPage = await timeRuns(RUNS, () =>
        listCustomers(prisma, SHOP, {
          stage: "all",
          after: { stage: "first-time-buyer", id: Math.floor(customers / 2) },
          now: NOW,
        }),
      );

      const raw = new Database(file, { readonly: true });
      const plan = (sql: string, ...params: unknown[]) =>
        (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join("; ");
      const plans = {
        stageCount: plan(`SELECT * FROM "StageCount" WHERE "shop" = ?`, SHOP),
        campaigns: plan(
          `SELECT * FROM "Campaign" WHERE "shop" = ? AND "stage" IN (1,2,3,4,5) AND ("endsAt" IS NULL OR "endsAt" > ?) AND ("startsAt" IS NULL OR "startsAt" <= ?)`,
          SHOP,
          iso(NOW.getTime()),
          iso(NOW.getTime()),
        ),
        syncRun: plan(`SELECT * FROM "SyncRun" WHERE "shop" = ? ORDER BY "startedAt" DESC LIMIT 1`, SHOP),
        stagePage: plan(
          `SELECT "id" FROM "Customer" WHERE "shop" = ? AND "stage" = ? AND "deletedAt" IS NULL AND "id" > ? ORDER BY "id" ASC LIMIT 51`,
          SHOP,
          "lapsed",
          0,
        ),
        stageConversion: plan(`SELECT * FROM "StageConversion" WHERE "shop" = ?`, SHOP),
      };
      raw.close();

      const active = board.stages.map((s) => `${s.number}: ${s.campaigns.length}`).join(", ");
      const conv = board.stages
        .slice(1)
        .map(
          (s) => `${s.number}: ${s.conversion.estimate?.converted ?? "–"}/${s.conversion.estimate?.customers ?? "–"}`,
        )
        .join(", ");
      return {
        title: `Stage board loader at ${customers.toLocaleString("en")} customers (SQLite)`,
        markdown: `
Temp SQLite file migrated with \`prisma/migrations\`, filled with ${customers.toLocaleString("en")} customers, ${filled.orders.toLocaleString("en")} orders,
StageCount rows and ${CAMPAIGNS.toLocaleString("en")} campaigns (fill: ${filled.seconds.toFixed(0)} s). ${RUNS} runs, interleaved, same Prisma client.

| what | median | p95 |
|---|---|---|
| bare \`SELECT count(*) FROM "Customer"\` (baseline) | ${ms(median(countTimes))} | ${ms(p95(countTimes))} |
| **\`loadBoard\`** as served (board loader's model function; conversions read from StageConversion) | **${ms(median(boardTimes))}** | ${ms(p95(boardTimes))} |
| customers page, one stage, first page | ${ms(median(firstPage))} | ${ms(p95(firstPage))} |
| customers page, one stage, deep keyset page | ${ms(median(deepPage))} | ${ms(p95(deepPage))} |
| customers page, all stages, from the middle | ${ms(median(allPage))} | ${ms(p95(allPage))} |
| \`storeShopConversions\`: measuring over Order + Customer and upserting 4 rows (daily job / end of import, off the request path; 3 runs) | ${ms(median(storeTimes))} | — |

Budget: \`loadBoard\` ≤ ${BOARD_BUDGET_MS} ms — ${median(boardTimes) <= BOARD_BUDGET_MS ? "met" : "**not met**"} (${(median(boardTimes) / median(countTimes)).toFixed(2)}× the bare count).
The board reads StageCount (7 rows), the shop row, active campaigns through (shop, stage), the latest SyncRun through
(shop, startedAt), the queued job by its unique key and the shop's 4 StageConversion rows through their (shop, stage)
key; it never scans Customer or Order.

Board as loaded: active campaigns per stage ${active}; empty stages ${JSON.stringify(board.emptyStages)};
conversions (converted/base) ${conv}; weakest stage ${board.weakest ? `${board.weakest.assessment.stage} (${((board.weakest.assessment.rate ?? 0) * 100).toFixed(1)}%, ${board.weakest.assessment.verdict}, ${board.weakest.certainty})` : "none"}.

Query plans:
- StageCount: \`${plans.stageCount}\`
- active campaigns: \`${plans.campaigns}\`
- latest SyncRun: \`${plans.syncRun}\`
- customers page (one seek per stage, also for "all stages"): \`${plans.stagePage}\`
- stored conversions: \`${plans.stageConversion}\`
`,
        goals: [
          {
            name: "board",
            figure: `loadBoard ${ms(median(boardTimes))} median at ${customers.toLocaleString("en")} customers`,
            ratio: `${(median(boardTimes) / median(countTimes)).toFixed(2)}× a bare count(*) of the customers`,
            goal: `≤ ${BOARD_BUDGET_MS} ms`,
            met: median(boardTimes) <= BOARD_BUDGET_MS,
          },
        ],
      };
    } finally {
      await prisma.$disconnect();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
