import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { calculateQueryCost } from "./cost";
import { loadAdminSchema } from "./schema";
import { startDevStore, type DevStore } from "./server";

const schema = loadAdminSchema();
const cost = (q: string, v?: Record<string, unknown>) => calculateQueryCost(schema, parse(q), v);

describe("calculateQueryCost matches Shopify's documented examples", () => {
  it("an object costs 1 and its scalars/enums 0 (shopify.engineering, 'Objects: one point')", () => {
    expect(cost(`query { shop { id name timezoneOffsetMinutes customerAccounts } }`)).toBe(1);
  });

  it("a mutation costs 10, its payload objects included (shopify.dev web pixel tutorial: webPixelCreate → 10)", () => {
    expect(
      cost(
        `mutation { webPixelCreate(webPixel: { settings: "{\\"accountID\\":\\"123\\"}" }) { userErrors { code field message } webPixel { settings id } } }`,
      ),
    ).toBe(10);
  });

  it("a connection costs 2 plus first × the cost of one node ('two points plus the number of returned objects')", () => {
    expect(cost(`{ orders(first: 5) { edges { node { name } } } }`)).toBe(7);
    expect(cost(`{ products(first: 250) { edges { node { id } } } }`)).toBe(252);
    expect(
      cost(`query($n: Int) { customers(first: $n) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { n: 100 }),
    ).toBe(102);
    expect(cost(`{ customers(last: 3) { edges { cursor node { id } } } }`)).toBe(5);
  });

  it("nested objects and connections multiply through their parent connection", () => {
    // 2 + 10 × (customer 1 + amountSpent 1 + orders (2 + 5 × (order 1 + totalPriceSet 1 + shopMoney 1)))
    expect(
      cost(
        `{ customers(first: 10) { nodes { id amountSpent { amount } orders(first: 5) { nodes { id totalPriceSet { shopMoney { amount } } } } } } }`,
      ),
    ).toBe(2 + 10 * (1 + 1 + (2 + 5 * 3)));
  });

  it("interfaces and unions cost the maximum over their possible types; fragments count once", () => {
    const q = `{ node(id: "gid://shopify/Customer/1") { id ... on Customer { amountSpent { amount } defaultAddress { city } } ... on Order { customer { id } } } }`;
    expect(cost(q)).toBe(3);
    expect(cost(`fragment F on Customer { amountSpent { amount } } { customer(id: "x") { ...F ...F } }`)).toBe(2);
  });

  it("@skip / @include are honoured", () => {
    expect(
      cost(`query($s: Boolean!) { shop { id } customers(first: 10) @skip(if: $s) { nodes { id } } }`, { s: true }),
    ).toBe(1);
  });
});

describe("requests are costed, throttled and refunded like Shopify", () => {
  const SHOP = "cost-test.myshopify.com";
  let ds: DevStore;
  let token: string;
  let now = Date.UTC(2025, 0, 1);

  beforeAll(async () => {
    ds = await startDevStore({
      apiKey: "k",
      apiSecret: "s",
      clock: () => now,
      bucket: { maximumAvailable: 100, restoreRate: 10 },
    });
    ds.addShop(SHOP);
    ds.seedFromRows(SHOP, {
      customers: Array.from({ length: 30 }, (_, i) => ({ email: `p${i}@example.com`, createdAt: now - 1000 })),
    });
    token = ds.issueOfflineToken(SHOP);
  });
  afterAll(async () => {
    await ds.close();
  });

  it("a client that ignores throttleStatus in a tight loop gets THROTTLED in Shopify's shape, and the bucket restores at restoreRate", async () => {
    const q = `{ customers(first: 20) { nodes { id } } }`; // 22 points, all returned
    const available: number[] = [];
    let throttled: any;
    for (let i = 0; i < 10 && !throttled; i++) {
      const r = await adminGraphql(ds.origin, token, q);
      if (r.errors) throttled = r;
      else available.push(r.extensions.cost.throttleStatus.currentlyAvailable);
    }
    expect(available).toEqual([78, 56, 34, 12]);
    expect(throttled.status).toBe(200);
    expect(throttled.body).toEqual({
      errors: [
        {
          message: "Throttled",
          extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
        },
      ],
      extensions: {
        cost: {
          requestedQueryCost: 22,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 100, currentlyAvailable: 12, restoreRate: 10 },
        },
      },
    });
    now += 1000; // +10 points
    const ok = await adminGraphql(ds.origin, token, q);
    expect(ok.errors).toBeUndefined();
    expect(ok.extensions.cost.throttleStatus.currentlyAvailable).toBe(0);
    now += 5000;
    expect(ds.stats(SHOP).throttleStatus.currentlyAvailable).toBe(50);
    now += 60_000;
    expect(ds.stats(SHOP).throttleStatus.currentlyAvailable).toBe(100); // capped at maximumAvailable
    const st = ds.stats(SHOP);
    expect(st.throttled).toBe(1);
    expect(st.requests).toBe(6);
    expect(st.pointsUsed).toBe(5 * 22);
  });

  it("the difference between requested and actual cost is refunded", async () => {
    now += 60_000;
    const r = await adminGraphql(ds.origin, token, `{ customers(first: 50) { nodes { id } } }`);
    expect(r.extensions.cost).toEqual({
      requestedQueryCost: 52,
      actualQueryCost: 32,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: 68, restoreRate: 10 },
    });
  });

  it("a query over 1000 points is refused before it runs (MAX_COST_EXCEEDED)", async () => {
    ds.setBucket(SHOP, { maximumAvailable: 2000, currentlyAvailable: 2000 });
    const r = await adminGraphql(
      ds.origin,
      token,
      `{ customers(first: 250) { nodes { id orders(first: 10) { nodes { id } } } } }`,
    );
    expect(r.data).toBeUndefined();
    expect(r.errors[0].extensions).toEqual({
      code: "MAX_COST_EXCEEDED",
      cost: 3252,
      maxCost: 1000,
      documentation: "https://shopify.dev/api/usage/rate-limits",
    });
    expect(r.errors[0].message).toMatch(
      /^Query cost is 3252, which exceeds the single query max cost limit \(1000\)\./,
    );
    expect(r.extensions.cost.actualQueryCost).toBeNull();
    expect(r.extensions.cost.throttleStatus.currentlyAvailable).toBe(2000);
  });

  it("the bucket can be changed per shop at runtime", async () => {
    ds.setBucket(SHOP, { maximumAvailable: 1000, restoreRate: 50, currentlyAvailable: 1000 });
    const r = await adminGraphql(ds.origin, token, `{ shop { id } }`);
    expect(r.extensions.cost.throttleStatus).toEqual({
      maximumAvailable: 1000,
      currentlyAvailable: 999,
      restoreRate: 50,
    });
  });
});
