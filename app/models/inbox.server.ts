import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { cachedSql, instantText } from "./sql-values.server";
import { shopsWithShopifyWorkDue } from "./customer.server";
import { runStatement } from "./driver-statements.server";
import { hasInstalled } from "./shop.server";

export interface IncomingDelivery {
  shop: string;
  topic: string;
  /** X-Shopify-Event-Id, or X-Shopify-Webhook-Id when Shopify sent none: the idempotency key. */
  eventId: string;
  webhookId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
  payload: string;
}

export type DeliveryRecorded = "stored" | "repeat" | "not installed";

/**
 * Stores a delivery once, and only for a shop that installed the app (its Shop row, or an offline session from an
 * install still completing): a repeat of the same event, or a delivery for any other shop, stores nothing. One
 * statement on the webhook route's hot path, on the driver (Prisma's handling of the statement cost more than the
 * insert: bench/ingest.bench.ts); the unique (shop, eventId) index turns a repeat, or two concurrent deliveries of
 * one event, into "nothing inserted" on SQLite and PostgreSQL alike. Only then does a second read tell the two apart.
 */
export async function recordDelivery(db: Db, delivery: IncomingDelivery): Promise<DeliveryRecorded> {
  const sql = cachedSql("recordDelivery", db, ({ param, postgres }) => {
    const instant = (n: number) => (postgres ? `${param(n)}::timestamp(3)` : param(n));
    const values = [1, 2, 3, 4, 5].map(param).concat(instant(6), param(7), instant(8));
    return `INSERT INTO "WebhookDelivery" ("shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "payload", "receivedAt", "attempts")
      SELECT ${values.join(", ")}, 0
      WHERE EXISTS (SELECT 1 FROM "Shop" WHERE "domain" = ${param(9)}) OR EXISTS (SELECT 1 FROM "Session" WHERE "shop" = ${param(10)})
      ON CONFLICT ("shop", "eventId") DO NOTHING`;
  });
  const { shop, topic, eventId, webhookId, apiVersion, triggeredAt, payload } = delivery;
  const params = [
    shop,
    topic,
    eventId,
    webhookId,
    apiVersion,
    instantText(triggeredAt),
    payload,
    instantText(new Date()),
  ];
  if ((await runStatement(db, { sql, params: [...params, shop, shop] })) > 0) return "stored";
  return (await hasInstalled(db, shop)) ? "repeat" : "not installed";
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

/** Attempts before a delivery is parked: with the backoff below, about an hour of retries. */
export const MAX_DELIVERY_ATTEMPTS = 8;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3_600_000;

/** How long after its `attempts`-th failed attempt a delivery waits: 30 s, doubling, at most an hour. */
export function deliveryBackoffMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Topics that need no Admin access to apply (the shop's lifecycle and the compliance duties). Everything else of a
 * shop without an offline session waits, without spending attempts, until the shop installs again or shop/redact
 * erases it.
 */
export const SESSION_FREE_TOPICS: readonly string[] = [
  "app/uninstalled",
  "app/scopes_update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "bulk_operations/finish",
];

/** Due: not applied, not parked, past its backoff, and applicable now (the shop has a session, or needs none). */
function dueCondition(now: Date): Prisma.Sql {
  return Prisma.sql`d."processedAt" IS NULL AND d."parkedAt" IS NULL AND (d."nextAttemptAt" IS NULL OR d."nextAttemptAt" <= ${now})
    AND (d."topic" IN (${Prisma.join(SESSION_FREE_TOPICS)})
      OR EXISTS (SELECT 1 FROM "Session" s WHERE s."shop" = d."shop" AND s."isOnline" = false))`;
}

/** Shops with a delivery due now. */
export async function shopsWithDueDeliveries(db: Db, now: Date): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ shop: string }>>`
    SELECT DISTINCT d."shop" AS shop FROM "WebhookDelivery" d WHERE ${dueCondition(now)}`;
  return rows.map((r) => r.shop).sort();
}

/** Deliveries due now, everywhere (what a runner still has to do; parked and waiting ones are not). */
export async function countDueDeliveries(db: Db, now: Date): Promise<number> {
  const [row] = await db.$queryRaw<
    Array<{ n: bigint | number }>
  >`SELECT COUNT(*) AS n FROM "WebhookDelivery" d WHERE ${dueCondition(now)}`;
  return Number(row?.n ?? 0);
}

export async function hasOfflineSession(db: Db, shop: string): Promise<boolean> {
  return (await db.session.count({ where: { shop, isOnline: false } })) > 0;
}

export interface DueDelivery {
  id: number;
  topic: string;
  payload: string;
  attempts: number;
}

/**
 * A shop's due deliveries in arrival order, of the topics given (or all but the ones given): the inbox reads the
 * topics it applies from their payloads apart from those it must re-read from Shopify, so neither holds up the other.
 */
export async function dueDeliveries(
  db: Db,
  shop: string,
  now: Date,
  options: { topics: { in: readonly string[] } | { notIn: readonly string[] }; limit: number },
): Promise<DueDelivery[]> {
  return db.webhookDelivery.findMany({
    where: {
      shop,
      processedAt: null,
      parkedAt: null,
      OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }],
      topic: "in" in options.topics ? { in: [...options.topics.in] } : { notIn: [...options.topics.notIn] },
    },
    orderBy: { id: "asc" },
    take: options.limit,
    select: { id: true, topic: true, payload: true, attempts: true },
  });
}

/**
 * Marks deliveries processed in one statement. An applied payload is not needed again and carries personal data
 * (names, emails, addresses): the row stays, its event id still makes a redelivery a no-op, the content goes.
 */
export async function markDeliveriesApplied(db: Db, ids: readonly number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  const update = cachedSql(
    "markDeliveriesApplied",
    db,
    (sql) => `
    UPDATE "WebhookDelivery" SET "processedAt" = ${sql.postgres ? "$1::timestamp(3)" : "?"}, "payload" = '', "lastError" = NULL, "nextAttemptAt" = NULL
    WHERE ${sql.inJson(`"id"`, 2, "integer")}`,
  );
  await db.$executeRawUnsafe(update, instantText(at), JSON.stringify(ids));
}

export interface DeliveryFailure {
  id: number;
  /** Attempts before this one. */
  attempts: number;
  reason: string;
  /** The payload can never apply (not a JSON object, not Shopify's shape): park it at once. */
  permanent: boolean;
}

/** Each failure counts an attempt; the delivery is retried after a growing wait, or parked with its reason. */
export async function recordDeliveryFailures(db: Db, failures: readonly DeliveryFailure[], now: Date): Promise<void> {
  for (const failure of failures) {
    const attempts = failure.attempts + 1;
    const park = failure.permanent || attempts >= MAX_DELIVERY_ATTEMPTS;
    // updateMany: shop/redact may have erased the delivery meanwhile.
    await db.webhookDelivery.updateMany({
      where: { id: failure.id },
      data: {
        attempts,
        lastError: failure.reason.slice(0, 2000),
        ...(park
          ? { parkedAt: now, nextAttemptAt: null }
          : { nextAttemptAt: new Date(now.getTime() + deliveryBackoffMs(attempts)) }),
      },
    });
  }
}

export interface ParkedDeliveries {
  count: number;
  /** The most frequent reasons, with how many deliveries each stopped. */
  reasons: Array<{ reason: string; topic: string; count: number }>;
  lastParkedAt: Date | null;
}

/** What the board's sync card shows of the deliveries the app gave up on. */
export async function parkedDeliveries(db: Db, shop: string): Promise<ParkedDeliveries> {
  const groups = await db.webhookDelivery.groupBy({
    by: ["lastError", "topic"],
    where: { shop, parkedAt: { not: null }, processedAt: null },
    _count: { _all: true },
    _max: { parkedAt: true },
  });
  const reasons = groups
    .map((g) => ({ reason: g.lastError ?? "", topic: g.topic, count: g._count._all, at: g._max.parkedAt }))
    .sort((a, b) => b.count - a.count);
  const last = reasons.reduce<Date | null>((max, r) => (r.at && (!max || r.at > max) ? r.at : max), null);
  return {
    count: reasons.reduce((sum, r) => sum + r.count, 0),
    reasons: reasons.slice(0, 5).map(({ reason, topic, count }) => ({ reason, topic, count })),
    lastParkedAt: last,
  };
}

/** The merchant's Retry: parked deliveries of the shop get a fresh set of attempts. Returns how many. */
export async function retryParkedDeliveries(db: Db, shop: string): Promise<number> {
  const { count } = await db.webhookDelivery.updateMany({
    where: { shop, parkedAt: { not: null }, processedAt: null },
    data: { parkedAt: null, attempts: 0, nextAttemptAt: null },
  });
  return count;
}

/** Shops with deliveries due or Shopify-bound work due (what a runner sweeping for work looks for). */
export async function shopsWithInboxWork(db: Db, now: Date): Promise<string[]> {
  const [deliveries, shopify] = await Promise.all([shopsWithDueDeliveries(db, now), shopsWithShopifyWorkDue(db, now)]);
  return [...new Set([...deliveries, ...shopify])].sort();
}

/** How much inbox work is due now: deliveries, plus shops with Shopify-bound work (a runner's "drained" test). */
export async function inboxWorkDue(db: Db, now: Date): Promise<number> {
  const [deliveries, shopify] = await Promise.all([countDueDeliveries(db, now), shopsWithShopifyWorkDue(db, now)]);
  return deliveries + shopify.length;
}
