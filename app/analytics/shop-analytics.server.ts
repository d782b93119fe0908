/**
 * The shop's Shopify analytics: refreshShopAnalytics reads the ShopifyQL queries of app/shopify/shopifyql.server.ts,
 * counts the new email subscribers per month from the app's customers, and replaces the shop's stored rows
 * (app/models/analytics.server.ts); the board reads them summarised (loadShopAnalytics). A query that fails leaves a
 * plain message in ShopAnalytics and no rows of its own — never zeros. Schedule: daily (and the board refreshes them
 * when older than ANALYTICS_MAX_AGE_MS).
 */
import type { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { DAY_MS } from "../lifecycle";
import { SingleFlight } from "../domain/single-flight";
import {
  newSubscriberDates,
  readAnalyticsFetchedAt,
  readShopAnalytics,
  readTrafficKindRulesJson,
  replaceShopAnalytics,
  saveTrafficKindRulesJson,
} from "../models/analytics.server";
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
import type { ShopifyqlTable } from "../shopify/shopifyql-table";
import { addMonths, monthOf, summarizeAnalytics, type AnalyticsSummary } from "./metrics";
import { validateTrafficKindRules, type TrafficKindRule } from "./traffic-kinds";
import { logger } from "../logger.server";

/** Stored analytics older than this are read again (the board does it on load; the daily job too). */
export const ANALYTICS_MAX_AGE_MS = DAY_MS;
/** The window: the current month and the twelve before it (as the ShopifyQL queries ask). */
export const ANALYTICS_MONTHS = 13;

export interface AnalyticsRefreshResult {
  months: number;
  errors: { sessions: string | null; traffic: string | null; sales: string | null; firstVisit: string | null };
  simulated: boolean;
}

interface QueryAnswer<Row> {
  value: { rows: Row[]; warnings: string[] } | null;
  error: string | null;
}

/** Runs one ShopifyQL query and reads its table; a ShopifyQL failure is the query's error, anything else throws. */
async function query<Row>(
  client: GraphqlRequester,
  text: string,
  read: (table: ShopifyqlTable) => Row[],
): Promise<QueryAnswer<Row>> {
  try {
    const result = await runShopifyql(client, text);
    return { value: { rows: read(result.table), warnings: result.warnings }, error: null };
  } catch (error) {
    if (error instanceof ShopifyqlFailure) return { value: null, error: error.message };
    throw error;
  }
}

async function subscribersPerMonth(db: Db, shop: string, fromMonth: string, now: Date): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const date of await newSubscriberDates(db, shop, new Date(`${fromMonth}-01T00:00:00Z`), now)) {
    const month = monthOf(date);
    counts.set(month, (counts.get(month) ?? 0) + 1);
  }
  return counts;
}

type Sessions = ReturnType<typeof readMonthlySessions>[number];
type Sales = ReturnType<typeof readMonthlySales>[number];
type Traffic = ReturnType<typeof readTrafficSources>[number];
type FirstVisit = ReturnType<typeof readFirstVisitSales>[number];

/** One row per month of the window: Shopify's figures where a query answered, null where it did not. */
function monthRows(
  shop: string,
  fromMonth: string,
  subscribers: Map<string, number>,
  sessions: QueryAnswer<Sessions>,
  sales: QueryAnswer<Sales>,
) {
  const months = new Map<string, Prisma.ShopAnalyticsMonthCreateManyInput>();
  for (let i = 0; i < ANALYTICS_MONTHS; i++) {
    const month = addMonths(fromMonth, i);
    months.set(month, { shop, month, subscribers: subscribers.get(month) ?? 0 });
  }
  const row = (month: string) =>
    months.get(month) ?? months.set(month, { shop, month, subscribers: subscribers.get(month) ?? 0 }).get(month)!;
  for (const s of sessions.value?.rows ?? [])
    Object.assign(row(s.month), { visitors: s.visitors, sessions: s.sessions });
  for (const s of sales.value?.rows ?? [])
    Object.assign(row(s.month), {
      netSalesMinor: s.netSalesMinor,
      grossProfitMinor: s.grossProfitMinor,
      costRecordedSalesMinor: s.costRecordedSalesMinor,
    });
  // Shopify leaves out months without sessions or sales: within the window such a month is a zero, not unknown.
  if (sessions.value)
    for (const r of months.values()) if (r.visitors == null) Object.assign(r, { visitors: 0, sessions: 0 });
  if (sales.value)
    for (const r of months.values())
      if (r.netSalesMinor == null)
        Object.assign(r, { netSalesMinor: 0n, grossProfitMinor: 0n, costRecordedSalesMinor: 0n });
  return [...months.values()];
}

/** Shopify may answer a (month, source, name) more than once: their visitors and sessions add up. */
function trafficRows(shop: string, traffic: QueryAnswer<Traffic>): Prisma.ShopTrafficMonthCreateManyInput[] {
  const rows = new Map<string, Prisma.ShopTrafficMonthCreateManyInput>();
  for (const t of traffic.value?.rows ?? []) {
    const key = `${t.month}\u0000${t.source}\u0000${t.name}`;
    const existing = rows.get(key);
    if (existing) {
      existing.visitors += t.visitors;
      existing.sessions += t.sessions;
    } else
      rows.set(key, {
        shop,
        month: t.month,
        source: t.source,
        name: t.name,
        visitors: t.visitors,
        sessions: t.sessions,
      });
  }
  return [...rows.values()];
}

/** One row per first-visit channel, its sales added up (unknown stays unknown only when every part is). */
function firstVisitRows(
  shop: string,
  firstVisit: QueryAnswer<FirstVisit>,
): Prisma.ShopFirstVisitSalesCreateManyInput[] {
  const rows = new Map<string, Prisma.ShopFirstVisitSalesCreateManyInput>();
  const add = (a: bigint | null | undefined, b: bigint | null) =>
    a == null && b == null ? null : (a ?? 0n) + (b ?? 0n);
  for (const f of firstVisit.value?.rows ?? []) {
    const existing = rows.get(f.channel);
    if (existing) {
      existing.netSalesMinor = add(existing.netSalesMinor as bigint | null, f.netSalesMinor);
      existing.grossProfitMinor = add(existing.grossProfitMinor as bigint | null, f.grossProfitMinor);
    } else
      rows.set(f.channel, {
        shop,
        channel: f.channel,
        netSalesMinor: f.netSalesMinor,
        grossProfitMinor: f.grossProfitMinor,
      });
  }
  return [...rows.values()];
}

/**
 * Reads the shop's analytics from Shopify (four ShopifyQL queries through `client`) and stores them, replacing the
 * shop's previous rows. For the daily job (clientForShop) and the board (the request's admin client).
 */
export async function refreshShopAnalytics(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  now: Date = new Date(),
): Promise<AnalyticsRefreshResult> {
  const sessions = await query(client, MONTHLY_SESSIONS_QUERY, readMonthlySessions);
  const traffic = await query(client, TRAFFIC_SOURCES_QUERY, readTrafficSources);
  const sales = await query(client, MONTHLY_SALES_QUERY, readMonthlySales);
  const firstVisit = await query(client, FIRST_VISIT_SALES_QUERY, readFirstVisitSales);

  const fromMonth = addMonths(monthOf(now), -(ANALYTICS_MONTHS - 1));
  const subscribers = await subscribersPerMonth(db, shop, fromMonth, now);
  const warnings = [...new Set([sessions, traffic, sales, firstVisit].flatMap((r) => r.value?.warnings ?? []))];
  const simulated = warnings.some((w) => /simulated/i.test(w));
  const errors = { sessions: sessions.error, traffic: traffic.error, sales: sales.error, firstVisit: firstVisit.error };

  const months = monthRows(shop, fromMonth, subscribers, sessions, sales);
  await replaceShopAnalytics(db, shop, {
    status: {
      fetchedAt: now,
      sessionsError: errors.sessions,
      trafficError: errors.traffic,
      salesError: errors.sales,
      firstVisitError: errors.firstVisit,
      warnings: warnings.length ? JSON.stringify(warnings) : null,
      simulated,
    },
    months,
    traffic: trafficRows(shop, traffic),
    firstVisit: firstVisitRows(shop, firstVisit),
  });
  return { months: months.length, errors, simulated };
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
  const stored = await readShopAnalytics(db, shop);
  if (!stored) return null;
  const { status, months, traffic, firstVisit } = stored;
  const rules = parseRules(status.trafficKindRules);
  return {
    fetchedAt: status.fetchedAt.toISOString(),
    simulated: status.simulated,
    warnings: parseWarnings(status.warnings),
    errors: {
      sessions: status.sessionsError,
      traffic: status.trafficError,
      sales: status.salesError,
      firstVisit: status.firstVisitError,
    },
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
  await saveTrafficKindRulesJson(db, shop, rules.length ? JSON.stringify(validateTrafficKindRules(rules)) : null);
}

export async function readTrafficKindRules(db: Db, shop: string): Promise<TrafficKindRule[]> {
  return parseRules(await readTrafficKindRulesJson(db, shop));
}

const refreshes = new SingleFlight<AnalyticsRefreshResult>();

/** Refreshes now, joining a refresh of the same shop already running in this process. */
export function refreshShopAnalyticsOnce(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  now: Date = new Date(),
): Promise<AnalyticsRefreshResult> {
  return refreshes.run(shop, () => refreshShopAnalytics(db, shop, client, now));
}

/**
 * Reads Shopify's analytics again, in the background, when the stored ones are more than a day old or were never
 * read (the scope granted after install, a daily job that failed). The import and the daily job read them on their
 * own, so the board never waits on ShopifyQL; a failure is logged and the board shows the last figures it has.
 */
export async function refreshAnalyticsIfStale(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  now: Date = new Date(),
): Promise<void> {
  const fetchedAt = await readAnalyticsFetchedAt(db, shop);
  if (fetchedAt && !analyticsStale(fetchedAt, now)) return;
  refreshShopAnalyticsOnce(db, shop, client, now).catch((error: unknown) => {
    logger.error({ component: "analytics", shop, err: error }, "refresh failed");
  });
}
