/**
 * The app's ShopifyQL queries and their reader (Admin API `shopifyqlQuery`, scope read_reports).
 *
 * Each query is a constant, checked against Shopify's ShopifyQL reference (shopify.dev/docs/api/shopifyql):
 * keyword order FROM, SHOW, WHERE, SINCE/UNTIL, GROUP BY, TIMESERIES, ..., ORDER BY, LIMIT, WITH; `sessions` table
 * metrics `online_store_visitors` and `sessions` and dimensions `referrer_source` / `referrer_name`; `sales` table
 * metrics `net_sales`, `gross_profit` and `net_sales_with_cost_recorded` (cost coverage); `TIMESERIES month` gives a
 * `month` column (MONTH_TIMESTAMP); `WITH FIRST_CLICK_ATTRIBUTION` credits a sale to the channel of the customer's
 * first visit and names the attributed columns `<metric>__first_click`. The window is the current month and the
 * twelve before it (`SINCE startOfMonth(-12m) UNTIL today`).
 *
 * A failure is a plain message (ShopifyqlFailure), never a table of zeros: parse errors as Shopify wrote them, a
 * refusal with its real cause, or a table not of the expected shape. Shopify answers ACCESS_DENIED both without the
 * read_reports scope and without level 2 protected customer data (shopifyqlQuery's requiredAccess names both), so a
 * refusal is told apart by reading the granted scopes.
 */
import { ShopifyqlQuery } from "../graphql/ShopifyqlQuery";
import { ANALYTICS_SCOPE, readGrantedScopes, scopeGranted } from "./access-scopes.server";
import { AccessDeniedError } from "./errors";
import {
  COUNT_TYPES,
  MONEY_TYPES,
  MONTH_TYPES,
  optionalColumn,
  parseTable,
  readCount,
  readMoneyMinor,
  readMonth,
  readText,
  requireColumn,
  TableShapeError,
  TEXT_TYPES,
  type ShopifyqlTable,
} from "./shopifyql-table";
import type { GraphqlRequester } from "./requester.server";
import type { ShopifyqlQueryQuery } from "../types/admin.generated";

export type { GraphqlRequester };

/** Monthly online store visitors and sessions. */
export const MONTHLY_SESSIONS_QUERY = `FROM sessions
  SHOW online_store_visitors, sessions
  SINCE startOfMonth(-12m) UNTIL today
  TIMESERIES month
  ORDER BY month ASC`;

/** Visitors and sessions per month by traffic source (Stage 1 by kind). */
export const TRAFFIC_SOURCES_QUERY = `FROM sessions
  SHOW online_store_visitors, sessions
  SINCE startOfMonth(-12m) UNTIL today
  GROUP BY referrer_source, referrer_name
  TIMESERIES month
  ORDER BY month ASC
  LIMIT 1000`;

/** Net sales, gross profit and the net sales whose products have a cost, per month. */
export const MONTHLY_SALES_QUERY = `FROM sales
  SHOW net_sales, gross_profit, net_sales_with_cost_recorded
  SINCE startOfMonth(-12m) UNTIL today
  TIMESERIES month
  ORDER BY month ASC`;

/** Net sales and gross profit over the window by the channel of the customer's first visit. */
export const FIRST_VISIT_SALES_QUERY = `FROM sales
  SHOW net_sales, gross_profit
  SINCE startOfMonth(-12m) UNTIL today
  GROUP BY referring_channel
  WITH FIRST_CLICK_ATTRIBUTION`;

export const SHOPIFYQL_QUERIES = [
  MONTHLY_SESSIONS_QUERY,
  TRAFFIC_SOURCES_QUERY,
  MONTHLY_SALES_QUERY,
  FIRST_VISIT_SALES_QUERY,
] as const;

export type ShopifyqlFailureKind = "missing-scope" | "protected-data" | "parse" | "shape" | "request";

export class ShopifyqlFailure extends Error {
  constructor(
    readonly kind: ShopifyqlFailureKind,
    message: string,
  ) {
    super(message);
    this.name = "ShopifyqlFailure";
  }
}

export const MISSING_SCOPE_MESSAGE =
  "Shopify has not granted the app read_reports, the access scope its analytics (ShopifyQL) need: approve it when Shopify asks, on the app's next update or reinstall.";
export const PROTECTED_DATA_MESSAGE =
  "Shopify refused its analytics (ShopifyQL): besides read_reports they need level 2 protected customer data access (names, emails, phones and addresses), which the app's developer requests in the Partner Dashboard.";

/** Why Shopify refused: with read_reports granted, the missing piece is level 2 protected customer data. */
async function refusal(client: GraphqlRequester): Promise<ShopifyqlFailure> {
  const granted = await readGrantedScopes(client).catch(() => null);
  if (granted && scopeGranted(granted, ANALYTICS_SCOPE))
    return new ShopifyqlFailure("protected-data", PROTECTED_DATA_MESSAGE);
  return new ShopifyqlFailure("missing-scope", MISSING_SCOPE_MESSAGE);
}

export interface ShopifyqlResult {
  table: ShopifyqlTable;
  warnings: string[];
}

/** Runs one ShopifyQL query; throws ShopifyqlFailure with a plain message when there is no table to read. */
export async function runShopifyql(client: GraphqlRequester, query: string): Promise<ShopifyqlResult> {
  let data: ShopifyqlQueryQuery;
  try {
    ({ data } = await client.request(ShopifyqlQuery, { query }));
  } catch (error) {
    if (error instanceof AccessDeniedError) throw await refusal(client);
    throw new ShopifyqlFailure(
      "request",
      `Shopify's analytics could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const response = data?.shopifyqlQuery;
  if (!response) throw new ShopifyqlFailure("request", "Shopify returned no answer to the analytics query.");
  if (response.parseErrors?.length)
    throw new ShopifyqlFailure(
      "parse",
      `Shopify could not run the analytics query: ${response.parseErrors.join("; ")}`,
    );
  try {
    return { table: parseTable(response.tableData), warnings: response.parseWarnings ?? [] };
  } catch (error) {
    if (error instanceof TableShapeError) throw new ShopifyqlFailure("shape", error.message);
    throw error;
  }
}

/** Turns a row-reading error into a ShopifyqlFailure("shape"). */
function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof TableShapeError) throw new ShopifyqlFailure("shape", error.message);
    throw error;
  }
}

export interface MonthlySessions {
  month: string;
  visitors: number | null;
  sessions: number | null;
}

export function readMonthlySessions(table: ShopifyqlTable): MonthlySessions[] {
  return reading(() => {
    requireColumn(table, "month", MONTH_TYPES);
    requireColumn(table, "online_store_visitors", COUNT_TYPES);
    requireColumn(table, "sessions", COUNT_TYPES);
    return table.rows.map((row) => ({
      month: readMonth(row, "month"),
      visitors: readCount(row, "online_store_visitors"),
      sessions: readCount(row, "sessions"),
    }));
  });
}

export interface TrafficSourceMonth {
  month: string;
  source: string;
  name: string;
  visitors: number;
  sessions: number;
}

export function readTrafficSources(table: ShopifyqlTable): TrafficSourceMonth[] {
  return reading(() => {
    requireColumn(table, "month", MONTH_TYPES);
    requireColumn(table, "referrer_source", TEXT_TYPES);
    requireColumn(table, "referrer_name", TEXT_TYPES);
    requireColumn(table, "online_store_visitors", COUNT_TYPES);
    requireColumn(table, "sessions", COUNT_TYPES);
    return table.rows.map((row) => ({
      month: readMonth(row, "month"),
      source: readText(row, "referrer_source"),
      name: readText(row, "referrer_name"),
      visitors: readCount(row, "online_store_visitors") ?? 0,
      sessions: readCount(row, "sessions") ?? 0,
    }));
  });
}

export interface MonthlySales {
  month: string;
  netSalesMinor: bigint | null;
  grossProfitMinor: bigint | null;
  costRecordedSalesMinor: bigint | null;
}

export function readMonthlySales(table: ShopifyqlTable): MonthlySales[] {
  return reading(() => {
    requireColumn(table, "month", MONTH_TYPES);
    requireColumn(table, "net_sales", MONEY_TYPES);
    const profit = optionalColumn(table, "gross_profit", MONEY_TYPES);
    const covered = optionalColumn(table, "net_sales_with_cost_recorded", MONEY_TYPES);
    return table.rows.map((row) => ({
      month: readMonth(row, "month"),
      netSalesMinor: readMoneyMinor(row, "net_sales"),
      grossProfitMinor: profit ? readMoneyMinor(row, profit.name) : null,
      costRecordedSalesMinor: covered ? readMoneyMinor(row, covered.name) : null,
    }));
  });
}

export interface FirstVisitSales {
  channel: string;
  netSalesMinor: bigint | null;
  grossProfitMinor: bigint | null;
}

/** The first-click columns (`net_sales__first_click`, `gross_profit__first_click`) by `referring_channel`. */
export function readFirstVisitSales(table: ShopifyqlTable): FirstVisitSales[] {
  return reading(() => {
    requireColumn(table, "referring_channel", TEXT_TYPES);
    const net = requireColumn(table, "net_sales__first_click", MONEY_TYPES);
    const profit = optionalColumn(table, "gross_profit__first_click", MONEY_TYPES);
    return table.rows.map((row) => ({
      channel: readText(row, "referring_channel"),
      netSalesMinor: readMoneyMinor(row, net.name),
      grossProfitMinor: profit ? readMoneyMinor(row, profit.name) : null,
    }));
  });
}
