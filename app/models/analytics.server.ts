/**
 * The shop's Shopify analytics, stored: refreshShopAnalytics reads the ShopifyQL queries of
 * app/shopify/shopifyql.server.ts, counts the new email subscribers per month from the app's customers, and
 * replaces the shop's ShopAnalytics / ShopAnalyticsMonth / ShopTrafficMonth / ShopFirstVisitSales rows; the board
 * reads them (loadShopAnalytics). A query that fails leaves a plain message in ShopAnalytics and no rows of its own —
 * never zeros. Schedule: daily (and the board refreshes them when older than ANALYTICS_MAX_AGE_MS).
 */
import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { julianDay, sqlDialect } from "./sql-dialect.server";
import { DAY_MS } from "../lifecycle";
import { addMonths, monthOf, summarizeAnalytics, type AnalyticsSummary } from "../analytics/metrics";
import { validateTrafficKindRules, type TrafficKindRule } from "../analytics/traffic-kinds";
import {
  FIRST_VISIT_SALES_QUERY,
  MONTHLY_SALES_QUERY,
  MONTHLY_SESSIONS_QUERY,
  readFirstVisitSales,
  readMonthlySales,
  readMonthlySessions,
  readTrafficSources,
  runShopifyql,
  ShopifyqlFailure,
  TRAFFIC_SOURCES_QUERY,
  type GraphqlRequester,
} from "../shopify/shopifyql.server";

/** Stored analytics older than this are read again (the board does it on load; the daily job too). */
export const ANALYTICS_MAX_AGE_MS = DAY_MS;
/** The window: the current month and the twelve before it (as the ShopifyQL queries ask). */
export const ANALYTICS_MONTHS = 13;

export interface AnalyticsRefreshResult {
  months: number;
  errors: { sessions: string | null; traffic: string | null; sales: string | null; firstVisit: string | null };
  simulated: boolean;
}

async function attempt<T>(run: () => Promise<T>): Promise<{ value: T | null; error: string | null; warnings: string[] }> {
  try {
    const value = await run();
    return { value, error: null, warnings: [] };
  } catch (error) {
    if (error instanceof ShopifyqlFailure) return { value: null, error: error.message, warnings: [] };
    throw error;
  }
}

const JULIAN_UNIX_EPOCH = 2440587.5;

/**
 * New email subscribers per month ("YYYY-MM", UTC) from `fromMonth` to now: customers subscribed now whose consent
 * date falls in the month and who had no qualifying order before it (a buyer who subscribes later was never a
 * visitor becoming an enquirer). The consent date is the last consent update Shopify reported.
 */
export async function subscribersPerMonth(db: Db, shop: string, fromMonth: string, now: Date): Promise<Map<string, number>> {
  const dialect = sqlDialect(db);
  const day = (column: string) => julianDay(dialect, Prisma.raw(column));
  const fromJ = Date.parse(`${fromMonth}-01T00:00:00Z`) / DAY_MS + JULIAN_UNIX_EPOCH;
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
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.ts == null) continue;
    const month = monthOf(new Date(Math.round((Number(r.ts) - JULIAN_UNIX_EPOCH) * DAY_MS)));
    counts.set(month, (counts.get(month) ?? 0) + 1);
  }
  return counts;
}

/**
 * Reads the shop's analytics from Shopify (four ShopifyQL queries through `client`) and stores them, replacing the
 * shop's previous rows. For the daily job (clientForShop) and the board (the request's admin client).
 */
export async function refreshShopAnalytics(db: Db, shop: string, client: GraphqlRequester, now: Date = new Date()): Promise<AnalyticsRefreshResult> {
  const sessions = await attempt(() => runShopifyql(client, MONTHLY_SESSIONS_QUERY).then((r) => ({ rows: readMonthlySessions(r.table), warnings: r.warnings })));
  const traffic = await attempt(() => runShopifyql(client, TRAFFIC_SOURCES_QUERY).then((r) => ({ rows: readTrafficSources(r.table), warnings: r.warnings })));
  const sales = await attempt(() => runShopifyql(client, MONTHLY_SALES_QUERY).then((r) => ({ rows: readMonthlySales(r.table), warnings: r.warnings })));
  const firstVisit = await attempt(() => runShopifyql(client, FIRST_VISIT_SALES_QUERY).then((r) => ({ rows: readFirstVisitSales(r.table), warnings: r.warnings })));

  const fromMonth = addMonths(monthOf(now), -(ANALYTICS_MONTHS - 1));
  const subscribers = await subscribersPerMonth(db, shop, fromMonth, now);
  const warnings = [...new Set([sessions, traffic, sales, firstVisit].flatMap((r) => r.value?.warnings ?? []))];
  const simulated = warnings.some((w) => /simulated/i.test(w));

  // One row per month of the window: Shopify's figures where a query answered, null where it did not.
  const months = new Map<string, Prisma.ShopAnalyticsMonthCreateManyInput>();
  for (let i = 0; i < ANALYTICS_MONTHS; i++) {
    const month = addMonths(fromMonth, i);
    months.set(month, { shop, month, subscribers: subscribers.get(month) ?? 0 });
  }
  const row = (month: string) => months.get(month) ?? months.set(month, { shop, month, subscribers: subscribers.get(month) ?? 0 }).get(month)!;
  for (const s of sessions.value?.rows ?? []) Object.assign(row(s.month), { visitors: s.visitors, sessions: s.sessions });
  for (const s of sales.value?.rows ?? []) Object.assign(row(s.month), { netSalesMinor: s.netSalesMinor, grossProfitMinor: s.grossProfitMinor, costRecordedSalesMinor: s.costRecordedSalesMinor });
  // Shopify leaves out months without sessions or sales: within the window such a month is a zero, not unknown.
  if (sessions.value) for (const r of months.values()) if (r.visitors == null) Object.assign(r, { visitors: 0, sessions: 0 });
  if (sales.value) for (const r of months.values()) if (r.netSalesMinor == null) Object.assign(r, { netSalesMinor: 0n, grossProfitMinor: 0n, costRecordedSalesMinor: 0n });

  const trafficRows = new Map<string, Prisma.ShopTrafficMonthCreateManyInput>();
  for (const t of traffic.value?.rows ?? []) {
    const key = `${t.month}\u0000${t.source}\u0000${t.name}`;
    const existing = trafficRows.get(key);
    if (existing) {
      existing.visitors += t.visitors;
      existing.sessions += t.sessions;
    } else trafficRows.set(key, { shop, month: t.month, source: t.source, name: t.name, visitors: t.visitors, sessions: t.sessions });
  }
  const firstVisitRows = new Map<string, Prisma.ShopFirstVisitSalesCreateManyInput>();
  for (const f of firstVisit.value?.rows ?? []) {
    const existing = firstVisitRows.get(f.channel);
    const add = (a: bigint | null | undefined, b: bigint | null) => (a == null && b == null ? null : (a ?? 0n) + (b ?? 0n));
    if (existing) {
      existing.netSalesMinor = add(existing.netSalesMinor as bigint | null, f.netSalesMinor);
      existing.grossProfitMinor = add(existing.grossProfitMinor as bigint | null, f.grossProfitMinor);
    } else firstVisitRows.set(f.channel, { shop, channel: f.channel, netSalesMinor: f.netSalesMinor, grossProfitMinor: f.grossProfitMinor });
  }

  const status = {
    fetchedAt: now,
    sessionsError: sessions.error,
    trafficError: traffic.error,
    salesError: sales.error,
    firstVisitError: firstVisit.error,
    warnings: warnings.length ? JSON.stringify(warnings) : null,
    simulated,
  };
  await db.$transaction([
    db.shopAnalyticsMonth.deleteMany({ where: { shop } }),
    db.shopTrafficMonth.deleteMany({ where: { shop } }),
    db.shopFirstVisitSales.deleteMany({ where: { shop } }),
    db.shopAnalyticsMonth.createMany({ data: [...months.values()] }),
    db.shopTrafficMonth.createMany({ data: [...trafficRows.values()] }),
    db.shopFirstVisitSales.createMany({ data: [...firstVisitRows.values()] }),
    db.shopAnalytics.upsert({ where: { shop }, create: { shop, ...status }, update: status }),
  ]);
  return {
    months: months.size,
    errors: { sessions: sessions.error, traffic: traffic.error, sales: sales.error, firstVisit: firstVisit.error },
    simulated,
  };
}

export interface ShopAnalyticsView {
  fetchedAt: string;
  simulated: boolean;
  warnings: string[];
  errors: AnalyticsRefreshResult["errors"];
  rules: TrafficKindRule[];
  summary: AnalyticsSummary;
  /** Visitors are known (the sessions query answered). */
  hasVisitors: boolean;
}

function parseRules(json: string | null): TrafficKindRule[] {
  if (!json) return [];
  try {
    return validateTrafficKindRules(JSON.parse(json));
  } catch {
    return [];
  }
}

function parseWarnings(json: string | null): string[] {
  if (!json) return [];
  try {
    const value = JSON.parse(json);
    return Array.isArray(value) ? value.filter((w): w is string => typeof w === "string") : [];
  } catch {
    return [];
  }
}

/** The shop's stored analytics and their summary as of `now`, or null when they were never read. */
export async function loadShopAnalytics(db: Db, shop: string, now: Date): Promise<ShopAnalyticsView | null> {
  const status = await db.shopAnalytics.findUnique({ where: { shop } });
  // A row with the epoch holds only the merchant's rules (saveTrafficKindRules): never read from Shopify.
  if (!status || status.fetchedAt.getTime() === 0) return null;
  const [months, traffic, firstVisit] = await Promise.all([
    db.shopAnalyticsMonth.findMany({ where: { shop }, orderBy: { month: "asc" } }),
    db.shopTrafficMonth.findMany({ where: { shop } }),
    db.shopFirstVisitSales.findMany({ where: { shop } }),
  ]);
  const rules = parseRules(status.trafficKindRules);
  return {
    fetchedAt: status.fetchedAt.toISOString(),
    simulated: status.simulated,
    warnings: parseWarnings(status.warnings),
    errors: { sessions: status.sessionsError, traffic: status.trafficError, sales: status.salesError, firstVisit: status.firstVisitError },
    rules,
    summary: summarizeAnalytics(months, traffic, status.firstVisitError ? null : firstVisit, now, rules),
    hasVisitors: status.sessionsError == null,
  };
}

export function analyticsStale(fetchedAt: string | Date | null | undefined, now: Date): boolean {
  if (!fetchedAt) return true;
  return now.getTime() - new Date(fetchedAt).getTime() > ANALYTICS_MAX_AGE_MS;
}

/** Saves the merchant's traffic-kind rules (validated; an empty list goes back to the app's table). */
export async function saveTrafficKindRules(db: Db, shop: string, rules: readonly TrafficKindRule[]): Promise<void> {
  const json = rules.length ? JSON.stringify(validateTrafficKindRules(rules)) : null;
  await db.shopAnalytics.upsert({
    where: { shop },
    // Never read yet: the epoch makes the board read them on its next load.
    create: { shop, fetchedAt: new Date(0), trafficKindRules: json },
    update: { trafficKindRules: json },
  });
}

export async function readTrafficKindRules(db: Db, shop: string): Promise<TrafficKindRule[]> {
  const row = await db.shopAnalytics.findUnique({ where: { shop }, select: { trafficKindRules: true } });
  return parseRules(row?.trafficKindRules ?? null);
}

const running = new Map<string, Promise<AnalyticsRefreshResult>>();

/** Refreshes now, joining a refresh of the same shop already running in this process. */
export function refreshShopAnalyticsOnce(db: Db, shop: string, client: GraphqlRequester, now: Date = new Date()): Promise<AnalyticsRefreshResult> {
  const current = running.get(shop);
  if (current) return current;
  const run = refreshShopAnalytics(db, shop, client, now).finally(() => running.delete(shop));
  running.set(shop, run);
  return run;
}

/**
 * Reads Shopify's analytics again, in the background, when the stored ones are more than a day old or were never
 * read (the scope granted after install, a daily job that failed). The import and the daily job read them on their
 * own, so the board never waits on ShopifyQL; a failure is logged and the board shows the last figures it has.
 */
export async function refreshAnalyticsIfStale(db: Db, shop: string, client: GraphqlRequester, now: Date = new Date()): Promise<void> {
  const row = await db.shopAnalytics.findUnique({ where: { shop }, select: { fetchedAt: true } });
  if (row && !analyticsStale(row.fetchedAt, now)) return;
  refreshShopAnalyticsOnce(db, shop, client, now).catch((error: unknown) => {
    console.error(`[analytics] refresh for ${shop} failed`, error);
  });
}
