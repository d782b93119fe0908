import { describe, expect, it } from "vitest";
import { startDevStore } from "../devstore/server";
import { ANSWERED_QUERIES } from "../devstore/shopifyql";
import { AdminClient } from "../../app/shopify/admin-client.server";
import { AccessDeniedError } from "../../app/shopify/errors";
import {
  FIRST_VISIT_SALES_QUERY,
  MONTHLY_SALES_QUERY,
  MONTHLY_SESSIONS_QUERY,
  MISSING_SCOPE_MESSAGE,
  PROTECTED_DATA_MESSAGE,
  readFirstVisitSales,
  readMonthlySales,
  readMonthlySessions,
  readTrafficSources,
  runShopifyql,
  SHOPIFYQL_QUERIES,
  ShopifyqlFailure,
  TRAFFIC_SOURCES_QUERY,
  type GraphqlRequester,
} from "../../app/shopify/shopifyql.server";
import { parseTable, readMoneyMinor, readMonth, TableShapeError } from "../../app/shopify/shopifyql-table";

/** Keyword order of Shopify's ShopifyQL reference: FROM, SHOW, WHERE, SINCE/UNTIL, GROUP BY, TIMESERIES, ..., ORDER BY, LIMIT, WITH. */
const KEYWORD_ORDER = [
  "FROM",
  "SHOW",
  "WHERE",
  "SINCE",
  "UNTIL",
  "GROUP BY",
  "TIMESERIES",
  "COMPARE TO",
  "HAVING",
  "ORDER BY",
  "LIMIT",
  "WITH",
  "VISUALIZE",
];

function keywords(query: string): string[] {
  return query
    .split("\n")
    .map((l) => l.trim())
    .flatMap((line) => {
      const found: Array<[number, string]> = [];
      for (const k of KEYWORD_ORDER) {
        const i = line.search(new RegExp(`(^|\\s)${k}(\\s|$)`));
        if (i >= 0) found.push([i, k]);
      }
      return found.sort((a, b) => a[0] - b[0]).map(([, k]) => k);
    });
}

describe("the ShopifyQL queries", () => {
  it("are the four the app needs, word for word", () => {
    expect(MONTHLY_SESSIONS_QUERY).toBe(
      "FROM sessions\n  SHOW online_store_visitors, sessions\n  SINCE startOfMonth(-12m) UNTIL today\n  TIMESERIES month\n  ORDER BY month ASC",
    );
    expect(TRAFFIC_SOURCES_QUERY).toBe(
      "FROM sessions\n  SHOW online_store_visitors, sessions\n  SINCE startOfMonth(-12m) UNTIL today\n  GROUP BY referrer_source, referrer_name\n  TIMESERIES month\n  ORDER BY month ASC\n  LIMIT 1000",
    );
    expect(MONTHLY_SALES_QUERY).toBe(
      "FROM sales\n  SHOW net_sales, gross_profit, net_sales_with_cost_recorded\n  SINCE startOfMonth(-12m) UNTIL today\n  TIMESERIES month\n  ORDER BY month ASC",
    );
    expect(FIRST_VISIT_SALES_QUERY).toBe(
      "FROM sales\n  SHOW net_sales, gross_profit\n  SINCE startOfMonth(-12m) UNTIL today\n  GROUP BY referring_channel\n  WITH FIRST_CLICK_ATTRIBUTION",
    );
  });

  it.each(SHOPIFYQL_QUERIES.map((q) => [q.split("\n")[0] + " / " + q.split("\n")[1].trim(), q]))(
    "%s keeps the reference's keyword order",
    (_name, query) => {
      const found = keywords(query);
      expect(found[0]).toBe("FROM");
      expect(found[1]).toBe("SHOW");
      const positions = found.map((k) => KEYWORD_ORDER.indexOf(k));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    },
  );

  it("the dev store answers exactly these (its copies are the same text)", () => {
    expect(Object.values(ANSWERED_QUERIES)).toEqual([...SHOPIFYQL_QUERIES]);
  });
});

describe("reading tableData", () => {
  const sessions = {
    columns: [
      { name: "month", dataType: "MONTH_TIMESTAMP", displayName: "Month" },
      { name: "online_store_visitors", dataType: "INTEGER", displayName: "Online store visitors" },
      { name: "sessions", dataType: "INTEGER", displayName: "Sessions" },
    ],
    rows: [
      { month: "2026-09-01", online_store_visitors: "1200", sessions: "1560" },
      { month: "2026-10-01T00:00:00-04:00", online_store_visitors: 1300, sessions: 1690 },
    ],
  };

  it("columns with their dataType, rows keyed by column name (numbers as strings or numbers)", () => {
    expect(readMonthlySessions(parseTable(sessions))).toEqual([
      { month: "2026-09", visitors: 1200, sessions: 1560 },
      { month: "2026-10", visitors: 1300, sessions: 1690 },
    ]);
  });

  it("rows as arrays in column order, and rows sent as a JSON string, read the same", () => {
    const asArrays = { columns: sessions.columns, rows: [["2026-09-01", "1200", "1560"]] };
    expect(readMonthlySessions(parseTable(asArrays))).toEqual([{ month: "2026-09", visitors: 1200, sessions: 1560 }]);
    expect(
      readMonthlySessions(parseTable({ columns: sessions.columns, rows: JSON.stringify(sessions.rows) })),
    ).toHaveLength(2);
  });

  it("money in minor units, rounded at the hundredth; a null cell stays unknown", () => {
    expect(readMoneyMinor({ a: "1234.56" }, "a")).toBe(123456n);
    expect(readMoneyMinor({ a: "0.005" }, "a")).toBe(1n);
    expect(readMoneyMinor({ a: "-12.3" }, "a")).toBe(-1230n);
    expect(readMoneyMinor({ a: 7 }, "a")).toBe(700n);
    expect(readMoneyMinor({ a: null }, "a")).toBeNull();
    expect(() => readMoneyMinor({ a: "12,30 €" }, "a")).toThrow(TableShapeError);
    expect(readMonth({ m: "2026-02" }, "m")).toBe("2026-02");
    expect(() => readMonth({ m: "Feb 2026" }, "m")).toThrow(/not a month/);
  });

  it("sales: gross profit and cost coverage when Shopify has the columns", () => {
    const table = parseTable({
      columns: [
        { name: "month", dataType: "MONTH_TIMESTAMP" },
        { name: "net_sales", dataType: "MONEY" },
        { name: "gross_profit", dataType: "MONEY" },
        { name: "net_sales_with_cost_recorded", dataType: "MONEY" },
      ],
      rows: [
        { month: "2026-10-01", net_sales: "1000.00", gross_profit: "400.00", net_sales_with_cost_recorded: "950.00" },
      ],
    });
    expect(readMonthlySales(table)).toEqual([
      { month: "2026-10", netSalesMinor: 100000n, grossProfitMinor: 40000n, costRecordedSalesMinor: 95000n },
    ]);
  });

  it("traffic and first-visit tables", () => {
    const traffic = parseTable({
      columns: [
        { name: "month", dataType: "MONTH_TIMESTAMP" },
        { name: "referrer_source", dataType: "STRING" },
        { name: "referrer_name", dataType: "STRING" },
        { name: "online_store_visitors", dataType: "INTEGER" },
        { name: "sessions", dataType: "INTEGER" },
      ],
      rows: [
        {
          month: "2026-10-01",
          referrer_source: "direct",
          referrer_name: null,
          online_store_visitors: "10",
          sessions: "12",
        },
      ],
    });
    expect(readTrafficSources(traffic)).toEqual([
      { month: "2026-10", source: "direct", name: "", visitors: 10, sessions: 12 },
    ]);
    const first = parseTable({
      columns: [
        { name: "referring_channel", dataType: "STRING" },
        { name: "net_sales__first_click", dataType: "MONEY" },
      ],
      rows: [{ referring_channel: "search", net_sales__first_click: "12.34" }],
    });
    expect(readFirstVisitSales(first)).toEqual([{ channel: "search", netSalesMinor: 1234n, grossProfitMinor: null }]);
  });

  it("a table not of the expected shape is a plain error, never zeros", () => {
    expect(() => parseTable(null)).toThrow("Shopify returned no table.");
    expect(() => parseTable({ columns: [{ name: "month" }], rows: [] })).toThrow(/no name or data type/);
    expect(() => readMonthlySessions(parseTable({ columns: sessions.columns.slice(0, 2), rows: [] }))).toThrow(
      /no column "sessions"/,
    );
    expect(() =>
      readMonthlySessions(
        parseTable({
          columns: [
            { ...sessions.columns[0] },
            { name: "online_store_visitors", dataType: "STRING" },
            sessions.columns[2],
          ],
          rows: [],
        }),
      ),
    ).toThrow(/is STRING, not INTEGER/);
    expect(() =>
      readMonthlySessions(
        parseTable({
          columns: sessions.columns,
          rows: [{ month: "2026-10-01", online_store_visitors: "-3", sessions: "1" }],
        }),
      ),
    ).toThrow(/not a count/);
  });
});

describe("runShopifyql: failures are plain messages", () => {
  const answering = (answer: unknown): GraphqlRequester => ({
    request: async <T>() => ({ data: { shopifyqlQuery: answer } as T }),
  });

  it("parse errors as Shopify wrote them", async () => {
    const failure = await runShopifyql(
      answering({ parseErrors: ["Invalid column 'visitorz'"], tableData: null }),
      "FROM x",
    ).catch((e) => e);
    expect(failure).toBeInstanceOf(ShopifyqlFailure);
    expect(failure).toMatchObject({
      kind: "parse",
      message: "Shopify could not run the analytics query: Invalid column 'visitorz'",
    });
  });

  /** A requester that refuses ShopifyQL as Shopify does and answers the access scopes query with `granted`. */
  const refusing = (granted: string[]): GraphqlRequester => ({
    request: async <T>(document: string) => {
      if (document.includes("AccessScopesQuery"))
        return { data: { currentAppInstallation: { accessScopes: granted.map((handle) => ({ handle })) } } as T };
      throw new AccessDeniedError("ShopifyqlQuery: Access denied for shopifyqlQuery field.", {
        operation: "ShopifyqlQuery",
        errors: [{ extensions: { code: "ACCESS_DENIED" } }],
      });
    },
  });

  it("a refusal names its real cause: the read_reports scope, or level 2 protected customer data when the scope is granted", async () => {
    await expect(runShopifyql(refusing(["read_customers"]), MONTHLY_SESSIONS_QUERY)).rejects.toMatchObject({
      kind: "missing-scope",
      message: MISSING_SCOPE_MESSAGE,
    });
    await expect(
      runShopifyql(refusing(["read_customers", "read_reports"]), MONTHLY_SESSIONS_QUERY),
    ).rejects.toMatchObject({
      kind: "protected-data",
      message: PROTECTED_DATA_MESSAGE,
    });
    expect(PROTECTED_DATA_MESSAGE).toMatch(/level 2 protected customer data/);
    expect(MISSING_SCOPE_MESSAGE).toMatch(/read_reports/);
  });

  it("against the dev store: another query gets Shopify's parseErrors shape; a refusal names its cause", async () => {
    const shop = "shopifyql-errors.myshopify.com";
    const ds = await startDevStore({ apiKey: "k", apiSecret: "s" });
    try {
      ds.addShop(shop);
      const client = new AdminClient({
        shop,
        endpoint: `${ds.origin}/admin/api/2026-10/graphql.json`,
        accessToken: async () => ds.issueOfflineToken(shop),
      });
      const other = await client.request<{ shopifyqlQuery: { parseErrors: string[]; tableData: unknown } }>(
        "query Q($q: String!) { shopifyqlQuery(query: $q) { parseErrors tableData { rows } } }",
        { q: "FROM sales SHOW total_sales" },
      );
      expect(other.data.shopifyqlQuery.tableData).toBeNull();
      expect(other.data.shopifyqlQuery.parseErrors).toHaveLength(1);
      await expect(runShopifyql(client, "FROM sales SHOW total_sales")).rejects.toMatchObject({ kind: "parse" });
      // A shop without sessions: the queries answer with empty tables.
      const empty = await runShopifyql(client, MONTHLY_SESSIONS_QUERY);
      expect(empty.table.rows).toEqual([]);

      ds.setAccess(shop, { scopes: "read_customers,read_orders,read_reports", protectedCustomerData: 1 });
      await expect(runShopifyql(client, MONTHLY_SESSIONS_QUERY)).rejects.toMatchObject({
        kind: "protected-data",
        message: PROTECTED_DATA_MESSAGE,
      });
      ds.setAccess(shop, { scopes: "read_customers,read_orders", protectedCustomerData: 2 });
      await expect(runShopifyql(client, MONTHLY_SESSIONS_QUERY)).rejects.toMatchObject({
        kind: "missing-scope",
        message: MISSING_SCOPE_MESSAGE,
      });
    } finally {
      await ds.close();
    }
  });
});
