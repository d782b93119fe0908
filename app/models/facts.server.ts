import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import type { CustomerRow, OrderRow } from "../ingest/facts";

const BATCH = 200;

/**
 * Inserts or updates orders in set-based batches (one statement per 200 rows, the same SQL on SQLite and
 * PostgreSQL). A row older than the stored one (by Shopify's updated_at) changes nothing, so stale or
 * reordered deliveries converge to the newest state.
 */
export async function upsertOrders(db: Db, shop: string, rows: readonly OrderRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const values = rows.slice(i, i + BATCH).map(
      (r) => Prisma.sql`(${shop}, ${r.gid}, ${r.customerGid}, ${r.createdAt}, ${r.totalMinor}, ${r.refundedMinor}, ${r.currencyCode}, ${r.cancelled}, ${r.test}, ${r.voided}, ${r.fullyRefunded}, ${r.shopifyUpdatedAt})`,
    );
    await db.$executeRaw`
      INSERT INTO "Order" ("shop", "gid", "customerGid", "createdAt", "totalMinor", "refundedMinor", "currencyCode", "cancelled", "test", "voided", "fullyRefunded", "shopifyUpdatedAt")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("shop", "gid") DO UPDATE SET
        "customerGid" = excluded."customerGid", "createdAt" = excluded."createdAt", "totalMinor" = excluded."totalMinor",
        "refundedMinor" = excluded."refundedMinor", "currencyCode" = excluded."currencyCode", "cancelled" = excluded."cancelled",
        "test" = excluded."test", "voided" = excluded."voided", "fullyRefunded" = excluded."fullyRefunded",
        "shopifyUpdatedAt" = excluded."shopifyUpdatedAt"
      WHERE "Order"."deletedAt" IS NULL AND ("Order"."shopifyUpdatedAt" IS NULL OR excluded."shopifyUpdatedAt" IS NULL
        OR excluded."shopifyUpdatedAt" >= "Order"."shopifyUpdatedAt")`;
  }
}

/**
 * Inserts or updates customers from a source that carries their whole record (bulk export, Admin API query):
 * consent and tags included. A row older than the stored one (by updated_at) changes nothing.
 */
export async function upsertCustomers(db: Db, shop: string, rows: readonly CustomerRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const values = rows.slice(i, i + BATCH).map(
      (r) =>
        Prisma.sql`(${shop}, ${r.gid}, ${r.shopifyCreatedAt}, ${r.shopifyUpdatedAt}, ${r.emailMarketingState ?? "NOT_SUBSCRIBED"}, ${r.consentUpdatedAt ?? null}, ${JSON.stringify(r.tags ?? [])})`,
    );
    await db.$executeRaw`
      INSERT INTO "Customer" ("shop", "gid", "shopifyCreatedAt", "shopifyUpdatedAt", "emailMarketingState", "consentUpdatedAt", "tags")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("shop", "gid") DO UPDATE SET
        "shopifyCreatedAt" = excluded."shopifyCreatedAt", "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
        "emailMarketingState" = excluded."emailMarketingState", "consentUpdatedAt" = excluded."consentUpdatedAt",
        "tags" = excluded."tags"
      WHERE "Customer"."deletedAt" IS NULL AND ("Customer"."shopifyUpdatedAt" IS NULL OR excluded."shopifyUpdatedAt" IS NULL
        OR excluded."shopifyUpdatedAt" >= "Customer"."shopifyUpdatedAt")`;
  }
}

/** A customer a webhook announced (customers/create, customers/update): the payload no longer carries consent or tags. */
export async function touchCustomer(db: Db, shop: string, row: CustomerRow): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "Customer" ("shop", "gid", "shopifyCreatedAt", "shopifyUpdatedAt")
    VALUES (${shop}, ${row.gid}, ${row.shopifyCreatedAt}, ${row.shopifyUpdatedAt})
    ON CONFLICT ("shop", "gid") DO UPDATE SET
      "shopifyCreatedAt" = COALESCE(excluded."shopifyCreatedAt", "Customer"."shopifyCreatedAt"),
      "shopifyUpdatedAt" = excluded."shopifyUpdatedAt"
    WHERE "Customer"."deletedAt" IS NULL AND ("Customer"."shopifyUpdatedAt" IS NULL OR excluded."shopifyUpdatedAt" IS NULL
      OR excluded."shopifyUpdatedAt" >= "Customer"."shopifyUpdatedAt")`;
}

/** Consent changes carry their own clock (consent_updated_at): an older one than stored is stale. */
export async function updateConsent(
  db: Db,
  shop: string,
  gid: string,
  state: string,
  consentUpdatedAt: Date | null,
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "Customer" ("shop", "gid", "emailMarketingState", "consentUpdatedAt")
    VALUES (${shop}, ${gid}, ${state}, ${consentUpdatedAt})
    ON CONFLICT ("shop", "gid") DO UPDATE SET
      "emailMarketingState" = excluded."emailMarketingState", "consentUpdatedAt" = excluded."consentUpdatedAt"
    WHERE "Customer"."deletedAt" IS NULL AND ("Customer"."consentUpdatedAt" IS NULL OR excluded."consentUpdatedAt" IS NULL
      OR excluded."consentUpdatedAt" >= "Customer"."consentUpdatedAt")`;
}

/** Tombstones an order; returns the customer it belonged to (to re-classify), if any. */
export async function deleteOrder(db: Db, shop: string, gid: string, at: Date): Promise<string | null> {
  const existing = await db.order.findUnique({ where: { shop_gid: { shop, gid } }, select: { customerGid: true } });
  await db.order.upsert({
    where: { shop_gid: { shop, gid } },
    create: { shop, gid, createdAt: at, totalMinor: 0n, deletedAt: at },
    update: { deletedAt: at },
  });
  return existing?.customerGid ?? null;
}

/** Tombstones a customer and drops it from the stage counts. */
export async function deleteCustomer(db: Db, shop: string, gid: string, at: Date): Promise<void> {
  const existing = await db.customer.findUnique({ where: { shop_gid: { shop, gid } } });
  await db.$transaction(async (tx) => {
    await tx.customer.upsert({ where: { shop_gid: { shop, gid } }, create: { shop, gid, deletedAt: at }, update: { deletedAt: at } });
    if (existing?.stage && !existing.deletedAt) {
      await tx.stageCount.updateMany({
        where: { shop, stage: existing.stage },
        data: { customers: { decrement: 1 }, netSpentMinor: { decrement: existing.netSpentMinor } },
      });
    }
  });
}

/** customers/merge: the deleted customer's orders now belong to the kept one. */
export async function mergeCustomers(db: Db, shop: string, keptGid: string, deletedGid: string, at: Date): Promise<void> {
  await db.order.updateMany({ where: { shop, customerGid: deletedGid }, data: { customerGid: keptGid } });
  await deleteCustomer(db, shop, deletedGid, at);
}
