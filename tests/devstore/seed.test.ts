import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { ONLINE_RETAIL_ANCHOR, type OnlineRetailReport } from "./seed/online-retail";
import { startDevStore, type DevStore } from "./server";

const SHOP = "lifecycle-demo.myshopify.com";
let ds: DevStore;
let report: OnlineRetailReport;
let token: string;

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "k", apiSecret: "s" });
  report = await ds.seedOnlineRetail(SHOP);
  token = ds.issueOfflineToken(SHOP);
});
afterAll(async () => {
  await ds.close();
});

describe("Online Retail seed", () => {
  it("counts: 4,372 customer ids, 4,339 with at least one non-cancelled purchase invoice", () => {
    expect(report).toMatchObject({
      rows: 541_909,
      invoices: 25_900,
      customerIds: 4_372,
      customersWithPurchase: 4_339,
      cancelledOrders: 3_836,
      skippedAdjustments: 3,
      skippedZeroGuestInvoices: 2_098,
    });
    expect(report.orders).toBe(report.invoices - report.skippedAdjustments - report.skippedZeroGuestInvoices);
    expect(report.orders).toBe(report.purchaseOrders + report.cancelledOrders);
    expect(report.subscribed + report.notSubscribed).toBe(4_372);
    expect(report.subscribed / 4_372).toBeGreaterThan(0.25);
    expect(report.subscribed / 4_372).toBeLessThan(0.35);
    const shop = ds.shops.get(SHOP)!;
    expect(shop.customers.size).toBe(4_372 + report.newsletterSignups);
    expect(shop.orders.size).toBe(report.orders);
    const withPurchase = [...shop.customers.values()].filter((c) =>
      c.orderIds.some((id) => shop.orders.get(id)!.cancelledAt === null),
    ).length;
    expect(withPurchase).toBe(4_339);
  });

  it("guest orders have no customer; customers have c<ID>@example.com and no names", async () => {
    const shop = ds.shops.get(SHOP)!;
    const guests = [...shop.orders.values()].filter((o) => o.customerId === null);
    expect(guests.length).toBe(report.guestOrders);
    expect(guests.length).toBeGreaterThan(0);
    const r = await adminGraphql(ds.origin, token, `query($id: ID!) { order(id: $id) { name customer { id } } }`, {
      id: `gid://shopify/Order/${guests[0].id}`,
    });
    expect(r.data.order.customer).toBeNull();
    const c = await adminGraphql(
      ds.origin,
      token,
      `{ customers(first: 1, query: "email:c17850@example.com") { nodes { email firstName lastName createdAt defaultAddress { countryCodeV2 } } } }`,
    );
    expect(c.data.customers.nodes[0]).toEqual({
      email: "c17850@example.com",
      firstName: null,
      lastName: null,
      createdAt: "2010-12-01T08:26:00Z",
      defaultAddress: { countryCodeV2: "GB" },
    });
  });

  it("an invoice is an order: total = Σ quantity × unit price in GBP; C-invoices are cancelled with the absolute total", async () => {
    const q = `query($q: String) { orders(first: 1, query: $q) { nodes { name createdAt cancelledAt cancelReason totalPriceSet { shopMoney { amount currencyCode } } } } }`;
    const first = await adminGraphql(ds.origin, token, q, { q: "name:536365" });
    // 536365: 6×2.55 + 6×3.39 + 8×2.75 + 6×3.39 + 6×3.39 + 2×7.65 + 6×4.25 = 139.12
    expect(first.data.orders.nodes[0]).toEqual({
      name: "#536365",
      createdAt: "2010-12-01T08:26:00Z",
      cancelledAt: null,
      cancelReason: null,
      totalPriceSet: { shopMoney: { amount: "139.12", currencyCode: "GBP" } },
    });
    const c = await adminGraphql(ds.origin, token, q, { q: "name:C536379" });
    expect(c.data.orders.nodes[0]).toMatchObject({
      name: "#C536379",
      cancelledAt: "2010-12-01T09:41:00Z",
      cancelReason: "CUSTOMER",
    });
    expect(Number(c.data.orders.nodes[0].totalPriceSet.shopMoney.amount)).toBeGreaterThan(0);
  });

  it("generated newsletter sign-ups have no orders and say that they are generated", () => {
    const shop = ds.shops.get(SHOP)!;
    const signups = [...shop.customers.values()].filter((c) => c.email?.endsWith("@generated.example.com"));
    expect(signups.length).toBe(report.newsletterSignups);
    expect(signups.length).toBeGreaterThan(50);
    for (const s of signups) {
      expect(s.orderIds).toEqual([]);
      expect(s.emailMarketing.state).toBe("SUBSCRIBED");
      expect(s.note).toMatch(/generated/);
    }
  });
});

describe("shiftTo and other seeders", () => {
  it("shiftTo in the middle of a day moves every timestamp by whole days: times of day kept, the data ends the day before", async () => {
    const shifted = await startDevStore({ apiKey: "k", apiSecret: "s" });
    try {
      const midnight = Date.UTC(2026, 11, 3);
      const r = await shifted.seedOnlineRetail("midday.myshopify.com", {
        shiftTo: new Date(midnight + 7 * 3_600_000 + 41 * 60_000),
        newsletterSignups: false,
      });
      expect(r.shiftMs).toBe(midnight - ONLINE_RETAIL_ANCHOR);
      expect(r.shiftMs % 86_400_000).toBe(0);
      const shop = shifted.shops.get("midday.myshopify.com")!;
      const orig = ds.shops.get(SHOP)!;
      const timesOfDay = (s: typeof shop) => [...s.orders.values()].map((o) => o.createdAt % 86_400_000).sort();
      expect(timesOfDay(shop)).toEqual(timesOfDay(orig));
      const latest = Math.max(...[...shop.orders.values()].map((o) => o.createdAt));
      expect(latest).toBeLessThan(midnight);
      expect(latest).toBeGreaterThanOrEqual(midnight - 86_400_000);
    } finally {
      await shifted.close();
    }
  });

  it("shiftTo moves every timestamp by one constant so that 2011-12-10 maps to shiftTo", async () => {
    const shifted = await startDevStore({ apiKey: "k", apiSecret: "s" });
    try {
      const to = Date.UTC(2026, 5, 1);
      const r = await shifted.seedOnlineRetail("shifted.myshopify.com", {
        shiftTo: new Date(to),
        newsletterSignups: false,
      });
      expect(r.shiftMs).toBe(to - ONLINE_RETAIL_ANCHOR);
      const shop = shifted.shops.get("shifted.myshopify.com")!;
      const orig = ds.shops.get(SHOP)!;
      const latest = (s: typeof shop) => Math.max(...[...s.orders.values()].map((o) => o.createdAt));
      expect(latest(shop) - latest(orig)).toBe(r.shiftMs);
      expect(latest(shop)).toBeLessThan(to);
    } finally {
      await shifted.close();
    }
  });

  it("seedGenerated is deterministic for a seed", () => {
    const a = ds.seedGenerated("gen-a.myshopify.com", { customers: 200, orders: 1000, seed: 3 });
    const b = ds.seedGenerated("gen-b.myshopify.com", { customers: 200, orders: 1000, seed: 3 });
    expect(a.customers).toBe(200);
    expect(a.orders).toBe(1000);
    const totals = (d: string) =>
      [...ds.shops.get(d)!.orders.values()].map((o) => [o.createdAt, o.totalMinor, o.customerId === null]);
    expect(totals("gen-a.myshopify.com")).toEqual(totals("gen-b.myshopify.com"));
    expect(a.guestOrders).toBe(b.guestOrders);
  });
});
