import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import type { ChangeCause, StageChangeEvent } from "../domain/sync";
import type { EmailMarketingState, OrderFacts, OrderSummary } from "../lifecycle";
import { cachedSql, instantText, toDate, toMillis, type JsonSql, type SqlType } from "./sql-values.server";
import { sqlDialect } from "./sql-dialect.server";

export interface StoredCustomer {
  id: number;
  gid: string;
  emailMarketingState: EmailMarketingState;
  tags: string[];
  stage: string | null;
  winbackTier: number | null;
  nextTransitionAt: Date | null;
  explanation: string | null;
  lapseThresholdDays: number | null;
  usesShopThreshold: boolean;
  qualifyingOrders: number;
  lastOrderAt: Date | null;
  netSpentMinor: bigint;
  /** In the top decile of the shop's last value fit (carries `<prefix>high-value` when the shop has it on). */
  highValue: boolean;
  stageSince: Date | null;
  classifiedAt: Date | null;
  /** The newest app tags planned and not yet written (app/domain/tag-plan.ts), or null. */
  desiredAppTags: string | null;
  tagWriteDueAt: Date | null;
  tagWriteAttempts: number;
  summary: StoredOrderSummary;
  orders: OrderFacts[];
}

/** A customer's order summary as stored (app/lifecycle/order-summary.ts); summarizedAt null: none yet. */
export interface StoredOrderSummary {
  summarizedAt: Date | null;
  firstOrderAt: Date | null;
  secondOrderAt: Date | null;
  regularAt: Date | null;
  regularRule: string | null;
  nextOrderAt: Date | null;
  /** JSON array of milliseconds. */
  orderGapsMs: string;
  purchaseDays: number;
  firstPurchaseDay: number | null;
  lastPurchaseDay: number | null;
  repeatSpendMinor: bigint;
}

const SUMMARY_COLUMNS: ReadonlyArray<readonly [keyof StoredOrderSummary, SqlType]> = [
  ["summarizedAt", "timestamp(3)"],
  ["firstOrderAt", "timestamp(3)"],
  ["secondOrderAt", "timestamp(3)"],
  ["regularAt", "timestamp(3)"],
  ["regularRule", "text"],
  ["nextOrderAt", "timestamp(3)"],
  ["orderGapsMs", "text"],
  ["purchaseDays", "integer"],
  ["firstPurchaseDay", "integer"],
  ["lastPurchaseDay", "integer"],
  ["repeatSpendMinor", "bigint"],
];

const dateOf = (ms: number | null) => (ms === null ? null : new Date(ms));

/** The stored form of a summary computed as of `at`. */
export function storedOrderSummary(summary: OrderSummary, at: Date): StoredOrderSummary {
  const days = summary.purchaseDays;
  return {
    summarizedAt: at,
    firstOrderAt: dateOf(summary.firstOrderAt),
    secondOrderAt: dateOf(summary.secondOrderAt),
    regularAt: dateOf(summary.regularAt),
    regularRule: summary.regularRule,
    nextOrderAt: dateOf(summary.nextOrderAt),
    orderGapsMs: JSON.stringify(summary.gapsMs),
    purchaseDays: days?.count ?? 0,
    firstPurchaseDay: days?.firstDay ?? null,
    lastPurchaseDay: days?.lastDay ?? null,
    repeatSpendMinor: BigInt(days?.repeatValue ?? 0),
  };
}

/** Whether two stored summaries say the same (when they were computed aside). */
export function sameOrderSummary(a: StoredOrderSummary, b: StoredOrderSummary): boolean {
  return SUMMARY_COLUMNS.every(([name]) => {
    if (name === "summarizedAt") return true;
    const x = a[name];
    const y = b[name];
    return x instanceof Date || y instanceof Date ? x?.valueOf() === y?.valueOf() : x === y;
  });
}

/**
 * The summary holds as of `now` under the regular rule `rule`: computed by then under that rule, and no order has
 * happened since that it did not count.
 */
export function summaryHoldsAt(summary: StoredOrderSummary, now: Date, rule: string): boolean {
  return (
    summary.summarizedAt !== null &&
    summary.regularRule === rule &&
    summary.summarizedAt <= now &&
    (summary.nextOrderAt === null || summary.nextOrderAt > now)
  );
}

const CUSTOMER_COLUMNS = [
  "id",
  "gid",
  "emailMarketingState",
  "tags",
  "stage",
  "winbackTier",
  "nextTransitionAt",
  "explanation",
  "lapseThresholdDays",
  "usesShopThreshold",
  "qualifyingOrders",
  "lastOrderAt",
  "netSpentMinor",
  "highValue",
  "stageSince",
  "classifiedAt",
  "desiredAppTags",
  "tagWriteDueAt",
  "tagWriteAttempts",
  ...SUMMARY_COLUMNS.map(([name]) => name),
] as const;
const CUSTOMER_INSTANTS = new Set<string>([
  "nextTransitionAt",
  "lastOrderAt",
  "stageSince",
  "classifiedAt",
  "tagWriteDueAt",
  ...SUMMARY_COLUMNS.filter(([, type]) => type === "timestamp(3)").map(([name]) => name),
]);

/** The live orders of the given customers as lifecycle facts, by customer gid: one query, one JSON text. */
export async function loadOrdersOf(db: Db, shop: string, gids: readonly string[]): Promise<Map<string, OrderFacts[]>> {
  const ordersByCustomer = new Map<string, OrderFacts[]>();
  if (gids.length === 0) return ordersByCustomer;
  const ordersSql = cachedSql("loadOrders", db, (sql) => {
    // Amounts as JSON numbers: the model reads them as numbers (OrderFacts), exact to 2^53 minor units.
    const columns = [
      `"customerGid"`,
      sql.instant(`"createdAt"`),
      `"totalMinor"`,
      `"refundedMinor"`,
      `"cancelled"`,
      `"test"`,
      `"voided"`,
      `"fullyRefunded"`,
    ];
    return `SELECT ${sql.aggregate(columns)} AS rows FROM "Order"
      WHERE "shop" = ${sql.param(1)} AND ${sql.inJson(`"customerGid"`, 2)} AND "deletedAt" IS NULL`;
  });
  const [orderRows] = await db.$queryRawUnsafe<Array<{ rows: string }>>(ordersSql, shop, JSON.stringify(gids));
  for (const [customerGid, createdAt, total, refunded, cancelled, test, voided, fullyRefunded] of JSON.parse(
    orderRows.rows,
  ) as unknown[][]) {
    const list = ordersByCustomer.get(customerGid as string);
    const order: OrderFacts = {
      createdAt: toMillis(createdAt)!,
      totalMinor: Number(total),
      refundedMinor: Number(refunded),
      cancelled: Boolean(cancelled),
      test: Boolean(test),
      voided: Boolean(voided),
      fullyRefunded: Boolean(fullyRefunded),
    };
    if (list) list.push(order);
    else ordersByCustomer.set(customerGid as string, [order]);
  }
  return ordersByCustomer;
}

/**
 * Loads customers with their orders as lifecycle facts: two indexed queries per chunk, never one per customer, each
 * returning the chunk as one JSON text (see sql-values.server.ts).
 */
export async function loadCustomersWithOrders(
  db: Db,
  shop: string,
  gids: readonly string[],
): Promise<StoredCustomer[]> {
  if (gids.length === 0) return [];
  const customersSql = cachedSql("loadCustomers", db, (sql) => {
    const columns = CUSTOMER_COLUMNS.map((c) =>
      c === "netSpentMinor" || c === "repeatSpendMinor"
        ? sql.bigintText(`"${c}"`)
        : CUSTOMER_INSTANTS.has(c)
          ? sql.instant(`"${c}"`)
          : `"${c}"`,
    );
    return `SELECT ${sql.aggregate(columns)} AS rows FROM "Customer"
      WHERE "shop" = ${sql.param(1)} AND ${sql.inJson(`"gid"`, 2)} AND "deletedAt" IS NULL`;
  });
  const [[customerRows], ordersByCustomer] = await Promise.all([
    db.$queryRawUnsafe<Array<{ rows: string }>>(customersSql, shop, JSON.stringify(gids)),
    loadOrdersOf(db, shop, gids),
  ]);
  return (JSON.parse(customerRows.rows) as unknown[][]).map((row): StoredCustomer => {
    const [
      id,
      gid,
      emailMarketingState,
      tags,
      stage,
      winbackTier,
      nextTransitionAt,
      explanation,
      lapseThresholdDays,
      usesShopThreshold,
    ] = row;
    const [
      qualifyingOrders,
      lastOrderAt,
      netSpentMinor,
      highValue,
      stageSince,
      classifiedAt,
      desiredAppTags,
      tagWriteDueAt,
      tagWriteAttempts,
    ] = row.slice(10, 19);
    return {
      id: Number(id),
      gid: String(gid),
      emailMarketingState: emailMarketingState as EmailMarketingState,
      tags: parseTags(String(tags)),
      stage: (stage as string | null) ?? null,
      winbackTier: winbackTier == null ? null : Number(winbackTier),
      nextTransitionAt: toDate(nextTransitionAt),
      explanation: (explanation as string | null) ?? null,
      lapseThresholdDays: lapseThresholdDays == null ? null : Number(lapseThresholdDays),
      usesShopThreshold: Boolean(usesShopThreshold),
      qualifyingOrders: Number(qualifyingOrders),
      lastOrderAt: toDate(lastOrderAt),
      netSpentMinor: BigInt(String(netSpentMinor)),
      highValue: Boolean(highValue),
      stageSince: toDate(stageSince),
      classifiedAt: toDate(classifiedAt),
      desiredAppTags: (desiredAppTags as string | null) ?? null,
      tagWriteDueAt: toDate(tagWriteDueAt),
      tagWriteAttempts: Number(tagWriteAttempts),
      summary: storedSummaryOf(row.slice(19)),
      orders: ordersByCustomer.get(String(gid)) ?? [],
    };
  });
}

/** A summary read back in SUMMARY_COLUMNS' order (instants as text, the spend as text). */
function storedSummaryOf(cells: readonly unknown[]): StoredOrderSummary {
  const [summarizedAt, firstOrderAt, secondOrderAt, regularAt, regularRule, nextOrderAt, orderGapsMs] = cells;
  const [purchaseDays, firstPurchaseDay, lastPurchaseDay, repeatSpendMinor] = cells.slice(7);
  return {
    summarizedAt: toDate(summarizedAt),
    firstOrderAt: toDate(firstOrderAt),
    secondOrderAt: toDate(secondOrderAt),
    regularAt: toDate(regularAt),
    regularRule: (regularRule as string | null) ?? null,
    nextOrderAt: toDate(nextOrderAt),
    orderGapsMs: String(orderGapsMs),
    purchaseDays: Number(purchaseDays),
    firstPurchaseDay: firstPurchaseDay == null ? null : Number(firstPurchaseDay),
    lastPurchaseDay: lastPurchaseDay == null ? null : Number(lastPurchaseDay),
    repeatSpendMinor: BigInt(String(repeatSpendMinor)),
  };
}

export function parseTags(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

/** Customer gids of a shop in pages, in a stable order, for full-shop passes. */
export async function* customerGidPages(db: Db, shop: string, pageSize: number): AsyncGenerator<string[]> {
  let afterId = 0;
  for (;;) {
    const page = await db.customer.findMany({
      where: { shop, id: { gt: afterId }, deletedAt: null },
      orderBy: { id: "asc" },
      take: pageSize,
      select: { id: true, gid: true },
    });
    if (page.length === 0) return;
    afterId = page[page.length - 1].id;
    yield page.map((c) => c.gid);
  }
}

/** Customers whose next transition has passed, plus (when Q moved) those whose threshold is the shop's Q. */
export async function dueCustomerGids(
  db: Db,
  shop: string,
  now: Date,
  shopThresholdChanged: boolean,
): Promise<string[]> {
  const rows = await db.customer.findMany({
    where: {
      shop,
      deletedAt: null,
      OR: [{ nextTransitionAt: { lte: now } }, ...(shopThresholdChanged ? [{ usesShopThreshold: true }] : [])],
    },
    select: { gid: true },
  });
  return rows.map((r) => r.gid);
}

/** A customer's row as reconcile leaves it: the classification and the newest tag plan. */
export interface ReconciledCustomer {
  id: number;
  stage: string;
  winbackTier: number | null;
  nextTransitionAt: Date | null;
  explanation: string;
  lapseThresholdDays: number | null;
  usesShopThreshold: boolean;
  qualifyingOrders: number;
  lastOrderAt: Date | null;
  netSpentMinor: bigint;
  classifiedAt: Date | null;
  stageSince: Date | null;
  desiredAppTags: string | null;
  tagWriteDueAt: Date | null;
  tagWriteAttempts: number;
  summary: StoredOrderSummary;
}

export interface StageCountDelta {
  stage: string;
  customers: number;
  netSpentMinor: bigint;
}

export interface ReconcileWrite {
  customers: readonly ReconciledCustomer[];
  changes: readonly StageChangeEvent[];
  counts: readonly StageCountDelta[];
  at: Date;
  cause: ChangeCause;
  /** "pending" when Flow is to hear of these changes, else "skipped". */
  flowStatus: "pending" | "skipped";
  /** Tag writes were planned or Flow triggers are pending: the shop has Shopify work due from `at`. */
  shopifyWorkDue: boolean;
}

const RECONCILED_COLUMNS: ReadonlyArray<readonly [Exclude<keyof ReconciledCustomer, "id" | "summary">, SqlType]> = [
  ["stage", "text"],
  ["winbackTier", "integer"],
  ["nextTransitionAt", "timestamp(3)"],
  ["explanation", "text"],
  ["lapseThresholdDays", "double precision"],
  ["usesShopThreshold", "boolean"],
  ["qualifyingOrders", "integer"],
  ["lastOrderAt", "timestamp(3)"],
  ["netSpentMinor", "bigint"],
  ["classifiedAt", "timestamp(3)"],
  ["stageSince", "timestamp(3)"],
  ["desiredAppTags", "text"],
  ["tagWriteDueAt", "timestamp(3)"],
  ["tagWriteAttempts", "integer"],
];

function jsonCell(value: unknown): unknown {
  if (value instanceof Date) return instantText(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * UPDATE "Customer" of the shop ($2) from JSON rows [id, …columns] ($1), matched by id; `also` adds a condition on
 * the row and the values (alias v).
 */
function updateByIdSql(
  sql: JsonSql,
  columns: ReadonlyArray<readonly [string, SqlType]>,
  also: { columns: ReadonlyArray<readonly [string, SqlType]>; where: string } = { columns: [], where: "true" },
): string {
  const sets = columns.map(([name]) => `"${name}" = v."${name}"`).join(", ");
  return `${sql.withRows(1, [["id", "integer"], ...also.columns, ...columns])}
    UPDATE "Customer" SET ${sets} FROM v
    WHERE "Customer"."id" = v."id" AND "Customer"."shop" = ${sql.param(2)} AND ${also.where}`;
}

/**
 * Stores order summaries computed aside from reconcile (customers whose summary no longer held), by customer id. A row
 * whose summary changed since it was read (`seen`: reconcile wrote one from newer orders meanwhile) keeps it.
 */
export async function writeOrderSummaries(
  db: Db,
  shop: string,
  rows: ReadonlyArray<{ id: number; seen: Date | null; summary: StoredOrderSummary }>,
): Promise<void> {
  if (rows.length === 0) return;
  const update = cachedSql("orderSummaries", db, (sql) =>
    updateByIdSql(sql, SUMMARY_COLUMNS, {
      columns: [["seen", "timestamp(3)"]],
      where: `"Customer"."summarizedAt" ${sql.postgres ? "IS NOT DISTINCT FROM" : "IS"} v."seen"`,
    }),
  );
  const json = JSON.stringify(
    rows.map((r) => [r.id, jsonCell(r.seen), ...SUMMARY_COLUMNS.map(([name]) => jsonCell(r.summary[name]))]),
  );
  await db.$executeRawUnsafe(update, json, shop);
}

/**
 * The shop's live customers whose order summary does not hold as of `now` under the regular rule `rule` (none yet,
 * computed after `now` or under another rule, or an order it did not count has happened since): one scan of the
 * shop's customers.
 */
export async function customersWithoutCurrentSummary(
  db: Db,
  shop: string,
  now: Date,
  rule: string,
): Promise<Array<{ id: number; gid: string; summarizedAt: Date | null }>> {
  return db.customer.findMany({
    where: {
      shop,
      deletedAt: null,
      OR: [
        { summarizedAt: null },
        { summarizedAt: { gt: now } },
        { nextOrderAt: { lte: now } },
        { regularRule: null },
        { regularRule: { not: rule } },
      ],
    },
    orderBy: { id: "asc" },
    select: { id: true, gid: true, summarizedAt: true },
  });
}

/**
 * Customers and their net spend per stage, counted from the customers themselves. SQLite is told to read the shop's
 * rows through (shop, id), in table order: through the (shop, stage, …) index it looked every row up for its spend
 * out of order (4.0 s against 1.1 s at a million customers).
 */
export async function stageTotalsOfCustomers(db: Db, shop: string): Promise<StageCountDelta[]> {
  const byId = sqlDialect(db) === "sqlite" ? Prisma.raw(`INDEXED BY "Customer_shop_id_idx"`) : Prisma.empty;
  const rows = await db.$queryRaw<Array<{ stage: string; customers: bigint | number; spent: string | null }>>`
    SELECT "stage", COUNT(*) AS "customers", CAST(SUM("netSpentMinor") AS TEXT) AS "spent"
    FROM "Customer" ${byId}
    WHERE "shop" = ${shop} AND "stage" IS NOT NULL
    GROUP BY "stage"`;
  return rows.map((r) => ({ stage: r.stage, customers: Number(r.customers), netSpentMinor: BigInt(r.spent ?? "0") }));
}

/**
 * Every live customer's order gaps (JSON arrays of milliseconds) of the shop, a page of customers at a time, only
 * those with a gap (two qualifying orders or more): what Q is computed from. Selected by the gaps themselves, not by
 * purchase days: the one-order buyers' empty lists were a third of the rows read and aggregated.
 */
export async function* orderGapPages(db: Db, shop: string, pageSize: number): AsyncGenerator<number[][]> {
  const select = cachedSql(
    "orderGapPages",
    db,
    (sql) => `
    SELECT ${sql.aggregate([`"id"`, `"orderGapsMs"`])} AS rows FROM (
      SELECT "id", "orderGapsMs" FROM "Customer"
      WHERE "shop" = ${sql.param(1)} AND "id" > ${sql.param(2)} AND "deletedAt" IS NULL AND "orderGapsMs" <> '[]'
      ORDER BY "id" LIMIT ${sql.param(3)}) AS page`,
  );
  let afterId = 0;
  for (;;) {
    const [{ rows }] = await db.$queryRawUnsafe<Array<{ rows: string | null }>>(select, shop, afterId, pageSize);
    const page = JSON.parse(rows ?? "[]") as Array<[number, string]>;
    if (page.length === 0) return;
    afterId = Math.max(...page.map(([id]) => Number(id)));
    yield page.map(([, gaps]) => JSON.parse(gaps) as number[]);
    if (page.length < pageSize) return;
  }
}

/**
 * Stores what reconcile decided for a chunk of customers, set-based and atomically: one UPDATE for the customers,
 * one INSERT for the stage changes, one statement for the stage counts, in one batch transaction (no statement per
 * customer, no interactive transaction whose time limit a loaded machine could exceed). Atomic, because a stage
 * change recorded without the stage it led to would be recorded again by the next pass.
 */
export async function writeReconciledChunk(db: Db, shop: string, write: ReconcileWrite): Promise<void> {
  const statements: Prisma.PrismaPromise<unknown>[] = [];
  if (write.customers.length > 0) {
    const columns = [...RECONCILED_COLUMNS, ...SUMMARY_COLUMNS];
    const update = cachedSql("reconciledCustomers", db, (sql) => updateByIdSql(sql, columns));
    const rows = write.customers.map((c) => [
      c.id,
      ...RECONCILED_COLUMNS.map(([name]) => jsonCell(c[name])),
      ...SUMMARY_COLUMNS.map(([name]) => jsonCell(c.summary[name])),
    ]);
    statements.push(db.$executeRawUnsafe(update, JSON.stringify(rows), shop));
  }
  if (write.changes.length > 0) {
    const insert = cachedSql(
      "stageChanges",
      db,
      (sql) => `
      INSERT INTO "StageChange" ("shop", "at", "cause", "flowStatus", "customerGid", "fromStage", "toStage", "winbackTier")
      SELECT ${sql.param(1)}, ${sql.postgres ? "$2::timestamp(3)" : "?"}, ${sql.param(3)}, ${sql.param(4)},
        ${sql.cell(0, "text")}, ${sql.cell(1, "text")}, ${sql.cell(2, "text")}, ${sql.cell(3, "integer")}
      FROM ${sql.rows(5)}`,
    );
    const rows = write.changes.map((c) => [c.customerGid, c.fromStage, c.toStage, c.winbackTier]);
    statements.push(
      db.$executeRawUnsafe(insert, shop, instantText(write.at), write.cause, write.flowStatus, JSON.stringify(rows)),
    );
  }
  const counts = write.counts.filter((c) => c.customers !== 0 || c.netSpentMinor !== 0n);
  if (counts.length > 0) {
    const values = Prisma.join(
      counts.map((c) => Prisma.sql`(${shop}, ${c.stage}, ${c.customers}, ${c.netSpentMinor})`),
    );
    statements.push(db.$executeRaw`
      INSERT INTO "StageCount" ("shop", "stage", "customers", "netSpentMinor") VALUES ${values}
      ON CONFLICT ("shop", "stage") DO UPDATE SET "customers" = "StageCount"."customers" + excluded."customers",
        "netSpentMinor" = "StageCount"."netSpentMinor" + excluded."netSpentMinor"`);
  }
  if (write.shopifyWorkDue) statements.push(markShopifyWorkDue(db, shop, write.at));
  if (statements.length > 0) await db.$transaction(statements);
}

/** Flags the shop as having Shopify-bound work due from `at` (kept when it was due earlier already). */
export function markShopifyWorkDue(db: Db, shop: string, at: Date): Prisma.PrismaPromise<number> {
  return db.$executeRaw`
    UPDATE "Shop" SET "shopifyWorkDueAt" = ${at}
    WHERE "domain" = ${shop} AND ("shopifyWorkDueAt" IS NULL OR "shopifyWorkDueAt" > ${at})`;
}

/**
 * After the shop's Shopify step: the flag says when work is due next — now while a bulk tag write is in flight or
 * Flow triggers wait, else the earliest planned tag write (a retry's time), or null when there is none.
 */
export async function settleShopifyWorkDue(db: Db, shop: string, now: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE "Shop" SET "shopifyWorkDueAt" = CASE
      WHEN EXISTS (SELECT 1 FROM "TagBulkWrite" b WHERE b."shop" = ${shop})
        OR EXISTS (SELECT 1 FROM "StageChange" s WHERE s."shop" = ${shop} AND s."flowStatus" = 'pending') THEN ${now}
      ELSE (SELECT MIN(c."tagWriteDueAt") FROM "Customer" c WHERE c."shop" = ${shop} AND c."tagWriteDueAt" IS NOT NULL
        AND c."desiredAppTags" IS NOT NULL AND c."deletedAt" IS NULL) END
    WHERE "domain" = ${shop}`;
}

/** Installed shops (with an offline session) whose Shopify-bound work is due. */
export async function shopsWithShopifyWorkDue(db: Db, now: Date): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ domain: string }>>`
    SELECT s."domain" AS domain FROM "Shop" s
    WHERE s."shopifyWorkDueAt" <= ${now} AND EXISTS (SELECT 1 FROM "Session" x WHERE x."shop" = s."domain" AND x."isOnline" = false)`;
  return rows.map((r) => r.domain);
}

/** A customer whose planned tags are due to be written. */
export interface DueTagWrite {
  gid: string;
  tags: string[];
  desiredAppTags: string;
  tagWriteAttempts: number;
}

/** The shop's customers with a tag write due now, oldest plan first. */
export async function dueTagWrites(db: Db, shop: string, now: Date, limit: number): Promise<DueTagWrite[]> {
  const rows = await db.customer.findMany({
    where: { shop, deletedAt: null, tagWriteDueAt: { lte: now }, desiredAppTags: { not: null } },
    orderBy: [{ tagWriteDueAt: "asc" }, { id: "asc" }],
    take: limit,
    select: { gid: true, tags: true, desiredAppTags: true, tagWriteAttempts: true },
  });
  return rows.map((r) => ({
    gid: r.gid,
    tags: parseTags(r.tags),
    desiredAppTags: r.desiredAppTags!,
    tagWriteAttempts: r.tagWriteAttempts,
  }));
}

export async function countDueTagWrites(db: Db, shop: string, now: Date): Promise<number> {
  return db.customer.count({
    where: { shop, deletedAt: null, tagWriteDueAt: { lte: now }, desiredAppTags: { not: null } },
  });
}

/** What one customer's tag write did. */
export interface TagWriteResult {
  gid: string;
  /** The desiredAppTags the write was planned from: a newer plan stored meanwhile stays pending. */
  sent: string;
  /** The tags Shopify now carries (null when the write failed and nothing is known to have changed). */
  tags: string[] | null;
  /** Why (part of) the plan could not be written; null when all of it was. */
  error: string | null;
  /** When to try again; null when the plan is done with (written, or given up). */
  retryAt: Date | null;
}

/**
 * Records what tag writes did, set-based: one UPDATE for all of them. The known tags become what Shopify now
 * carries; the plan is cleared (or rescheduled) only where it is still the one that was sent, so a newer plan
 * reconcile stored meanwhile is written next.
 */
export async function recordTagWriteResults(db: Db, shop: string, results: readonly TagWriteResult[]): Promise<void> {
  if (results.length === 0) return;
  const update = cachedSql("tagWriteResults", db, (sql) => {
    const columns = [
      ["gid", "text"],
      ["sent", "text"],
      ["tags", "text"],
      ["err", "text"],
      ["retryAt", "timestamp(3)"],
    ] as const;
    // In SET, every column reference reads the row as it was, so each CASE sees the plan that was sent.
    return `${sql.withRows(1, columns)}
      UPDATE "Customer" SET "tags" = COALESCE(v."tags", "Customer"."tags"), "tagError" = v."err",
        "desiredAppTags" = CASE WHEN "Customer"."desiredAppTags" = v."sent" AND v."retryAt" IS NULL THEN NULL ELSE "Customer"."desiredAppTags" END,
        "tagWriteDueAt" = CASE WHEN "Customer"."desiredAppTags" = v."sent" THEN v."retryAt" ELSE "Customer"."tagWriteDueAt" END,
        "tagWriteAttempts" = CASE WHEN "Customer"."desiredAppTags" <> v."sent" THEN "Customer"."tagWriteAttempts"
          WHEN v."err" IS NULL THEN 0 ELSE "Customer"."tagWriteAttempts" + 1 END
      FROM v
      WHERE "Customer"."shop" = ${sql.param(2)} AND "Customer"."gid" = v."gid"`;
  });
  const rows = results.map((r) => [
    r.gid,
    r.sent,
    r.tags === null ? null : JSON.stringify(r.tags),
    r.error,
    instantText(r.retryAt),
  ]);
  await db.$executeRawUnsafe(update, JSON.stringify(rows), shop);
}
