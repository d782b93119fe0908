/**
 * Import at the speed of the disk: bulk JSONL files on local disk → facts, as the import job stores them
 * (importBulkResult: stream, parse, map, upsert with the staleness and tombstone guards, a checkpoint per batch),
 * next to the physical limit measured in the same run on the same rows already parsed:
 * - SQLite: better-sqlite3 prepared INSERTs in one transaction;
 * - PostgreSQL: COPY FROM STDIN, and multi-row INSERTs of 1,000 rows; the faster of the two is the baseline.
 * The files are the dev store's own export of a generated shop (100,000 customers, 500,000 orders; --quick: 20,000
 * and 100,000), downloaded before anything is timed. Each side runs bundled in a fresh process on an empty database,
 * three rounds alternating, medians reported; the app's side with the worker's heap limit (DEPLOYMENT.md, Memory).
 *
 * Goal: SQLite ≥ 50,000 rows/s and ≥ 1/3 of raw inserts; PostgreSQL ≥ 1/3 of the faster raw path; peak RSS ≤ 300 MB.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createPrismaClient } from "../app/db.server";
import { customerFromGraphql, orderFromGraphql, type CustomerRow, type OrderRow } from "../app/ingest/facts";
import { importBulkResult } from "../app/sync/backfill.server";
import { applyMigrations } from "../tests/support/migrations";
import { postgresAvailable, startPostgres } from "../tests/support/postgres";
import { count, median, type BenchOptions, type BenchResult, type Goal } from "./support/goals";
import {
  bundle,
  childArguments,
  downloadBulkExports,
  localFileFetch,
  runChild,
  startGeneratedDevStore,
  type ExportedFiles,
} from "./support/processes";

const SHOP = "bench-import.myshopify.com";
const ROUNDS = 3;
const SQLITE_RATE_GOAL = 50_000;
const RATIO_GOAL = 1 / 3;
const RSS_GOAL_MB = 300;
const APP_HEAP_FLAG = "--max-old-space-size=160";

interface Measured {
  rows: number;
  seconds: number;
  peakRssMb: number;
}

const rate = (m: Measured) => m.rows / m.seconds;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

// ---------------------------------------------------------------- the sides (child processes)

/** The app: importBulkResult over both files, as the import job runs it, on a Prisma client of its own. */
async function appSide(files: ExportedFiles, url: string): Promise<Measured> {
  const db = createPrismaClient(url);
  const { id } = await db.syncRun.create({ data: { shop: SHOP, kind: "backfill", phase: "customers" } });
  const started = performance.now();
  await importBulkResult(db, SHOP, "customers", "file:customers", {
    syncRunId: id,
    fetch: localFileFetch(files.customers),
  });
  await importBulkResult(db, SHOP, "orders", "file:orders", { syncRunId: id, fetch: localFileFetch(files.orders) });
  const seconds = (performance.now() - started) / 1000;
  const rows = (await db.customer.count({ where: { shop: SHOP } })) + (await db.order.count({ where: { shop: SHOP } }));
  await db.$disconnect();
  if (rows !== files.lines.customers + files.lines.orders)
    throw new Error(`the app stored ${rows} rows of ${files.lines.customers + files.lines.orders} lines`);
  return { rows, seconds, peakRssMb: peakRssMb() };
}

/** Both files parsed and mapped with the app's own functions, before the clock starts. */
function parsedRows(files: ExportedFiles): { customers: CustomerRow[]; orders: OrderRow[] } {
  const read = (file: string) =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as never);
  return {
    customers: read(files.customers).map(customerFromGraphql),
    orders: read(files.orders).map((n) => orderFromGraphql(n)),
  };
}

/** Text as Prisma stores DateTime on SQLite; PostgreSQL reads the same text as UTC. */
const instant = (d: Date | null | undefined) => (d ? d.toISOString().replace("Z", "+00:00") : null);
const customerTuple = (c: CustomerRow) => [
  SHOP,
  c.gid,
  instant(c.shopifyCreatedAt),
  instant(c.shopifyUpdatedAt),
  c.emailMarketingState ?? "NOT_SUBSCRIBED",
  instant(c.consentUpdatedAt),
  JSON.stringify(c.tags ?? []),
];
const orderTuple = (o: OrderRow) => [
  SHOP,
  o.gid,
  o.customerGid,
  instant(o.createdAt),
  o.totalMinor,
  o.refundedMinor,
  o.currencyCode,
  o.cancelled,
  o.test,
  o.voided,
  o.fullyRefunded,
  instant(o.shopifyUpdatedAt),
];
const CUSTOMER_COLUMNS = `"shop","gid","shopifyCreatedAt","shopifyUpdatedAt","emailMarketingState","consentUpdatedAt","tags"`;
const ORDER_COLUMNS = `"shop","gid","customerGid","createdAt","totalMinor","refundedMinor","currencyCode","cancelled","test","voided","fullyRefunded","shopifyUpdatedAt"`;

/** SQLite's limit: the same rows through better-sqlite3 prepared statements, in one transaction. */
function rawSqlite(files: ExportedFiles, file: string): Measured {
  const { customers, orders } = parsedRows(files);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const customer = db.prepare(`INSERT INTO "Customer" (${CUSTOMER_COLUMNS}) VALUES (?,?,?,?,?,?,?)`);
  const order = db.prepare(`INSERT INTO "Order" (${ORDER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`);
  const bit = (v: unknown) => (typeof v === "boolean" ? (v ? 1 : 0) : v);
  const started = performance.now();
  db.transaction(() => {
    for (const c of customers) customer.run(customerTuple(c));
    for (const o of orders) order.run(orderTuple(o).map(bit));
  })();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { rows: customers.length + orders.length, seconds, peakRssMb: peakRssMb() };
}

/** COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyLine(values: unknown[]): string {
  return (
    values
      .map((v) =>
        v === null || v === undefined
          ? "\\N"
          : typeof v === "boolean"
            ? v
              ? "t"
              : "f"
            : String(v).replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!),
      )
      .join("\t") + "\n"
  );
}

async function copyInto(client: pg.Client, table: string, columns: string, tuples: Iterable<unknown[]>): Promise<void> {
  const stream = client.query(copyFrom(`COPY "${table}" (${columns}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  let chunk = "";
  for (const tuple of tuples) {
    chunk += copyLine(tuple);
    if (chunk.length >= 1 << 20) {
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once("drain", resolve));
      chunk = "";
    }
  }
  stream.end(chunk);
  await done;
}

async function insertInto(client: pg.Client, table: string, columns: string, tuples: unknown[][]): Promise<void> {
  for (let i = 0; i < tuples.length; i += 1000) {
    const slice = tuples.slice(i, i + 1000);
    const values: unknown[] = [];
    const rows = slice.map(
      (tuple) => `(${tuple.map((v) => `$${values.push(typeof v === "bigint" ? v.toString() : v)}`).join(",")})`,
    );
    await client.query(`INSERT INTO "${table}" (${columns}) VALUES ${rows.join(",")}`, values);
  }
}

/** PostgreSQL's limit: the same rows by COPY, or by multi-row INSERTs; one of the two per fresh database. */
async function rawPostgres(files: ExportedFiles, url: string, how: "copy" | "insert"): Promise<Measured> {
  const { customers, orders } = parsedRows(files);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  if (how === "copy") {
    await copyInto(client, "Customer", CUSTOMER_COLUMNS, customers.map(customerTuple));
    await copyInto(client, "Order", ORDER_COLUMNS, orders.map(orderTuple));
  } else {
    await insertInto(client, "Customer", CUSTOMER_COLUMNS, customers.map(customerTuple));
    await insertInto(client, "Order", ORDER_COLUMNS, orders.map(orderTuple));
  }
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return { rows: customers.length + orders.length, seconds, peakRssMb: peakRssMb() };
}

// ---------------------------------------------------------------- orchestration

interface Rounds {
  app: Measured[];
  raw: Record<string, Measured[]>;
}

const medianOf = (ms: Measured[]): Measured => ({
  rows: ms[0].rows,
  seconds: median(ms.map((m) => m.seconds)),
  peakRssMb: Math.max(...ms.map((m) => m.peakRssMb)),
});

async function measure(
  database: "sqlite" | "postgres",
  child: string,
  files: ExportedFiles,
  freshUrl: () => Promise<string>,
): Promise<Rounds> {
  const rounds: Rounds = { app: [], raw: {} };
  const raws = database === "sqlite" ? ["sqlite"] : ["copy", "insert"];
  for (let round = 0; round < ROUNDS; round++) {
    for (const raw of raws) {
      const measured = await runChild<Measured>(child, [], ["raw", raw, JSON.stringify(files), await freshUrl()]);
      (rounds.raw[raw] ??= []).push(measured);
    }
    rounds.app.push(
      await runChild<Measured>(child, [APP_HEAP_FLAG], ["app", "app", JSON.stringify(files), await freshUrl()]),
    );
    console.error(`bench import: ${database} round ${round + 1}: app ${count(rate(rounds.app[round]))} rows/s`);
  }
  return rounds;
}

function report(database: string, rounds: Rounds): { rows: string[]; goal: Goal } {
  const app = medianOf(rounds.app);
  const raws = Object.entries(rounds.raw).map(([name, ms]) => ({ name, m: medianOf(ms) }));
  const best = raws.reduce((a, b) => (rate(b.m) > rate(a.m) ? b : a));
  const ratio = rate(app) / rate(best.m);
  const label: Record<string, string> = {
    sqlite: "better-sqlite3 prepared INSERTs, one transaction",
    copy: "pg COPY FROM STDIN",
    insert: "pg multi-row INSERTs of 1,000",
  };
  const runs = (ms: Measured[]) => ms.map((m) => count(rate(m))).join(", ");
  const rows = [
    `| ${database}: **app import** (importBulkResult, from the JSONL files) | ${count(app.rows)} | ${app.seconds.toFixed(2)} | **${count(rate(app))}** | ${runs(rounds.app)} | **${app.peakRssMb.toFixed(0)}** | **${ratio.toFixed(2)}×** ${best.name === "sqlite" ? "raw" : best.name} |`,
    ...raws.map(
      ({ name, m }) =>
        `| ${database}: raw ${label[name]}, rows already parsed | ${count(m.rows)} | ${m.seconds.toFixed(2)} | ${count(rate(m))} | ${runs(rounds.raw[name])} | ${m.peakRssMb.toFixed(0)} | ${name === best.name ? "baseline" : `${(rate(m) / rate(best.m)).toFixed(2)}×`} |`,
    ),
  ];
  const needsRate = database === "SQLite";
  const met = ratio >= RATIO_GOAL && app.peakRssMb <= RSS_GOAL_MB && (!needsRate || rate(app) >= SQLITE_RATE_GOAL);
  return {
    rows,
    goal: {
      name: `import ${database}`,
      figure: `${count(rate(app))} rows/s, peak RSS ${app.peakRssMb.toFixed(0)} MB`,
      ratio: `${ratio.toFixed(2)}× ${label[best.name]}`,
      goal: `${needsRate ? `≥ ${count(SQLITE_RATE_GOAL)} rows/s, ` : ""}≥ 1/3 of raw, ≤ ${RSS_GOAL_MB} MB`,
      met,
    },
  };
}

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  const customers = quick ? 20_000 : 100_000;
  const orders = 5 * customers;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-import-"));
  const child = await bundle(fileURLToPath(import.meta.url), "import");
  const cluster = postgresAvailable() ? await startPostgres() : null;
  try {
    const devStore = await startGeneratedDevStore(SHOP, customers, orders, 4096);
    let files: ExportedFiles;
    try {
      files = await downloadBulkExports(devStore, dir);
    } finally {
      await devStore.stop();
    }
    let n = 0;
    const results = [
      report(
        "SQLite",
        await measure("sqlite", child, files, async () => {
          const file = path.join(dir, `db-${++n}.sqlite`);
          applyMigrations(file);
          return `file:${file}`;
        }),
      ),
    ];
    if (cluster)
      results.push(
        report(
          "PostgreSQL",
          await measure("postgres", child, files, () => cluster.createMigratedDatabase(`bench_import_${++n}`)),
        ),
      );
    const bytes = fs.statSync(files.customers).size + fs.statSync(files.orders).size;
    return {
      title: "Import: bulk JSONL to facts (100k customers, 500k orders)",
      markdown: `
The dev store's bulk export of a generated shop (${count(customers)} customers, ${count(orders)} orders: ${count(files.lines.customers + files.lines.orders)}
JSONL lines, ${(bytes / 2 ** 20).toFixed(0)} MB), downloaded to local files before anything is timed. The app's side runs
\`importBulkResult\` over both files as the import job does (stream; parse and map, on SQLite in the parser thread; guarded upserts, a
SyncRun checkpoint committed with each batch) in a process started with \`${APP_HEAP_FLAG}\` and the worker's
\`MALLOC_ARENA_MAX\`; the raw sides
insert the same rows, parsed and mapped before their clock starts. Every side: a fresh process, an empty migrated
database, ${ROUNDS} rounds alternating, median time and the highest peak RSS (maxRSS of the process).

| side | rows | seconds | rows/s (median) | every round | peak RSS MB | |
|---|---|---|---|---|---|---|
${results.flatMap((r) => r.rows).join("\n")}
`,
      goals: results.map((r) => r.goal),
    };
  } finally {
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const args = childArguments();
if (args) {
  const [side, how, filesJson, url] = args;
  const files = JSON.parse(filesJson) as ExportedFiles;
  const measured =
    side === "app"
      ? await appSide(files, url)
      : how === "sqlite"
        ? rawSqlite(files, url.slice("file:".length))
        : await rawPostgres(files, url, how as "copy" | "insert");
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  process.exit(0);
}
