/**
 * The shop's Shopify analytics as stored: ShopAnalytics (when they were read, each query's error, the merchant's
 * traffic-kind rules), ShopAnalyticsMonth, ShopTrafficMonth and ShopFirstVisitSales, and the consent dates that count
 * new subscribers. Database access only: app/analytics/shop-analytics.server.ts reads ShopifyQL and summarises.
 */
import {
  Prisma,
  type ShopAnalytics,
  type ShopAnalyticsMonth,
  type ShopFirstVisitSales,
  type ShopTrafficMonth,
} from "@prisma/client";
import type { Db } from "../db.server";
import { julianDay, sqlDialect } from "./sql-dialect.server";
import { DAY_MS } from "../lifecycle";

const JULIAN_UNIX_EPOCH = 2440587.5;

/**
 * When each new email subscriber between `from` and `now` subscribed: customers subscribed now whose consent date
 * falls in the window and who had no qualifying order before it (a buyer who subscribes later was never a visitor
 * becoming an enquirer). The consent date is the last consent update Shopify reported.
 */
export async function newSubscriberDates(db: Db, shop: string, from: Date, now: Date): Promise<Date[]> {
  const dialect = sqlDialect(db);
  const day = (column: string) => julianDay(dialect, Prisma.raw(column));
  const fromJ = from.getTime() / DAY_MS + JULIAN_UNIX_EPOCH;
  const nowJ = now.getTime() / DAY_MS + JULIAN_UNIX_EPOCH;
  const rows = await db.$queryRaw<Array<{ ts: number | string | null }>>`
    WITH f AS (
      SELECT "customerGid" AS g, MIN(${day('"createdAt"')}) AS t1
      FROM "Order"
      WHERE "shop" = ${shop} AND "customerGid" IS NOT NULL AND "deletedAt" IS NULL
        AND "test" = false AND "cancelled" = false AND "voided" = false AND "fullyRefunded" = false
        AND "totalMinor" > "refundedMinor"
      GROUP BY "customerGid"
    )
    SELECT ${day('cu."consentUpdatedAt"')} AS ts
    FROM "Customer" cu LEFT JOIN f ON f.g = cu."gid"
    WHERE cu."shop" = ${shop} AND cu."deletedAt" IS NULL AND cu."emailMarketingState" = 'SUBSCRIBED'
      AND cu."consentUpdatedAt" IS NOT NULL
      AND ${day('cu."consentUpdatedAt"')} >= ${fromJ} AND ${day('cu."consentUpdatedAt"')} <= ${nowJ}
      AND (f.t1 IS NULL OR f.t1 >= ${day('cu."consentUpdatedAt"')})
  `;
  return rows.flatMap((r) => (r.ts == null ? [] : [new Date(Math.round((Number(r.ts) - JULIAN_UNIX_EPOCH) * DAY_MS))]));
}

export type ShopAnalyticsStatus = Omit<Prisma.ShopAnalyticsCreateInput, "shop" | "trafficKindRules">;

export interface ShopAnalyticsRows {
  status: ShopAnalyticsStatus;
  months: Prisma.ShopAnalyticsMonthCreateManyInput[];
  traffic: Prisma.ShopTrafficMonthCreateManyInput[];
  firstVisit: Prisma.ShopFirstVisitSalesCreateManyInput[];
}

/** Replaces the shop's stored analytics in one transaction (the merchant's rules stay). */
export async function replaceShopAnalytics(db: Db, shop: string, rows: ShopAnalyticsRows): Promise<void> {
  await db.$transaction([
    db.shopAnalyticsMonth.deleteMany({ where: { shop } }),
    db.shopTrafficMonth.deleteMany({ where: { shop } }),
    db.shopFirstVisitSales.deleteMany({ where: { shop } }),
    db.shopAnalyticsMonth.createMany({ data: rows.months }),
    db.shopTrafficMonth.createMany({ data: rows.traffic }),
    db.shopFirstVisitSales.createMany({ data: rows.firstVisit }),
    db.shopAnalytics.upsert({ where: { shop }, create: { shop, ...rows.status }, update: rows.status }),
  ]);
}

export interface StoredShopAnalytics {
  status: ShopAnalytics;
  months: ShopAnalyticsMonth[];
  traffic: ShopTrafficMonth[];
  firstVisit: ShopFirstVisitSales[];
}

/** The shop's stored analytics, or null when they were never read from Shopify. */
export async function readShopAnalytics(db: Db, shop: string): Promise<StoredShopAnalytics | null> {
  const status = await db.shopAnalytics.findUnique({ where: { shop } });
  // A row with the epoch holds only the merchant's rules (saveTrafficKindRulesJson): never read from Shopify.
  if (!status || status.fetchedAt.getTime() === 0) return null;
  const [months, traffic, firstVisit] = await Promise.all([
    db.shopAnalyticsMonth.findMany({ where: { shop }, orderBy: { month: "asc" } }),
    db.shopTrafficMonth.findMany({ where: { shop } }),
    db.shopFirstVisitSales.findMany({ where: { shop } }),
  ]);
  return { status, months, traffic, firstVisit };
}

/** When the shop's analytics were last read (the epoch when only rules are stored), or null. */
export async function readAnalyticsFetchedAt(db: Db, shop: string): Promise<Date | null> {
  const row = await db.shopAnalytics.findUnique({ where: { shop }, select: { fetchedAt: true } });
  return row?.fetchedAt ?? null;
}

/** Stores the merchant's traffic-kind rules as validated JSON (null: the app's table). */
export async function saveTrafficKindRulesJson(db: Db, shop: string, json: string | null): Promise<void> {
  await db.shopAnalytics.upsert({
    where: { shop },
    // Never read yet: the epoch makes the board read them on its next load.
    create: { shop, fetchedAt: new Date(0), trafficKindRules: json },
    update: { trafficKindRules: json },
  });
}

export async function readTrafficKindRulesJson(db: Db, shop: string): Promise<string | null> {
  const row = await db.shopAnalytics.findUnique({ where: { shop }, select: { trafficKindRules: true } });
  return row?.trafficKindRules ?? null;
}
