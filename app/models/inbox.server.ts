import type { Db } from "../db.server";

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

/** Stores a delivery once; a repeat of the same event is acknowledged and ignored. Returns whether it was new. */
export async function recordDelivery(db: Db, delivery: IncomingDelivery): Promise<boolean> {
  // One statement on the hot path: the unique (shop, eventId) index turns a repeat, or two concurrent deliveries of
  // one event, into "nothing inserted" on SQLite and PostgreSQL alike.
  const inserted = await db.$executeRaw`
    INSERT INTO "WebhookDelivery" ("shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "payload", "receivedAt", "attempts")
    VALUES (${delivery.shop}, ${delivery.topic}, ${delivery.eventId}, ${delivery.webhookId}, ${delivery.apiVersion}, ${delivery.triggeredAt}, ${delivery.payload}, ${new Date()}, 0)
    ON CONFLICT ("shop", "eventId") DO NOTHING`;
  return inserted > 0;
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

export async function pendingDeliveries(db: Db, limit: number, shop?: string) {
  return db.webhookDelivery.findMany({
    where: { ...(shop === undefined ? {} : { shop }), processedAt: null, attempts: { lt: MAX_DELIVERY_ATTEMPTS } },
    orderBy: { id: "asc" },
    take: limit,
  });
}

export const MAX_DELIVERY_ATTEMPTS = 8;

/** What counts as due for processing: the job runners hand each such shop's inbox to a lane of its own. */
const DUE_DELIVERY = { processedAt: null, attempts: { lt: MAX_DELIVERY_ATTEMPTS } };

/** Shops with deliveries due for processing. */
export async function shopsWithPendingDeliveries(db: Db): Promise<string[]> {
  const groups = await db.webhookDelivery.groupBy({ by: ["shop"], where: DUE_DELIVERY });
  return groups.map((group) => group.shop);
}

/** Deliveries due for processing, every shop (the runners' drain() waits for 0). */
export function pendingDeliveryCount(db: Db): Promise<number> {
  return db.webhookDelivery.count({ where: DUE_DELIVERY });
}

export async function markDeliveryFailed(db: Db, id: number, error: unknown): Promise<void> {
  await db.webhookDelivery.update({
    where: { id },
    data: { attempts: { increment: 1 }, lastError: error instanceof Error ? error.message : String(error) },
  });
}

export async function countPendingDeliveries(db: Db, shop: string): Promise<number> {
  return db.webhookDelivery.count({ where: { shop, processedAt: null } });
}
