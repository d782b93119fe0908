/**
 * Stages 1–2 and GP/V measured from the dev store's ShopifyQL answers on the seeded Online Retail shop (sessions
 * simulated, sales the real orders), against figures computed here independently: straight from the dev store's
 * records (its orders, its customers' consent dates and the simulated traffic rows), not through the app's reader.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../devstore/server";
import { simulatedTraffic, salesByFirstVisitChannel, SIMULATED_SESSIONS_WARNING } from "../devstore/seed/sessions";
import { shopifyqlWindow } from "../devstore/shopifyql";
import { createTestDb, type TestDb } from "../support/test-db";
import { AdminClient } from "../../app/shopify/admin-client.server";
import { loadShopAnalytics, refreshShopAnalytics } from "../../app/analytics/shop-analytics.server";
import { loadBoard } from "../../app/board/board.server";
import { emptyMeasure } from "../../app/board/conversion";
import { kindOf } from "../../app/analytics/traffic-kinds";
import { newSubscribersIn } from "./expected";

const SHOP = "analytics-seeded.myshopify.com";
const NOW = new Date("2026-11-23T12:00:00Z");
let ds: DevStore;
let t: TestDb;
let client: AdminClient;

const month = (ms: number) => new Date(ms).toISOString().slice(0, 7);

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "key", apiSecret: "secret", clock: () => NOW.getTime() });
  await ds.seedOnlineRetail(SHOP, { shiftTo: NOW });
  t = createTestDb();
  const token = ds.issueOfflineToken(SHOP);
  client = new AdminClient({
    shop: SHOP,
    endpoint: `${ds.origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => token,
    now: () => NOW.getTime(),
  });
  // The app's facts, copied from the dev store (what the backfill would import).
  const shop = ds.shops.get(SHOP)!;
  await t.db.shop.create({ data: { domain: SHOP, currencyCode: "GBP" } });
  const customers = [...shop.customers.values()];
  for (let i = 0; i < customers.length; i += 2000) {
    await t.db.customer.createMany({
      data: customers.slice(i, i + 2000).map((c) => ({
        shop: SHOP,
        gid: `gid://shopify/Customer/${c.id}`,
        emailMarketingState: c.emailMarketing.state,
        consentUpdatedAt:
          c.emailMarketing.consentUpdatedAt == null ? null : new Date(c.emailMarketing.consentUpdatedAt),
      })),
    });
  }
  const orders = [...shop.orders.values()];
  for (let i = 0; i < orders.length; i += 2000) {
    await t.db.order.createMany({
      data: orders.slice(i, i + 2000).map((o) => ({
        shop: SHOP,
        gid: `gid://shopify/Order/${o.id}`,
        customerGid: o.customerId == null ? null : `gid://shopify/Customer/${o.customerId}`,
        createdAt: new Date(o.createdAt),
        totalMinor: BigInt(o.totalMinor),
        refundedMinor: BigInt(o.refundedMinor),
        cancelled: o.cancelledAt != null,
        fullyRefunded: o.refundedMinor >= o.totalMinor && o.totalMinor > 0,
        test: o.test,
      })),
    });
  }
}, 180_000);

afterAll(async () => {
  await t?.close();
  await ds?.close();
});

describe("analytics of the seeded dev store", () => {
  it("reads all four queries, says the sessions are simulated, and stores a row per month", async () => {
    const result = await refreshShopAnalytics(t.db, SHOP, client, NOW);
    expect(result.errors).toEqual({ sessions: null, traffic: null, sales: null, firstVisit: null });
    expect(result.simulated).toBe(true);
    expect(result.months).toBe(13);
    const view = (await loadShopAnalytics(t.db, SHOP, NOW))!;
    expect(view.warnings).toContain(SIMULATED_SESSIONS_WARNING);
  });

  it("Stage 1: visitors of the last complete month, the 3-month trend and the split by kind match the sessions table", async () => {
    const view = (await loadShopAnalytics(t.db, SHOP, NOW))!;
    const shop = ds.shops.get(SHOP)!;
    const { from, to } = shopifyqlWindow(NOW.getTime());
    const rows = simulatedTraffic(shop, from, to);
    const perMonth = new Map<string, number>();
    for (const r of rows) perMonth.set(r.month, (perMonth.get(r.month) ?? 0) + r.visitors);
    const last = "2026-10";
    expect(view.summary.month).toBe(last);
    expect(view.summary.stage1.visitors).toBe(perMonth.get(last));
    const sum = (ms: string[]) => ms.reduce((s, m) => s + (perMonth.get(m) ?? 0), 0);
    const recent = sum(["2026-08", "2026-09", "2026-10"]);
    const previous = sum(["2026-05", "2026-06", "2026-07"]);
    expect(view.summary.stage1.recent).toBe(recent);
    expect(view.summary.stage1.previous).toBe(previous);
    expect(view.summary.stage1.trend).toBeCloseTo(recent / previous, 10);
    // By kind: sources of the month, grouped by hand with the documented table.
    const expected: Record<string, number> = {
      "shine-a-light": 0,
      "target-customers": 0,
      "get-found": 0,
      "not-stage-1": 0,
      unattributed: 0,
    };
    for (const r of rows.filter((r) => r.month === last)) {
      const kind =
        r.source === "paid"
          ? r.name === "YouTube"
            ? "shine-a-light"
            : r.name === "Google"
              ? "get-found"
              : "target-customers"
          : r.source === "search" || r.source === "direct"
            ? "get-found"
            : r.source === "social"
              ? "shine-a-light"
              : r.source === "email"
                ? "not-stage-1"
                : r.name
                  ? "shine-a-light"
                  : "unattributed";
      expected[kind] += r.visitors;
      expect(kindOf(r.source, r.name)).toBe(kind);
    }
    expect(Object.fromEntries(view.summary.stage1.byKind!.map((k) => [k.kind, k.visitors]))).toEqual(expected);
  });

  it("Stage 2: new subscribers of the month (consent dates, no earlier order) ÷ its visitors", async () => {
    const view = (await loadShopAnalytics(t.db, SHOP, NOW))!;
    const subscribers = newSubscribersIn(ds.shops.get(SHOP)!, "2026-10");
    expect(subscribers).toBeGreaterThan(0);
    expect(view.summary.stage2.subscribers).toBe(subscribers);
    expect(view.summary.stage2.rate).toBeCloseTo(subscribers / view.summary.stage1.visitors!, 12);
    expect(view.summary.stage2.reference).toBe(0.0309);
  });

  it("GP/V: no product costs in the data, so net sales per visitor, said so; by first-visit kind where Shopify gives it", async () => {
    const view = (await loadShopAnalytics(t.db, SHOP, NOW))!;
    const shop = ds.shops.get(SHOP)!;
    expect(view.summary.profitBasis).toBe("netSales");
    expect(view.summary.costCoverage).toBe(0);
    let net = 0;
    for (const o of shop.orders.values())
      if (!o.test && month(o.createdAt) === "2026-10") net += o.totalMinor - o.refundedMinor;
    expect(view.summary.gpv.perVisitorMinor).toBeCloseTo(net / view.summary.stage1.visitors!, 8);
    const { from, to } = shopifyqlWindow(NOW.getTime());
    const paid = salesByFirstVisitChannel(shop, from, to).find((c) => c.channel === "paid")!.netSalesMinor;
    const targetVisitors = simulatedTraffic(shop, from, to)
      .filter((r) => r.source === "paid" && r.name === "Facebook")
      .reduce((s, r) => s + r.visitors, 0);
    const target = view.summary.gpv.byFirstVisitKind!.find((k) => k.kind === "target-customers")!;
    expect(target.profitMinor).toBe(paid);
    expect(target.visitors).toBe(targetVisitors);
  });

  it("the board judges all five stages with analytics, Stage 1 and 2 from Shopify's numbers", async () => {
    const estimate = (customers: number, converted: number) => ({
      rate: converted / customers,
      lower: 0.01,
      upper: 0.99,
      customers,
      converted,
      horizonDays: 365,
      atRiskAtHorizon: customers,
    });
    const conversions = async () => ({
      2: { ...emptyMeasure(2, null), newSubscribers: 0 },
      3: { ...emptyMeasure(3, null), estimate: { ...estimate(1000, 150), horizonDays: 90 } },
      4: { ...emptyMeasure(4, null), estimate: estimate(1000, 300) },
      5: { ...emptyMeasure(5, null), estimate: estimate(400, 200) },
    });
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    const view = board.analytics!;
    expect(board.stages[0]).toMatchObject({ targetCustomers: view.summary.stage1.visitors, visitorsFrom: "analytics" });
    expect(board.stages[1]).toMatchObject({ sourceCustomers: view.summary.stage1.visitors, visitorsFrom: "analytics" });
    expect(board.stages[0].conversion).toMatchObject({
      estimate: { customers: view.summary.stage1.previous, converted: view.summary.stage1.recent },
      fromAnalytics: true,
    });
    expect(board.stages[1].conversion).toMatchObject({
      estimate: { customers: view.summary.stage2.visitors, converted: view.summary.stage2.subscribers },
      fromAnalytics: true,
    });
    expect(board.unjudged).toEqual([]);
    expect(board.stages.every((s) => s.assessment.position != null)).toBe(true);
    // The Man arrow's Visitors level is the month's visitors from Shopify's analytics.
    expect(board.manArrow).toMatchObject({ visitorsFrom: "analytics" });
    expect(board.manArrow.levels[0]).toEqual({ level: "visitor", count: view.summary.stage1.visitors });
  });
});
