/**
 * Backfill of a generated store (100,000 customers, 500,000 orders) from bulk-operation JSONL: rows/s and peak
 * RSS of the app's import, next to the same rows inserted raw in the same run (better-sqlite3 prepared statements;
 * on PostgreSQL, pg multi-row INSERTs). Each side runs in a process of its own so that its peak RSS is its own;
 * the dev store runs in a third.
 *
 * `npm run bench -- backfill [--quick]` (quick: 20,000 customers, 100,000 orders). Goal: ≥ 1/3 of raw, ≤ 300 MB RSS.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { AdminClient } from "../app/shopify/admin-client.server";
import { readJsonlLines, startBulkQuery, waitForBulkOperation } from "../app/shopify/bulk.server";
import { CustomersBulkQuery } from "../app/graphql/CustomersBulkQuery";
import { OrdersBulkQuery } from "../app/graphql/OrdersBulkQuery";
import { customerFromGraphql, orderFromGraphql, type CustomerRow, type OrderRow } from "../app/ingest/facts";
import { createPrismaClient } from "../app/db.server";
import { runBackfill } from "../app/sync/backfill.server";
import { shopifyWriter } from "../app/sync/shopify-writer.server";
import { applyMigrations } from "../tests/support/migrations";
import { postgresAvailable, startPostgres } from "../tests/support/postgres";
import type { BenchOptions, BenchResult } from "./support/goals";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SHOP = "bench-backfill.myshopify.com";
const KEY = "bench-backfill-key";
const SECRET = "bench-backfill-secret";
let CUSTOMERS = 100_000;
let ORDERS = 500_000;
const BATCH = 500;

interface Source {
  origin: string;
  accessToken: string;
}

interface Measured {
  rows: number;
  importSeconds: number;
  classifySeconds?: number;
  totalSeconds: number;
  peakRssMb: number;
}

function clientFor(source: Source): AdminClient {
  return new AdminClient({
    shop: SHOP,
    endpoint: `${source.origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => source.accessToken,
  });
}

// ---------- the two sides, each run in a child process ----------

/** The app: runBackfill as the backfill job runs it (import, classify, tag, segments), phases timed from its log. */
async function appSide(source: Source, url: string): Promise<Measured> {
  const db = createPrismaClient(url);
  const client = clientFor(source);
  const started = performance.now();
  const marks = new Map<string, number>();
  await runBackfill({
    db,
    shop: SHOP,
    client,
    writer: shopifyWriter(db, SHOP, client),
    now: () => new Date(),
    pollIntervalMs: 50,
    log: (message) => {
      for (const mark of ["customers imported", "orders imported", "customers classified"])
        if (message.includes(mark)) marks.set(mark, performance.now());
    },
  });
  const done = performance.now();
  const rows = (await db.customer.count({ where: { shop: SHOP } })) + (await db.order.count({ where: { shop: SHOP } }));
  await db.$disconnect();
  const imported = marks.get("orders imported") ?? done;
  return {
    rows,
    importSeconds: (imported - started) / 1000,
    classifySeconds: ((marks.get("customers classified") ?? done) - imported) / 1000,
    totalSeconds: (done - started) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** The baseline: the same bulk exports, downloaded, parsed, mapped, and inserted with the driver directly. */
async function rawSide(source: Source, url: string): Promise<Measured> {
  const client = clientFor(source);
  const insert = url.startsWith("file:") ? sqliteInserter(url.slice(5)) : await postgresInserter(url);
  const started = performance.now();
  let rows = 0;
  for (const [query, toRow, table] of [
    [CustomersBulkQuery, (n: unknown) => customerFromGraphql(n as never), "Customer"],
    [OrdersBulkQuery, (n: unknown) => orderFromGraphql(n as never), "Order"],
  ] as const) {
    const op = await waitForBulkOperation(client, await startBulkQuery(client, query), { intervalMs: 50 });
    let batch: Array<CustomerRow | OrderRow> = [];
    for await (const { value } of readJsonlLines(op.url!)) {
      batch.push(toRow(value));
      if (batch.length === BATCH) {
        await insert(table, batch);
        rows += batch.length;
        batch = [];
      }
    }
    await insert(table, batch);
    rows += batch.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return { rows, importSeconds: seconds, totalSeconds: seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

type Insert = (table: "Customer" | "Order", rows: Array<CustomerRow | OrderRow>) => Promise<void>;

const bool = (b: boolean) => (b ? 1 : 0);
const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);

function sqliteInserter(file: string): Insert {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const customer = db.prepare(
    `INSERT INTO "Customer" ("shop","gid","shopifyCreatedAt","shopifyUpdatedAt","emailMarketingState","consentUpdatedAt","tags") VALUES (?,?,?,?,?,?,?)`,
  );
  const order = db.prepare(
    `INSERT INTO "Order" ("shop","gid","customerGid","createdAt","totalMinor","refundedMinor","currencyCode","cancelled","test","voided","fullyRefunded","shopifyUpdatedAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const write = db.transaction((table: "Customer" | "Order", rows: Array<CustomerRow | OrderRow>) => {
    for (const r of rows) {
      if (table === "Customer") {
        const c = r as CustomerRow;
        customer.run(
          SHOP,
          c.gid,
          ms(c.shopifyCreatedAt),
          ms(c.shopifyUpdatedAt),
          c.emailMarketingState ?? "NOT_SUBSCRIBED",
          ms(c.consentUpdatedAt),
          JSON.stringify(c.tags ?? []),
        );
      } else {
        const o = r as OrderRow;
        order.run(
          SHOP,
          o.gid,
          o.customerGid,
          ms(o.createdAt),
          o.totalMinor,
          o.refundedMinor,
          o.currencyCode,
          bool(o.cancelled),
          bool(o.test),
          bool(o.voided),
          bool(o.fullyRefunded),
          ms(o.shopifyUpdatedAt),
        );
      }
    }
  });
  return async (table, rows) => write(table, rows);
}

async function postgresInserter(url: string): Promise<Insert> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return async (table, rows) => {
    if (rows.length === 0) return;
    const values: unknown[] = [];
    const tuples = rows.map((r) => {
      const row =
        table === "Customer"
          ? (({
              gid,
              shopifyCreatedAt,
              shopifyUpdatedAt,
              emailMarketingState,
              consentUpdatedAt,
              tags,
            }: CustomerRow) => [
              SHOP,
              gid,
              shopifyCreatedAt,
              shopifyUpdatedAt,
              emailMarketingState ?? "NOT_SUBSCRIBED",
              consentUpdatedAt ?? null,
              JSON.stringify(tags ?? []),
            ])(r as CustomerRow)
          : (({
              gid,
              customerGid,
              createdAt,
              totalMinor,
              refundedMinor,
              currencyCode,
              cancelled,
              test,
              voided,
              fullyRefunded,
              shopifyUpdatedAt,
            }: OrderRow) => [
              SHOP,
              gid,
              customerGid,
              createdAt,
              totalMinor.toString(),
              refundedMinor.toString(),
              currencyCode,
              cancelled,
              test,
              voided,
              fullyRefunded,
              shopifyUpdatedAt,
            ])(r as OrderRow);
      const start = values.length;
      values.push(...row);
      return `(${row.map((_, i) => `$${start + i + 1}`).join(",")})`;
    });
    const columns =
      table === "Customer"
        ? `"shop","gid","shopifyCreatedAt","shopifyUpdatedAt","emailMarketingState","consentUpdatedAt","tags"`
        : `"shop","gid","customerGid","createdAt","totalMinor","refundedMinor","currencyCode","cancelled","test","voided","fullyRefunded","shopifyUpdatedAt"`;
    await client.query(`INSERT INTO "${table}" (${columns}) VALUES ${tuples.join(",")}`, values);
  };
}

// ---------- orchestration ----------

function spawnJsonLine(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ value: unknown; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ value: JSON.parse(line), child });
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code} before answering`)));
  });
}

/**
 * The sides run as one bundled file on plain node, as the app runs from its build in production (under tsx the
 * loader and the untranspiled sources would add some 50 MB to every RSS figure).
 */
async function bundleChild(): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = path.join(ROOT, "bench/tmp/backfill.child.mjs");
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    target: "node20",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

/** The heap limit a worker is deployed with (DEPLOYMENT.md, "Memory"); both sides get it. */
const HEAP_FLAG = `--max-old-space-size=${process.env.BENCH_BACKFILL_HEAP_MB ?? 160}`;

async function side(kind: "app" | "raw", child: string, source: Source, url: string): Promise<Measured> {
  const { value, child: process_ } = await spawnJsonLine(
    [HEAP_FLAG, child, "--child", kind, JSON.stringify(source), url],
    {
      ...process.env,
      SHOPIFY_API_KEY: KEY,
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "http://127.0.0.1:1",
    },
  );
  await new Promise((resolve) => (process_.exitCode !== null ? resolve(null) : process_.once("exit", resolve)));
  return value as Measured;
}

interface Pair {
  database: string;
  app: Measured;
  raw: Measured;
}

async function pair(database: string, child: string, source: Source, freshUrl: () => Promise<string>): Promise<Pair> {
  const raw = await side("raw", child, source, await freshUrl());
  const app = await side("app", child, source, await freshUrl());
  return { database, app, raw };
}

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  CUSTOMERS = quick ? 20_000 : 100_000;
  ORDERS = 5 * CUSTOMERS;
  const child = await bundleChild();
  const { value, child: devStore } = await spawnJsonLine([
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
    `generated:${CUSTOMERS}:${ORDERS}`,
    // Tag writes of a first import go through bulk mutations; the bucket is opened so the rest does not wait on it.
    "--bucket",
    "1000000:100000",
  ]);
  const source = value as Source;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-backfill-"));
  const pairs: Pair[] = [];
  const cluster = postgresAvailable() ? await startPostgres() : null;
  try {
    let n = 0;
    pairs.push(
      await pair("SQLite", child, source, async () => {
        const file = path.join(dir, `db-${++n}.sqlite`);
        applyMigrations(file);
        return `file:${file}`;
      }),
    );
    if (cluster)
      pairs.push(
        await pair("PostgreSQL", child, source, () => cluster.createMigratedDatabase(`bench_backfill_${++n}`)),
      );
  } finally {
    devStore.kill("SIGTERM");
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const rate = (m: Measured) => m.rows / m.importSeconds;
  const lines = pairs.flatMap((p) => [
    `| ${p.database}: app backfill, import phases | ${p.app.rows.toLocaleString("en")} | ${p.app.importSeconds.toFixed(1)} | **${rate(p.app).toFixed(0)}** | **${p.app.peakRssMb.toFixed(0)}** | **${((rate(p.app) / rate(p.raw)) * 100).toFixed(0)}%** of raw |`,
    `| ${p.database}: raw driver inserts, same rows | ${p.raw.rows.toLocaleString("en")} | ${p.raw.importSeconds.toFixed(1)} | ${rate(p.raw).toFixed(0)} | ${p.raw.peakRssMb.toFixed(0)} | baseline |`,
  ]);
  const whole = pairs.map(
    (p) =>
      `| ${p.database} | ${p.app.importSeconds.toFixed(1)} s | ${p.app.classifySeconds!.toFixed(1)} s | ${p.app.totalSeconds.toFixed(1)} s |`,
  );
  const goals = pairs.map((p) => ({
    name: `backfill ${p.database}`,
    figure: `${rate(p.app).toFixed(0)} rows/s, peak RSS ${p.app.peakRssMb.toFixed(0)} MB`,
    ratio: `${(rate(p.app) / rate(p.raw)).toFixed(2)}× raw driver inserts after the same export`,
    goal: "≥ 0.33×, ≤ 300 MB",
    met: rate(p.app) / rate(p.raw) >= 1 / 3 && p.app.peakRssMb <= 300,
  }));
  return {
    title: "Backfill from bulk JSONL (100k customers, 500k orders)",
    markdown: `
A generated store of ${CUSTOMERS.toLocaleString("en")} customers and ${ORDERS.toLocaleString("en")} orders in the dev store (its own
process). Both sides start the same two bulk queries, wait for them, stream the JSONL and map each line with the
same functions; the app then upserts through Prisma in set-based batches with checkpoints (\`runBackfill\`), the
baseline inserts with the driver directly (better-sqlite3 prepared statements in one transaction per ${BATCH} rows;
on PostgreSQL, pg multi-row INSERTs of ${BATCH}). Each side runs bundled, on plain node with \`${HEAP_FLAG}\` (the
worker's deployment setting), in a fresh process on an empty database; peak RSS is that process's own (maxRSS).
Goal: ≥ 1/3 of raw speed, ≤ 300 MB RSS.

| | rows | seconds | rows/s | peak RSS MB | |
|---|---|---|---|---|---|
${lines.join("\n")}

The rest of the same app backfill (not in the ratio above): classifying every customer and writing their tags.

| database | import | classify + tag (bulk mutation) | whole backfill incl. segments |
|---|---|---|---|
${whole.join("\n")}
`,
    goals,
  };
}

const childIndex = process.argv.indexOf("--child");
if (childIndex !== -1) {
  const [kind, source, url] = process.argv.slice(childIndex + 1);
  const measured = await (kind === "app" ? appSide : rawSide)(JSON.parse(source) as Source, url);
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  process.exit(0);
}
