/**
 * OrderJourney rows: what Shopify's journey summary said about an order (app/ingest/journey.ts), stored only when it
 * names a campaign (a UTM campaign, a marketing event or a discount code) or while it is still being read. New orders
 * are read again until Shopify has attributed them, with a bounded number of attempts.
 */
import { databaseProvider, driverConnection, type Db, type DriverConnection } from "../db.server";
import { loadOrdersOf } from "./customer.server";
import { upsertStatements, type UpsertTable } from "./facts.server";
import { runStatements, type DriverStatement } from "./driver-statements.server";
import { instantText as instant, jsonSql } from "./sql-values.server";
import { journeyIsDropped, journeyIsKept, nextJourneyAttemptAt, type JourneyRow } from "../domain/journey";
import { journeyValues } from "./row-values";
import type { OrderFacts } from "../lifecycle";

export { FIRST_JOURNEY_DELAY_MS, nextJourneyAttemptAt } from "../domain/journey";

/** Attempts to read a new order's journey before giving up (Shopify attributes most orders within minutes). */
export const MAX_JOURNEY_ATTEMPTS = 6;
/** Orders read per follow-up query (well under Shopify's 250 ids and 1,000 cost points). */
export const JOURNEY_BATCH = 50;
/** Journeys read again per refresh: a burst of new orders is worked through over several refreshes. */
export const MAX_JOURNEYS_PER_REFRESH = 1000;

const ROWS_PER_STATEMENT = 2000;
/** Customers whose orders are read per query. */
const HISTORY_PAGE = 2000;

/** A read journey is never replaced by a pending one. */
const JOURNEYS: UpsertTable = {
  table: "OrderJourney",
  key: "orderGid",
  columns: [
    ["orderGid", "text"],
    ["state", "text"],
    ["nextAttemptAt", "timestamp(3)"],
    ["customerOrderIndex", "integer"],
    ["firstUtmSource", "text"],
    ["firstUtmMedium", "text"],
    ["firstUtmCampaign", "text"],
    ["lastUtmSource", "text"],
    ["lastUtmMedium", "text"],
    ["lastUtmCampaign", "text"],
    ["eventGid", "text"],
    ["eventTactic", "text"],
    ["eventChannel", "text"],
    ["eventName", "text"],
    ["discountCodes", "text"],
    ["simulated", "boolean"],
    ["readAt", "timestamp(3)"],
  ],
  alsoSet: `"attempts" = 0`,
  guard: `"OrderJourney"."state" <> 'ready' OR excluded."state" = 'ready'`,
};

function deleteSql(db: Db): string {
  const sql = jsonSql(db);
  return `DELETE FROM "OrderJourney" WHERE "shop" = ${sql.param(1)} AND ${sql.inJson(`"orderGid"`, 2)}`;
}

/**
 * Stores the journeys of imported orders: those naming a campaign and those not attributed yet (read again later).
 * A read journey that names nothing removes any row the order had.
 */
export async function storeJourneys(db: Db, shop: string, rows: readonly JourneyRow[], now: Date): Promise<void> {
  const kept = rows.filter(journeyIsKept).map((r) => journeyValues(r, now));
  const dropped = rows.filter(journeyIsDropped).map((r) => r.orderGid);
  await runStatements(db, journeyValueStatements(db, await driverConnection(db), shop, kept, dropped));
}

/**
 * The statements storeJourneys runs, on journeys already as journeyValues made them and the gids of orders whose row
 * goes: for a caller that commits them with other writes (the import, whose parser thread made the values).
 */
export function journeyValueStatements(
  db: Db,
  driver: DriverConnection | null,
  shop: string,
  kept: readonly unknown[][],
  dropped: readonly string[],
): DriverStatement[] {
  const unique = [...new Map(kept.map((values) => [values[0], values])).values()];
  const statements = upsertStatements(db, driver, JOURNEYS, shop, unique);
  for (let i = 0; i < dropped.length; i += ROWS_PER_STATEMENT) {
    statements.push({ sql: deleteSql(db), params: [shop, JSON.stringify(dropped.slice(i, i + ROWS_PER_STATEMENT))] });
  }
  return statements;
}

/** A new order (orders/create): its journey is read once Shopify has attributed it. Leaves a read journey alone. */
export async function awaitJourney(db: Db, shop: string, orderGid: string, now: Date): Promise<void> {
  await awaitJourneys(db, shop, [orderGid], now);
}

/** New orders, set-based (the inbox applies them in batches): one statement per chunk, existing rows left alone. */
export async function awaitJourneys(db: Db, shop: string, orderGids: readonly string[], now: Date): Promise<void> {
  const sql =
    databaseProvider(db) === "postgresql"
      ? `INSERT INTO "OrderJourney" ("shop", "orderGid", "state", "attempts", "nextAttemptAt", "readAt")
          SELECT $1, g, 'pending', 0, $3::timestamp(3), $4::timestamp(3) FROM json_array_elements_text($2::json) AS g
          ON CONFLICT ("shop", "orderGid") DO NOTHING`
      : `INSERT INTO "OrderJourney" ("shop", "orderGid", "state", "attempts", "nextAttemptAt", "readAt")
          SELECT ?, value, 'pending', 0, ?, ? FROM json_each(?) WHERE true
          ON CONFLICT ("shop", "orderGid") DO NOTHING`;
  const next = instant(nextJourneyAttemptAt(now, 0));
  for (let i = 0; i < orderGids.length; i += ROWS_PER_STATEMENT) {
    const chunk = JSON.stringify(orderGids.slice(i, i + ROWS_PER_STATEMENT));
    if (databaseProvider(db) === "postgresql") await db.$executeRawUnsafe(sql, shop, chunk, next, instant(now));
    else await db.$executeRawUnsafe(sql, shop, next, instant(now), chunk);
  }
}

/** Orders whose journey is due to be read again, oldest due first. */
export async function journeysDue(
  db: Db,
  shop: string,
  now: Date,
  limit = MAX_JOURNEYS_PER_REFRESH,
): Promise<Array<{ orderGid: string; attempts: number }>> {
  return db.orderJourney.findMany({
    where: { shop, state: "pending", nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
    select: { orderGid: true, attempts: true },
  });
}

/** Still not attributed: try again later, or give up after MAX_JOURNEY_ATTEMPTS (state unavailable). */
export async function journeyNotReady(
  db: Db,
  shop: string,
  orderGid: string,
  attemptsBefore: number,
  now: Date,
): Promise<void> {
  const attempts = attemptsBefore + 1;
  const exhausted = attempts >= MAX_JOURNEY_ATTEMPTS;
  await db.orderJourney.updateMany({
    where: { shop, orderGid },
    data: {
      attempts,
      state: exhausted ? "unavailable" : "pending",
      nextAttemptAt: exhausted ? null : nextJourneyAttemptAt(now, attempts),
      readAt: now,
    },
  });
}

/** The order is gone from Shopify (deleted, or out of reach): nothing to read. */
export async function forgetJourneys(db: Db, shop: string, orderGids: readonly string[]): Promise<void> {
  if (orderGids.length > 0) await db.orderJourney.deleteMany({ where: { shop, orderGid: { in: [...orderGids] } } });
}

export interface AttributedOrder {
  orderGid: string;
  customerGid: string | null;
  createdAt: Date;
  netMinor: bigint;
  qualifying: boolean;
  customerOrderIndex: number | null;
  firstUtmSource: string | null;
  firstUtmMedium: string | null;
  firstUtmCampaign: string | null;
  lastUtmSource: string | null;
  lastUtmMedium: string | null;
  lastUtmCampaign: string | null;
  eventGid: string | null;
  eventTactic: string | null;
  eventChannel: string | null;
  eventName: string | null;
  discountCodes: string[];
  simulated: boolean;
}

/** Most attributed orders a refresh groups: the newest ones when a shop has more in the lookback. */
export const MAX_ATTRIBUTED_ORDERS = 200_000;

function parseCodes(json: string | null): string[] {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === "string") : [];
  } catch {
    return [];
  }
}

/** The read journeys of the shop's stored orders created since `since`, with each order's net amount and facts. */
export async function attributedOrdersSince(db: Db, shop: string, since: Date): Promise<AttributedOrder[]> {
  const journeys = await db.orderJourney.findMany({
    where: { shop, state: "ready" },
    orderBy: { readAt: "desc" },
    take: MAX_ATTRIBUTED_ORDERS * 2,
  });
  if (journeys.length === 0) return [];
  const byGid = new Map(journeys.map((j) => [j.orderGid, j]));
  const gids = [...byGid.keys()];
  const orders = [];
  for (let i = 0; i < gids.length; i += 500) {
    orders.push(
      ...(await db.order.findMany({
        where: { shop, deletedAt: null, createdAt: { gte: since }, gid: { in: gids.slice(i, i + 500) } },
        select: {
          gid: true,
          customerGid: true,
          createdAt: true,
          totalMinor: true,
          refundedMinor: true,
          cancelled: true,
          test: true,
          voided: true,
          fullyRefunded: true,
        },
      })),
    );
  }
  orders.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  orders.length = Math.min(orders.length, MAX_ATTRIBUTED_ORDERS);
  return orders.map((o) => {
    const j = byGid.get(o.gid)!;
    return {
      orderGid: o.gid,
      customerGid: o.customerGid,
      createdAt: o.createdAt,
      netMinor: o.totalMinor - o.refundedMinor,
      qualifying: !o.test && !o.cancelled && !o.voided && !o.fullyRefunded && o.totalMinor - o.refundedMinor > 0n,
      customerOrderIndex: j.customerOrderIndex,
      firstUtmSource: j.firstUtmSource,
      firstUtmMedium: j.firstUtmMedium,
      firstUtmCampaign: j.firstUtmCampaign,
      lastUtmSource: j.lastUtmSource,
      lastUtmMedium: j.lastUtmMedium,
      lastUtmCampaign: j.lastUtmCampaign,
      eventGid: j.eventGid,
      eventTactic: j.eventTactic,
      eventChannel: j.eventChannel,
      eventName: j.eventName,
      discountCodes: parseCodes(j.discountCodes),
      simulated: j.simulated,
    };
  });
}

/** Each listed customer's orders (every stored order, qualifying or not, with the facts that decide it). */
export async function orderHistoriesOf(
  db: Db,
  shop: string,
  customerGids: readonly string[],
): Promise<Map<string, OrderFacts[]>> {
  const histories = new Map<string, OrderFacts[]>();
  // Read as reconcile reads them, a page of customers at a time so no single result holds a whole shop.
  for (let i = 0; i < customerGids.length; i += HISTORY_PAGE) {
    for (const [gid, orders] of await loadOrdersOf(db, shop, customerGids.slice(i, i + HISTORY_PAGE)))
      histories.set(gid, orders);
  }
  return histories;
}
