/**
 * The dev store's `shopifyqlQuery`: it answers exactly the app's four ShopifyQL queries (the text below, compared
 * with runs of whitespace collapsed) from the shop's data — sessions from the SIMULATED traffic of
 * seed/sessions.ts, sales from the shop's real orders (net sales = total − refunds; the data has no product costs,
 * so gross profit and net_sales_with_cost_recorded are 0.00) — and gives Shopify's parseErrors shape (a list of
 * messages, no tableData) for any other query. Without the read_reports scope or level 2 protected customer data the
 * field is denied with Shopify's ACCESS_DENIED error (access.ts, from the schema's requiredAccess). Answers built on
 * simulated data carry a parseWarning that says so.
 *
 * The window is SINCE startOfMonth(-12m) UNTIL today in UTC (the dev store's clock).
 */
import type { ShopState } from "./state";
import { formatMinor } from "./util";
import {
  salesByFirstVisitChannel,
  salesByMonth,
  simulatedTraffic,
  SIMULATED_FIRST_VISIT_WARNING,
  SIMULATED_SESSIONS_WARNING,
} from "./seed/sessions";

/** The queries the dev store answers: copies of the app's constants (a test checks they are the same). */
export const ANSWERED_QUERIES = {
  monthlySessions: `FROM sessions
  SHOW online_store_visitors, sessions
  SINCE startOfMonth(-12m) UNTIL today
  TIMESERIES month
  ORDER BY month ASC`,
  trafficSources: `FROM sessions
  SHOW online_store_visitors, sessions
  SINCE startOfMonth(-12m) UNTIL today
  GROUP BY referrer_source, referrer_name
  TIMESERIES month
  ORDER BY month ASC
  LIMIT 1000`,
  monthlySales: `FROM sales
  SHOW net_sales, gross_profit, net_sales_with_cost_recorded
  SINCE startOfMonth(-12m) UNTIL today
  TIMESERIES month
  ORDER BY month ASC`,
  firstVisitSales: `FROM sales
  SHOW net_sales, gross_profit
  SINCE startOfMonth(-12m) UNTIL today
  GROUP BY referring_channel
  WITH FIRST_CLICK_ATTRIBUTION`,
} as const;

const normalize = (q: string) => q.replace(/\s+/g, " ").trim();

type Column = { name: string; dataType: string; displayName: string; columnOrigin?: "REQUESTED" | "GENERATED" };

function table(columns: Column[], rows: Array<Record<string, unknown>>) {
  return {
    columns: columns.map((c) => ({
      name: c.name,
      dataType: c.dataType,
      displayName: c.displayName,
      shortDisplayName: null,
      subType: null,
      columnOrigin: c.columnOrigin ?? "REQUESTED",
      dynamicColumnMetadata: null,
    })),
    rows,
    rowMetadata: rows.map(() => ({ nullCellTranslations: [], rawResourceIds: [], topNRemainderColumnNames: [] })),
  };
}

/** SINCE startOfMonth(-12m) UNTIL today, UTC. */
export function shopifyqlWindow(now: number): { from: number; to: number } {
  const d = new Date(now);
  return { from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 12, 1), to: now };
}

const monthValue = (month: string) => `${month}-01`;

export function answerShopifyql(shop: ShopState, query: string, now: number) {
  const { from, to } = shopifyqlWindow(now);
  const q = normalize(query);
  if (q === normalize(ANSWERED_QUERIES.monthlySessions)) {
    const byMonth = new Map<string, { visitors: number; sessions: number }>();
    for (const r of simulatedTraffic(shop, from, to)) {
      const m = byMonth.get(r.month) ?? { visitors: 0, sessions: 0 };
      m.visitors += r.visitors;
      m.sessions += r.sessions;
      byMonth.set(r.month, m);
    }
    const rows = [...byMonth.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([month, m]) => ({
        month: monthValue(month),
        online_store_visitors: String(m.visitors),
        sessions: String(m.sessions),
      }));
    return ok(
      table(
        [
          { name: "month", dataType: "MONTH_TIMESTAMP", displayName: "Month" },
          { name: "online_store_visitors", dataType: "INTEGER", displayName: "Online store visitors" },
          { name: "sessions", dataType: "INTEGER", displayName: "Sessions" },
        ],
        rows,
      ),
      [SIMULATED_SESSIONS_WARNING],
    );
  }
  if (q === normalize(ANSWERED_QUERIES.trafficSources)) {
    const rows = simulatedTraffic(shop, from, to).map((r) => ({
      month: monthValue(r.month),
      referrer_source: r.source,
      referrer_name: r.name,
      online_store_visitors: String(r.visitors),
      sessions: String(r.sessions),
    }));
    return ok(
      table(
        [
          { name: "month", dataType: "MONTH_TIMESTAMP", displayName: "Month" },
          { name: "referrer_source", dataType: "STRING", displayName: "Referrer source" },
          { name: "referrer_name", dataType: "STRING", displayName: "Referrer name" },
          { name: "online_store_visitors", dataType: "INTEGER", displayName: "Online store visitors" },
          { name: "sessions", dataType: "INTEGER", displayName: "Sessions" },
        ],
        rows.slice(0, 1000),
      ),
      [SIMULATED_SESSIONS_WARNING],
    );
  }
  if (q === normalize(ANSWERED_QUERIES.monthlySales)) {
    const rows = salesByMonth(shop, from, to).map((r) => ({
      month: monthValue(r.month),
      net_sales: formatMinor(r.netSalesMinor),
      gross_profit: "0.00",
      net_sales_with_cost_recorded: "0.00",
    }));
    return ok(
      table(
        [
          { name: "month", dataType: "MONTH_TIMESTAMP", displayName: "Month" },
          { name: "net_sales", dataType: "MONEY", displayName: "Net sales" },
          { name: "gross_profit", dataType: "MONEY", displayName: "Gross profit" },
          { name: "net_sales_with_cost_recorded", dataType: "MONEY", displayName: "Net sales with cost recorded" },
        ],
        rows,
      ),
      [],
    );
  }
  if (q === normalize(ANSWERED_QUERIES.firstVisitSales)) {
    const rows = salesByFirstVisitChannel(shop, from, to).map((r) => ({
      referring_channel: r.channel,
      net_sales__first_click: formatMinor(r.netSalesMinor),
      gross_profit__first_click: "0.00",
    }));
    return ok(
      table(
        [
          { name: "referring_channel", dataType: "STRING", displayName: "Referring channel" },
          {
            name: "net_sales__first_click",
            dataType: "MONEY",
            displayName: "Net sales (first click)",
            columnOrigin: "GENERATED",
          },
          {
            name: "gross_profit__first_click",
            dataType: "MONEY",
            displayName: "Gross profit (first click)",
            columnOrigin: "GENERATED",
          },
        ],
        rows,
      ),
      [SIMULATED_FIRST_VISIT_WARNING],
    );
  }
  return {
    parseErrors: [
      `devstore: the dev store answers only the app's ShopifyQL queries (tests/devstore/shopifyql.ts), not: ${q.slice(0, 200)}`,
    ],
    parseWarnings: [],
    tableData: null,
    analyticsTargets: [],
  };
}

function ok(tableData: ReturnType<typeof table>, parseWarnings: string[]) {
  return { parseErrors: [], parseWarnings, tableData, analyticsTargets: [] };
}

/** The root field resolver (read_reports and level 2 are checked before it runs, from the schema: access.ts). */
export function shopifyqlQueryField(args: { query?: unknown }, ctx: { shop: ShopState; now: number }) {
  return answerShopifyql(ctx.shop, String(args.query ?? ""), ctx.now);
}
