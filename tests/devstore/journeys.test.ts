import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { startDevStore, type DevStore } from "./server";
import { ATTRIBUTION_DELAY_MS, JOURNEY_SHARE, SIMULATED_CAMPAIGNS, simulateJourneys } from "./seed/journeys";
import { OrderJourneysQuery } from "../../app/graphql/OrderJourneysQuery";
import { OrdersBulkQuery } from "../../app/graphql/OrdersBulkQuery";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);
const SHOP = "journeys.myshopify.com";
let clock = NOW;
let ds: DevStore;
let token: string;

const gql = (query: string, variables?: Record<string, unknown>, as = token) =>
  adminGraphql(ds.origin, as, query, variables);

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "journey-key", apiSecret: "journey-secret", clock: () => clock });
  ds.seedGenerated(SHOP, { customers: 150, orders: 600, end: NOW - DAY, start: NOW - 400 * DAY });
  simulateJourneys(ds.shops.get(SHOP)!);
  token = ds.issueOfflineToken(SHOP);
});
afterAll(async () => {
  await ds.close();
});

type Node = {
  id: string;
  discountCodes: string[];
  customerJourneySummary: {
    ready: boolean;
    customerOrderIndex: number | null;
    firstVisit: {
      sourceDescription: string;
      utmParameters: { source: string; medium: string; campaign: string };
      marketingEvent: { id: string } | null;
    } | null;
    lastVisit: {
      sourceDescription: string;
      utmParameters: { source: string; medium: string; campaign: string };
      marketingEvent: { id: string } | null;
    } | null;
  };
};

async function readAll(ids: string[]): Promise<Node[]> {
  const out: Node[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const r = await gql(OrderJourneysQuery, { ids: ids.slice(i, i + 50) });
    expect(r.errors).toBeUndefined();
    out.push(...(r.data.nodes as Node[]));
  }
  return out;
}

describe("simulated customer journeys (Order.customerJourneySummary, Order.discountCodes)", () => {
  it("the app's journey query runs against the real schema; a share of the orders carries simulated UTM visits", async () => {
    const shop = ds.shops.get(SHOP)!;
    const orders = [...shop.orders.values()];
    const nodes = await readAll(orders.map((o) => `gid://shopify/Order/${o.id}`));
    expect(nodes).toHaveLength(orders.length);
    const withVisits = nodes.filter((n) => n.customerJourneySummary.lastVisit !== null);
    const share = withVisits.length / nodes.length;
    expect(share).toBeGreaterThan(JOURNEY_SHARE - 0.08);
    expect(share).toBeLessThan(JOURNEY_SHARE + 0.08);
    const names = new Set(SIMULATED_CAMPAIGNS.map((c) => c.campaign));
    for (const n of withVisits) {
      expect(n.customerJourneySummary.ready).toBe(true);
      expect(n.customerJourneySummary.lastVisit!.sourceDescription).toMatch(/^Simulated visit/);
      expect(names.has(n.customerJourneySummary.lastVisit!.utmParameters.campaign)).toBe(true);
    }
    // Codes only where a campaign carries one, and some orders do use them.
    const codes = new Set(SIMULATED_CAMPAIGNS.flatMap((c) => (c.code ? [c.code] : [])));
    const used = nodes.flatMap((n) => n.discountCodes);
    expect(used.length).toBeGreaterThan(0);
    for (const code of used) expect(codes.has(code)).toBe(true);
    expect(nodes.filter((n) => n.discountCodes.length > 0 && n.customerJourneySummary.lastVisit === null)).toEqual([]);
  });

  it("customerOrderIndex is the order's position in its customer's history (computed here from the raw records)", async () => {
    const shop = ds.shops.get(SHOP)!;
    const expected = new Map<string, number>();
    for (const customer of shop.customers.values()) {
      const mine = [...shop.orders.values()]
        .filter((o) => o.customerId === customer.id && !o.test)
        .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
      mine.forEach((o, i) => expected.set(`gid://shopify/Order/${o.id}`, i + 1));
    }
    const sample = [...expected.keys()].filter((_, i) => i % 7 === 0);
    const nodes = await readAll(sample);
    expect(nodes.map((n) => n.customerJourneySummary.customerOrderIndex)).toEqual(sample.map((id) => expected.get(id)));
    expect(Math.max(...expected.values())).toBeGreaterThan(2);
  });

  it("is deterministic: the same orders get the same journeys on another run", () => {
    const shop = ds.shops.get(SHOP)!;
    const first = JSON.stringify([...shop.simulatedJourneys!.entries()]);
    simulateJourneys(shop);
    expect(JSON.stringify([...shop.simulatedJourneys!.entries()])).toBe(first);
  });

  it("a new order is not attributed at once: ready false and no index until Shopify has attributed it", async () => {
    const order = ds.createOrder(SHOP, { total: 12 });
    const id = `gid://shopify/Order/${order.id}`;
    const before = await readAll([id]);
    expect(before[0].customerJourneySummary).toMatchObject({ ready: false, customerOrderIndex: null, lastVisit: null });
    clock += ATTRIBUTION_DELAY_MS;
    const after = await readAll([id]);
    expect(after[0].customerJourneySummary.ready).toBe(true);
    clock = NOW;
  });

  it("the orders bulk query (with the journey) is accepted as a bulk operation", async () => {
    const r = await gql(
      `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
      { q: OrdersBulkQuery },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.bulkOperationRunQuery.userErrors).toEqual([]);
  });

  it("without read_orders the journey query is refused with ACCESS_DENIED, as Shopify refuses orders", async () => {
    const shop = "journeys-no-orders.myshopify.com";
    ds.addShop(shop, { access: { scopes: "read_customers" } });
    const seeded = ds.seedFromRows(shop, {
      customers: [{ key: "a", createdAt: NOW - 10 * DAY }],
      orders: [{ customer: "a", createdAt: NOW - 5 * DAY, total: 10 }],
    });
    const r = await gql(OrderJourneysQuery, { ids: seeded.orderIds }, ds.issueOfflineToken(shop));
    expect(r.errors[0]).toMatchObject({
      extensions: { code: "ACCESS_DENIED", requiredAccess: expect.stringContaining("read_orders") },
    });
  });
});
