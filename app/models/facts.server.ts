import { driverConnection, type Db, type DriverConnection } from "../db.server";
import type BetterSqlite3 from "better-sqlite3";
import type { CustomerRow, OrderRow } from "../domain/facts";
import { cachedSql, type SqlType } from "./sql-values.server";
import { customerValues, instantText as instant, orderValues } from "./row-values";
import { runInTransaction, runStatements, type DriverStatement } from "./driver-statements.server";

/**
 * Rows per JSON statement. Where rows travel as one JSON text parameter that the database unpacks itself (SQLite
 * json_each, PostgreSQL json_array_elements), a bulk import costs one statement per 2,500 rows instead of binding
 * every value through the client; and it goes to the driver directly, since Prisma's own handling of a megabyte
 * parameter costs more than the database's (bench/import.bench.ts).
 */
const ROWS_PER_STATEMENT = 2500;

/** A SyncRun checkpoint written in the same transaction as the rows it counts: a resumed import starts right after them. */
export interface ImportCheckpoint {
  syncRunId: number;
  linesDone: number;
}

export type Column = readonly [name: string, type: SqlType];

/**
 * A table written by guarded upserts of whole rows: each row's values in the order of `columns`, the shop first.
 * Booleans are given as 1/0 and 64-bit integers as decimal text, which both databases store exactly alike whether
 * the value is bound or read from JSON (a JSON number loses precision past 2^53).
 */
export interface UpsertTable {
  table: string;
  /** The column that, with "shop", names a row (the conflict target). */
  key: string;
  /** Every column but "shop", `key` included. */
  columns: readonly Column[];
  /** Assignments made on every update besides the columns' own (SQL text). */
  alsoSet?: string;
  /** Which stored rows an incoming one (`excluded`) may overwrite. */
  guard: string;
}

const newerThanStored = (table: string) =>
  `"${table}"."deletedAt" IS NULL AND ("${table}"."shopifyUpdatedAt" IS NULL OR excluded."shopifyUpdatedAt" IS NULL
    OR excluded."shopifyUpdatedAt" >= "${table}"."shopifyUpdatedAt")`;

const ORDERS: UpsertTable = {
  table: "Order",
  key: "gid",
  columns: [
    ["gid", "text"],
    ["customerGid", "text"],
    ["createdAt", "timestamp(3)"],
    ["totalMinor", "bigint"],
    ["refundedMinor", "bigint"],
    ["currencyCode", "text"],
    ["cancelled", "boolean"],
    ["test", "boolean"],
    ["voided", "boolean"],
    ["fullyRefunded", "boolean"],
    ["shopifyUpdatedAt", "timestamp(3)"],
  ],
  // Never a tombstone, never with an older Shopify updated_at.
  guard: newerThanStored("Order"),
};

const CUSTOMERS: UpsertTable = {
  table: "Customer",
  key: "gid",
  columns: [
    ["gid", "text"],
    ["shopifyCreatedAt", "timestamp(3)"],
    ["shopifyUpdatedAt", "timestamp(3)"],
    ["emailMarketingState", "text"],
    ["consentUpdatedAt", "timestamp(3)"],
    ["tags", "text"],
  ],
  guard: newerThanStored("Customer"),
};

type RowSource = "values" | "json";

/**
 * INSERT … ON CONFLICT DO UPDATE … WHERE guard, written once per table, dialect and row source: one row's bound
 * values (SQLite's driver runs it once per row), or the rows of one JSON text parameter, read as JSONB (parsed once;
 * PostgreSQL's json re-read each row's text for every cell, and the import ran at 27,754 rows/s instead of 36,606).
 * The guard and the updates are the same text for both, so every caller gets the same outcome.
 */
function upsertSql(db: Db, target: UpsertTable, source: RowSource): string {
  return cachedSql(`upsert:${source}:${target.table}`, db, (s) => {
    const names = target.columns.map(([name]) => `"${name}"`).join(", ");
    const updates = target.columns
      .filter(([name]) => name !== target.key)
      .map(([name]) => `"${name}" = excluded."${name}"`)
      .concat(target.alsoSet ?? [])
      .join(", ");
    const rows =
      source === "values"
        ? `VALUES (?, ${target.columns.map(() => "?").join(", ")})`
        : `SELECT ${s.param(1)}, ${target.columns.map(([, type], i) => s.cell(i, type)).join(", ")} FROM ${s.rows(2)} WHERE true`;
    return `INSERT INTO "${target.table}" ("shop", ${names})
    ${rows}
    ON CONFLICT ("shop", "${target.key}") DO UPDATE SET ${updates}
    WHERE ${target.guard}`;
  });
}

/**
 * The statements that upsert these rows (each one's values in column order, at most one row per key): on SQLite's
 * driver one prepared statement run per row, which costs what a plain prepared INSERT costs; elsewhere JSON texts of
 * ROWS_PER_STATEMENT rows. Run them with runStatements, or with a checkpoint in upsertFacts.
 */
export function upsertStatements(
  db: Db,
  driver: DriverConnection | null,
  target: UpsertTable,
  shop: string,
  values: readonly unknown[][],
): DriverStatement[] {
  if (values.length === 0) return [];
  if (driver?.provider === "sqlite") return [{ sql: upsertSql(db, target, "values"), params: [shop], rows: values }];
  const sql = upsertSql(db, target, "json");
  const statements: DriverStatement[] = [];
  for (let i = 0; i < values.length; i += ROWS_PER_STATEMENT)
    statements.push({ sql, params: [shop, JSON.stringify(values.slice(i, i + ROWS_PER_STATEMENT))] });
  return statements;
}

/**
 * One row per key, the one applying them in order would leave: a later row wins unless it is older (by Shopify's
 * updated_at) than the one before it. PostgreSQL refuses a statement that updates the same row twice. Rows are
 * values in the table's column order; instants are text of one fixed width (instantText), so text order is time order.
 */
function lastPerKey(target: UpsertTable, rows: readonly unknown[][]): readonly unknown[][] {
  const updatedAt = target.columns.findIndex(([name]) => name === "shopifyUpdatedAt");
  const kept = new Map<unknown, unknown[]>();
  for (const row of rows) {
    const previous = kept.get(row[0]);
    const [was, is] = [previous?.[updatedAt] as string | null, row[updatedAt] as string | null];
    if (!previous || !was || !is || is >= was) kept.set(row[0], row);
  }
  return kept.size === rows.length ? rows : [...kept.values()];
}

async function upsertFacts(
  db: Db,
  shop: string,
  target: UpsertTable,
  rows: readonly unknown[][],
  checkpoint: ImportCheckpoint | undefined,
  committedWith: readonly DriverStatement[] = [],
): Promise<void> {
  const driver = await driverConnection(db);
  const statements = [...committedWith, ...upsertStatements(db, driver, target, shop, lastPerKey(target, rows))];
  if (driver) {
    if (checkpoint) statements.push(checkpointStatement(driver, checkpoint));
    await runInTransaction(driver, statements);
  } else if (checkpoint) {
    await db.$transaction([
      ...statements.map(({ sql, params }) => db.$executeRawUnsafe(sql, ...params)),
      db.syncRun.update({ where: { id: checkpoint.syncRunId }, data: { linesDone: checkpoint.linesDone } }),
    ]);
  } else {
    await runStatements(db, statements);
  }
}

function checkpointStatement(driver: DriverConnection, checkpoint: ImportCheckpoint): DriverStatement {
  const [a, b, c] = driver.provider === "postgresql" ? ["$1", "$2", "$3"] : ["?", "?", "?"];
  return {
    sql: `UPDATE "SyncRun" SET "linesDone" = ${a}, "updatedAt" = ${b} WHERE "id" = ${c}`,
    params: [checkpoint.linesDone, instant(new Date()), checkpoint.syncRunId],
  };
}

/**
 * WAL pages SQLite may gather during a bulk write (an import, the refit's predictions) before it copies them into the
 * database file (about 100 MB of 4 KiB pages). At SQLite's default of 1,000, nearly every batch's commit was followed
 * by a checkpoint that copied and synced that batch's pages, the index pages it touched included, which the next
 * batch touched again: 0.4 s of a 2.7 s import of 120,000 lines (bench/import.bench.ts). Readers are not held back
 * by a longer WAL.
 */
export const BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES = 25000;

const bulkWritesOnConnection = new WeakMap<BetterSqlite3.Database, { writes: number; pagesBefore: number }>();

/**
 * Runs a bulk write with SQLite's automatic checkpoints spaced BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES apart on the
 * connection it writes through, then puts the usual spacing back and checkpoints what is left (also after a failure,
 * and only once the last of several overlapping bulk writes on that connection ends). Other databases run it as it is.
 */
export async function withBulkWriteCheckpoints<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const driver = await driverConnection(db);
  if (driver?.provider !== "sqlite") return work();
  const { database } = driver;
  let held = bulkWritesOnConnection.get(database);
  if (!held) {
    held = { writes: 0, pagesBefore: Number(database.pragma("wal_autocheckpoint", { simple: true })) };
    bulkWritesOnConnection.set(database, held);
    database.pragma(`wal_autocheckpoint = ${BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES}`);
  }
  held.writes++;
  try {
    return await work();
  } finally {
    if (--held.writes === 0) {
      bulkWritesOnConnection.delete(database);
      if (database.open) {
        database.pragma(`wal_autocheckpoint = ${held.pagesBefore}`);
        // What is still in the WAL is this write's to copy, not the next writer's (PASSIVE: nobody waits for it).
        // Not inside a transaction Prisma holds open on this connection: that one's commit checkpoints instead.
        if (!database.inTransaction) database.pragma("wal_checkpoint(PASSIVE)");
      }
    }
  }
}

/**
 * Inserts or updates orders in set-based statements, the same SQL shape on SQLite and PostgreSQL. A row older than
 * the stored one (by Shopify's updated_at) changes nothing, nor does any row of a tombstoned order, so stale or
 * reordered deliveries converge to the newest state. With a checkpoint, the rows and the import's progress commit
 * together, and with them `committedWith` (run first): one commit per import batch instead of one per table.
 */
export async function upsertOrders(
  db: Db,
  shop: string,
  rows: readonly OrderRow[],
  checkpoint?: ImportCheckpoint,
  committedWith: readonly DriverStatement[] = [],
): Promise<void> {
  await upsertOrderValues(db, shop, rows.map(orderValues), checkpoint, committedWith);
}

/** upsertOrders of rows already as orderValues made them (the import builds them where it parses its lines). */
export async function upsertOrderValues(
  db: Db,
  shop: string,
  rows: readonly unknown[][],
  checkpoint?: ImportCheckpoint,
  committedWith: readonly DriverStatement[] = [],
): Promise<void> {
  await upsertFacts(db, shop, ORDERS, rows, checkpoint, committedWith);
}

/**
 * Inserts or updates customers from a source that carries their whole record (bulk export, Admin API query):
 * consent and tags included. A row older than the stored one (by updated_at) changes nothing.
 */
export async function upsertCustomers(
  db: Db,
  shop: string,
  rows: readonly CustomerRow[],
  checkpoint?: ImportCheckpoint,
): Promise<void> {
  await upsertCustomerValues(db, shop, rows.map(customerValues), checkpoint);
}

/** upsertCustomers of rows already as customerValues made them. */
export async function upsertCustomerValues(
  db: Db,
  shop: string,
  rows: readonly unknown[][],
  checkpoint?: ImportCheckpoint,
): Promise<void> {
  await upsertFacts(db, shop, CUSTOMERS, rows, checkpoint);
}

/** A customer a webhook announced (customers/create, customers/update): the payload no longer carries consent or tags. */
export async function touchCustomer(db: Db, shop: string, row: CustomerRow): Promise<void> {
  await touchCustomers(db, shop, [row]);
}

/** Consent changes carry their own clock (consent_updated_at): an older one than stored is stale. */
export async function updateConsent(
  db: Db,
  shop: string,
  gid: string,
  state: string,
  consentUpdatedAt: Date | null,
): Promise<void> {
  await updateConsents(db, shop, [{ gid, state, consentUpdatedAt }]);
}

/** Tombstones an order; returns the customer it belonged to (to re-classify), if any. */
export async function deleteOrder(db: Db, shop: string, gid: string, at: Date): Promise<string | null> {
  return (await deleteOrders(db, shop, [gid], at)).get(gid) ?? null;
}

/** Tombstones a customer and drops it from the stage counts. */
export async function deleteCustomer(db: Db, shop: string, gid: string, at: Date): Promise<void> {
  const existing = await db.customer.findUnique({ where: { shop_gid: { shop, gid } } });
  await db.$transaction(async (tx) => {
    await tx.customer.upsert({
      where: { shop_gid: { shop, gid } },
      create: { shop, gid, deletedAt: at },
      update: { deletedAt: at },
    });
    if (existing?.stage && !existing.deletedAt) {
      await tx.stageCount.updateMany({
        where: { shop, stage: existing.stage },
        data: { customers: { decrement: 1 }, netSpentMinor: { decrement: existing.netSpentMinor } },
      });
    }
  });
}

/** customers/merge: the deleted customer's orders now belong to the kept one. */
export async function mergeCustomers(
  db: Db,
  shop: string,
  keptGid: string,
  deletedGid: string,
  at: Date,
): Promise<void> {
  await db.order.updateMany({ where: { shop, customerGid: deletedGid }, data: { customerGid: keptGid } });
  await deleteCustomer(db, shop, deletedGid, at);
}

/** touchCustomer for many rows at once: one statement, the rows as one JSON parameter (at most one per customer). */
export async function touchCustomers(db: Db, shop: string, rows: readonly CustomerRow[]): Promise<void> {
  if (rows.length === 0) return;
  const sql = cachedSql(
    "touchCustomers",
    db,
    (s) => `
    INSERT INTO "Customer" ("shop", "gid", "shopifyCreatedAt", "shopifyUpdatedAt")
    SELECT ${s.param(1)}, ${s.cell(0, "text")}, ${s.cell(1, "timestamp(3)")}, ${s.cell(2, "timestamp(3)")} FROM ${s.rows(2)} WHERE true
    ON CONFLICT ("shop", "gid") DO UPDATE SET
      "shopifyCreatedAt" = COALESCE(excluded."shopifyCreatedAt", "Customer"."shopifyCreatedAt"),
      "shopifyUpdatedAt" = excluded."shopifyUpdatedAt"
    WHERE "Customer"."deletedAt" IS NULL AND ("Customer"."shopifyUpdatedAt" IS NULL OR excluded."shopifyUpdatedAt" IS NULL
      OR excluded."shopifyUpdatedAt" >= "Customer"."shopifyUpdatedAt")`,
  );
  await db.$executeRawUnsafe(
    sql,
    shop,
    JSON.stringify(rows.map((r) => [r.gid, instant(r.shopifyCreatedAt), instant(r.shopifyUpdatedAt)])),
  );
}

export interface ConsentRow {
  gid: string;
  state: string;
  consentUpdatedAt: Date | null;
}

/** updateConsent for many customers at once: one statement (at most one row per customer). */
export async function updateConsents(db: Db, shop: string, rows: readonly ConsentRow[]): Promise<void> {
  if (rows.length === 0) return;
  const sql = cachedSql(
    "updateConsents",
    db,
    (s) => `
    INSERT INTO "Customer" ("shop", "gid", "emailMarketingState", "consentUpdatedAt")
    SELECT ${s.param(1)}, ${s.cell(0, "text")}, ${s.cell(1, "text")}, ${s.cell(2, "timestamp(3)")} FROM ${s.rows(2)} WHERE true
    ON CONFLICT ("shop", "gid") DO UPDATE SET
      "emailMarketingState" = excluded."emailMarketingState", "consentUpdatedAt" = excluded."consentUpdatedAt"
    WHERE "Customer"."deletedAt" IS NULL AND ("Customer"."consentUpdatedAt" IS NULL OR excluded."consentUpdatedAt" IS NULL
      OR excluded."consentUpdatedAt" >= "Customer"."consentUpdatedAt")`,
  );
  await db.$executeRawUnsafe(sql, shop, JSON.stringify(rows.map((r) => [r.gid, r.state, instant(r.consentUpdatedAt)])));
}

/** The customer each stored order belongs to (orders that changed hands re-classify both customers). */
export async function orderOwners(db: Db, shop: string, gids: readonly string[]): Promise<Map<string, string>> {
  if (gids.length === 0) return new Map();
  const select = cachedSql(
    "orderOwners",
    db,
    (sql) => `
    SELECT ${sql.aggregate([`"gid"`, `"customerGid"`])} AS rows FROM "Order"
    WHERE "shop" = ${sql.param(1)} AND ${sql.inJson(`"gid"`, 2)} AND "customerGid" IS NOT NULL`,
  );
  const [{ rows }] = await db.$queryRawUnsafe<Array<{ rows: string }>>(select, shop, JSON.stringify(gids));
  return new Map(JSON.parse(rows) as Array<[string, string]>);
}

/** deleteOrder for many orders: tombstones (created where the order was never seen); returns each one's customer. */
export async function deleteOrders(
  db: Db,
  shop: string,
  gids: readonly string[],
  at: Date,
): Promise<Map<string, string>> {
  if (gids.length === 0) return new Map();
  const owners = await orderOwners(db, shop, gids);
  const sql = cachedSql(
    "deleteOrders",
    db,
    (s) => `
    INSERT INTO "Order" ("shop", "gid", "createdAt", "totalMinor", "deletedAt")
    SELECT ${s.param(1)}, ${s.cell(0, "text")}, ${s.cell(1, "timestamp(3)")}, 0, ${s.cell(1, "timestamp(3)")} FROM ${s.rows(2)} WHERE true
    ON CONFLICT ("shop", "gid") DO UPDATE SET "deletedAt" = excluded."deletedAt"`,
  );
  await db.$executeRawUnsafe(sql, shop, JSON.stringify([...new Set(gids)].map((gid) => [gid, instant(at)])));
  return owners;
}
