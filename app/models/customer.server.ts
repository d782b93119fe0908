import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import type { TagWriteOutcome } from "../domain/sync";
import type { EmailMarketingState, OrderFacts } from "../lifecycle";

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
  orders: OrderFacts[];
}

/** Loads customers with their orders as lifecycle facts: two indexed queries per chunk, never one per customer. */
export async function loadCustomersWithOrders(db: Db, shop: string, gids: readonly string[]): Promise<StoredCustomer[]> {
  if (gids.length === 0) return [];
  const [customers, orders] = await Promise.all([
    db.customer.findMany({ where: { shop, gid: { in: [...gids] }, deletedAt: null } }),
    db.order.findMany({
      where: { shop, customerGid: { in: [...gids] }, deletedAt: null },
      select: { customerGid: true, createdAt: true, totalMinor: true, refundedMinor: true, cancelled: true, test: true, voided: true, fullyRefunded: true },
    }),
  ]);
  const ordersByCustomer = new Map<string, OrderFacts[]>();
  for (const order of orders) {
    const list = ordersByCustomer.get(order.customerGid!) ?? [];
    list.push({
      createdAt: order.createdAt.getTime(),
      totalMinor: Number(order.totalMinor),
      refundedMinor: Number(order.refundedMinor),
      cancelled: order.cancelled,
      test: order.test,
      voided: order.voided,
      fullyRefunded: order.fullyRefunded,
    });
    ordersByCustomer.set(order.customerGid!, list);
  }
  return customers.map((c) => ({
    id: c.id,
    gid: c.gid,
    emailMarketingState: c.emailMarketingState as EmailMarketingState,
    tags: parseTags(c.tags),
    stage: c.stage,
    winbackTier: c.winbackTier,
    nextTransitionAt: c.nextTransitionAt,
    explanation: c.explanation,
    lapseThresholdDays: c.lapseThresholdDays,
    usesShopThreshold: c.usesShopThreshold,
    qualifyingOrders: c.qualifyingOrders,
    lastOrderAt: c.lastOrderAt,
    netSpentMinor: c.netSpentMinor,
    highValue: c.highValue,
    orders: ordersByCustomer.get(c.gid) ?? [],
  }));
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
export async function dueCustomerGids(db: Db, shop: string, now: Date, shopThresholdChanged: boolean): Promise<string[]> {
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

/** Rows per UPDATE statement when recording tag-write outcomes (3 parameters each). */
const TAG_OUTCOME_BATCH = 500;

/**
 * Records what a tag write did, set-based: one UPDATE … FROM (VALUES …) per TAG_OUTCOME_BATCH customers, on SQLite
 * and PostgreSQL alike. A written customer gets the tags Shopify now holds and no error; a failed one keeps its
 * known tags and gets the error. A statement per customer made a whole-shop pass spend most of its time here.
 */
export async function recordTagOutcomes(db: Db, shop: string, outcomes: readonly TagWriteOutcome[]): Promise<void> {
  for (let i = 0; i < outcomes.length; i += TAG_OUTCOME_BATCH) {
    const values = Prisma.join(
      outcomes
        .slice(i, i + TAG_OUTCOME_BATCH)
        .map((o) => Prisma.sql`(CAST(${o.gid} AS TEXT), CAST(${o.ok ? JSON.stringify(o.tags) : null} AS TEXT), CAST(${o.ok ? null : o.error} AS TEXT))`),
    );
    // SQLite has no column list on a VALUES alias; a CTE names the columns on both databases.
    await db.$executeRaw`
      WITH v(gid, tags, err) AS (VALUES ${values})
      UPDATE "Customer" SET "tags" = COALESCE(v.tags, "Customer"."tags"), "tagError" = v.err
      FROM v
      WHERE "Customer"."shop" = ${shop} AND "Customer"."gid" = v.gid`;
  }
}

