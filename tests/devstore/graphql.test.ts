import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { startDevStore, type DevStore } from "./server";

const SHOP = "graphql-test.myshopify.com";
let ds: DevStore;
let token: string;
const gql = (q: string, v?: Record<string, unknown>) => adminGraphql(ds.origin, token, q, v);

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "key", apiSecret: "secret" });
  ds.addShop(SHOP, { currencyCode: "EUR", ianaTimezone: "Europe/Berlin" });
  const customers = Array.from({ length: 12 }, (_, i) => ({
    key: `c${i}`,
    email: `c${i}@example.com`,
    firstName: i % 2 ? "Ada" : null,
    lastName: i % 2 ? `Lovelace${i}` : null,
    createdAt: `2024-01-${String(i + 1).padStart(2, "0")}T10:00:00Z`,
    updatedAt: `2024-02-${String(i + 1).padStart(2, "0")}T10:00:00Z`,
    tags: i < 3 ? ["vip", "Wholesale"] : [],
    country: "Germany",
    countryCode: "DE",
    emailMarketing: i % 3 === 0 ? ("SUBSCRIBED" as const) : ("NOT_SUBSCRIBED" as const),
  }));
  ds.seedFromRows(SHOP, {
    customers,
    orders: [
      { customer: "c0", createdAt: "2024-03-01T00:00:00Z", total: "10.50" },
      { customer: "c0", createdAt: "2024-03-05T00:00:00Z", total: 20 },
      { customer: "c1", createdAt: "2024-03-02T00:00:00Z", total: 5, cancelledAt: "2024-03-03T00:00:00Z" },
      { createdAt: "2024-03-04T00:00:00Z", total: 7 },
    ],
  });
  token = ds.issueOfflineToken(SHOP);
});
afterAll(async () => {
  await ds.close();
});

describe("validation and errors", () => {
  it("a misspelt field fails validation with graphql-js's own error, HTTP 200", async () => {
    const r = await gql(`{ customers(first: 1) { nodes { id emial } } }`);
    expect(r.status).toBe(200);
    expect(r.data).toBeUndefined();
    expect(r.errors).toEqual([
      {
        message: 'Cannot query field "emial" on type "Customer". Did you mean "email"?',
        locations: [{ line: 1, column: 36 }],
      },
    ]);
  });

  it("a missing or unknown access token gets Shopify's 401", async () => {
    for (const t of [null, "shpat_nope"]) {
      const r = await adminGraphql(ds.origin, t, `{ shop { id } }`);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
  });

  it("only API version 2026-10 is served", async () => {
    const r = await adminGraphql(ds.origin, token, `{ shop { id } }`, undefined, { version: "2025-01" });
    expect(r.status).toBe(404);
  });

  it("an unmodelled root field is an explicit error, never a silent null", async () => {
    const r = await gql(`{ availableLocales { isoCode } }`);
    expect(r.errors[0].message).toBe("devstore: availableLocales is not implemented");
    const r2 = await gql(`{ customers(first: 1) { nodes { id lifetimeDuration } } }`);
    expect(r2.errors[0].message).toBe("devstore: Customer.lifetimeDuration is not implemented");
  });

  it("a connection without first or last is refused as Shopify does", async () => {
    const r = await gql(`{ customers { nodes { id } } }`);
    expect(r.errors[0].message).toBe("you must provide one of first or last");
  });
});

describe("shop, customers and orders", () => {
  it("shop fields", async () => {
    const r = await gql(`{ shop { id name myshopifyDomain currencyCode ianaTimezone email } }`);
    expect(r.data.shop).toMatchObject({
      myshopifyDomain: SHOP,
      currencyCode: "EUR",
      ianaTimezone: "Europe/Berlin",
      email: `owner@${SHOP}`,
    });
    expect(r.data.shop.id).toMatch(/^gid:\/\/shopify\/Shop\/\d+$/);
  });

  it("paginates customers forwards and backwards with cursors", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await gql(
        `query($after: String) { customers(first: 5, after: $after) { edges { cursor node { id email } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`,
        { after },
      );
      const c = r.data.customers;
      seen.push(...c.edges.map((e: any) => e.node.email));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}@example.com`));
    const back = await gql(`{ customers(last: 3) { nodes { email } pageInfo { hasPreviousPage hasNextPage } } }`);
    expect(back.data.customers.nodes.map((n: any) => n.email)).toEqual([
      "c9@example.com",
      "c10@example.com",
      "c11@example.com",
    ]);
    expect(back.data.customers.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: false });
    const rev = await gql(`{ customers(first: 2, sortKey: CREATED_AT, reverse: true) { nodes { email } } }`);
    expect(rev.data.customers.nodes.map((n: any) => n.email)).toEqual(["c11@example.com", "c10@example.com"]);
  });

  it("filters customers with Shopify's search syntax", async () => {
    const emails = async (query: string) => {
      const r = await gql(`query($q: String) { customers(first: 50, query: $q) { nodes { email } } }`, { q: query });
      return r.data.customers.nodes.map((n: any) => n.email);
    };
    // c0 and c1 were updated by their March orders; c9 at 2024-02-10T10:00Z
    expect(await emails("updated_at:>'2024-02-10T00:00:00Z'")).toEqual([
      "c0@example.com",
      "c1@example.com",
      "c9@example.com",
      "c10@example.com",
      "c11@example.com",
    ]);
    expect(await emails("created_at:>=2024-01-12")).toEqual(["c11@example.com"]);
    expect(await emails("tag:VIP")).toEqual(["c0@example.com", "c1@example.com", "c2@example.com"]);
    expect(await emails("tag:vip AND created_at:<'2024-01-02T00:00:00Z'")).toEqual(["c0@example.com"]);
    expect(await emails('email:"c4@example.com"')).toEqual(["c4@example.com"]);
    expect(await emails("tag:vip OR email:c9@example.com")).toEqual([
      "c0@example.com",
      "c1@example.com",
      "c2@example.com",
      "c9@example.com",
    ]);
    expect(await emails("-tag:vip created_at:<2024-01-06")).toEqual(["c3@example.com", "c4@example.com"]);
    const first = await gql(`{ customers(first: 1) { nodes { id } } }`);
    const id = Number(first.data.customers.nodes[0].id.split("/").pop());
    expect(await emails(`id:>${id + 9}`)).toEqual(["c10@example.com", "c11@example.com"]);
    // unknown fields are ignored, and reported like Shopify's extensions.search
    const r = await gql(`{ customers(first: 50, query: "favourite_colour:blue tag:vip") { nodes { email } } }`);
    expect(r.data.customers.nodes).toHaveLength(3);
    expect(r.extensions.search[0].warnings).toEqual([
      { field: "favourite_colour", message: "Invalid search field for this query." },
    ]);
  });

  it("customer fields: counts, money, consent, address, orders and lastOrder", async () => {
    const list = await gql(`{ customers(first: 1, query: "email:c0@example.com") { nodes { id } } }`);
    const id = list.data.customers.nodes[0].id;
    const r = await gql(
      `query($id: ID!) { customer(id: $id) { id email displayName tags numberOfOrders amountSpent { amount currencyCode }
        emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt } defaultAddress { countryCodeV2 country }
        createdAt updatedAt lastOrder { name } orders(first: 5) { nodes { name totalPriceSet { shopMoney { amount currencyCode } } customer { id } } } } }`,
      { id },
    );
    expect(r.data.customer).toEqual({
      id,
      email: "c0@example.com",
      displayName: "c0@example.com",
      tags: ["vip", "Wholesale"],
      numberOfOrders: "2",
      amountSpent: { amount: "30.50", currencyCode: "EUR" },
      emailMarketingConsent: {
        marketingState: "SUBSCRIBED",
        marketingOptInLevel: "SINGLE_OPT_IN",
        consentUpdatedAt: "2024-01-01T10:00:00Z",
      },
      defaultAddress: { countryCodeV2: "DE", country: "Germany" },
      createdAt: "2024-01-01T10:00:00Z",
      updatedAt: "2024-03-05T00:00:00Z",
      lastOrder: { name: "#1004" },
      orders: {
        nodes: [
          { name: "#1001", totalPriceSet: { shopMoney: { amount: "10.50", currencyCode: "EUR" } }, customer: { id } },
          { name: "#1004", totalPriceSet: { shopMoney: { amount: "20.00", currencyCode: "EUR" } }, customer: { id } },
        ],
      },
    });
  });

  it("orders: filters, cancelled and refunded amounts, guest orders", async () => {
    const r =
      await gql(`{ orders(first: 10, sortKey: CREATED_AT) { nodes { name cancelledAt cancelReason displayFinancialStatus test
      totalPriceSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } } totalRefundedSet { shopMoney { amount currencyCode } } customer { id } } } }`);
    const byName = Object.fromEntries(r.data.orders.nodes.map((n: any) => [n.name, n]));
    // order numbers follow createdAt: #1001 c0, #1002 c1 (cancelled), #1003 guest, #1004 c0
    expect(byName["#1002"]).toMatchObject({
      cancelledAt: "2024-03-03T00:00:00Z",
      cancelReason: "CUSTOMER",
      displayFinancialStatus: "REFUNDED",
      totalPriceSet: { shopMoney: { amount: "5.00" } },
      currentTotalPriceSet: { shopMoney: { amount: "0.00" } },
      totalRefundedSet: { shopMoney: { amount: "5.00", currencyCode: "EUR" } },
    });
    expect(byName["#1003"].customer).toBeNull();
    const c0 = await gql(`{ customers(first: 1, query: "email:c0@example.com") { nodes { id } } }`);
    const numeric = c0.data.customers.nodes[0].id.split("/").pop();
    const mine = await gql(`{ orders(first: 10, query: "customer_id:${numeric}") { nodes { name } } }`);
    expect(mine.data.orders.nodes.map((n: any) => n.name).sort()).toEqual(["#1001", "#1004"]);
    const cancelled = await gql(`{ orders(first: 10, query: "status:cancelled") { nodes { name } } }`);
    expect(cancelled.data.orders.nodes.map((n: any) => n.name)).toEqual(["#1002"]);
  });
});

describe("tags", () => {
  const customerId = async (email: string) =>
    (await gql(`query($q: String) { customers(first: 1, query: $q) { nodes { id } } }`, { q: `email:${email}` })).data
      .customers.nodes[0].id;

  it("tagsAdd / tagsRemove leave other tags alone and compare case-insensitively", async () => {
    const id = await customerId("c1@example.com");
    const add = await gql(
      `mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id ... on Customer { tags } } userErrors { field message } } }`,
      {
        id,
        tags: ["lifecycle:active", "VIP", "a, b"],
      },
    );
    expect(add.data.tagsAdd.userErrors).toEqual([]);
    expect(add.data.tagsAdd.node).toEqual({ id, tags: ["vip", "Wholesale", "lifecycle:active", "a", "b"] });
    const rm = await gql(
      `mutation($id: ID!) { tagsRemove(id: $id, tags: ["LIFECYCLE:ACTIVE", "a", "not-there"]) { node { ... on Customer { tags } } userErrors { message } } }`,
      { id },
    );
    expect(rm.data.tagsRemove.node.tags).toEqual(["vip", "Wholesale", "b"]);
    expect(add.extensions.cost.requestedQueryCost).toBe(10);
  });

  it("a customer holds at most 250 tags: going past it is a userError and changes nothing", async () => {
    const id = await customerId("c5@example.com");
    const add = (tags: string[]) =>
      gql(
        `mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }`,
        { id, tags },
      );
    const first = Array.from({ length: 200 }, (_, i) => `t${i}`);
    expect((await add(first)).data.tagsAdd.userErrors).toEqual([]);
    const r = await add(Array.from({ length: 51 }, (_, i) => `u${i}`));
    expect(r.data.tagsAdd.node).toBeNull();
    expect(r.data.tagsAdd.userErrors[0].field).toEqual(["tags"]);
    const after = await gql(`query($id: ID!) { customer(id: $id) { tags } }`, { id });
    expect(after.data.customer.tags).toEqual(first);
    expect((await add(Array.from({ length: 50 }, (_, i) => `u${i}`))).data.tagsAdd.userErrors).toEqual([]);
  });

  it("the app's own tag writes emit customers/update (so the app can ignore its own writes)", async () => {
    ds.webhooks.mode = "record";
    ds.webhooks.clear();
    const id = await customerId("c6@example.com");
    await gql(`mutation($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }`, { id });
    const topics = ds.webhooks.recorded().map((d) => d.topic);
    expect(topics).toContain("customers/update");
    const payload = JSON.parse(ds.webhooks.recorded().find((d) => d.topic === "customers/update")!.body);
    expect(payload.admin_graphql_api_id).toBe(id);
    expect(payload.id).toBe(Number(id.split("/").pop()));
    // a no-op write does not emit anything
    ds.webhooks.clear();
    await gql(`mutation($id: ID!) { tagsAdd(id: $id, tags: ["X"]) { userErrors { message } } }`, { id });
    expect(ds.webhooks.recorded()).toEqual([]);
  });
});

describe("segments, discounts, marketing, flow", () => {
  it("segmentCreate enforces unique names; segments and segment(id) read them back", async () => {
    const create = (name: string) =>
      gql(
        `mutation($n: String!) { segmentCreate(name: $n, query: "number_of_orders >= 2") { segment { id name query } userErrors { field message } } }`,
        { n: name },
      );
    const a = await create("Lapsed VIPs");
    expect(a.data.segmentCreate.userErrors).toEqual([]);
    const dup = await create("lapsed vips");
    expect(dup.data.segmentCreate).toEqual({
      segment: null,
      userErrors: [{ field: ["name"], message: "Name has already been taken" }],
    });
    const list = await gql(`{ segments(first: 10) { nodes { id name query } } }`);
    expect(list.data.segments.nodes).toContainEqual(a.data.segmentCreate.segment);
    const one = await gql(`query($id: ID!) { segment(id: $id) { name } }`, { id: a.data.segmentCreate.segment.id });
    expect(one.data.segment.name).toBe("Lapsed VIPs");
  });

  it("discounts can target customer segments through context (2026-10)", async () => {
    const seg = ds.addSegment(SHOP, { name: "At risk", query: "number_of_orders >= 1" });
    ds.addDiscount(SHOP, { title: "Come back 15%", codes: ["BACK15"], percentage: 0.15, segments: [seg] });
    ds.addDiscount(SHOP, { title: "Everyone 5 off", amount: 5 });
    const r = await gql(`{ discountNodes(first: 10) { nodes { id discount { __typename
      ... on DiscountCodeBasic { title status codes(first: 5) { nodes { code } } context { __typename ... on DiscountCustomerSegments { segments { id name } } }
        customerGets { value { ... on DiscountPercentage { percentage } } } }
      ... on DiscountAutomaticBasic { title context { __typename } } } } } }`);
    expect(r.errors).toBeUndefined();
    const [code, auto] = r.data.discountNodes.nodes;
    expect(code.id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\//);
    expect(code.discount).toMatchObject({
      __typename: "DiscountCodeBasic",
      title: "Come back 15%",
      status: "ACTIVE",
      codes: { nodes: [{ code: "BACK15" }] },
      context: { __typename: "DiscountCustomerSegments", segments: [{ name: "At risk" }] },
      customerGets: { value: { percentage: 0.15 } },
    });
    expect(auto.discount).toEqual({
      __typename: "DiscountAutomaticBasic",
      title: "Everyone 5 off",
      context: { __typename: "DiscountBuyerSelectionAll" },
    });
    const filtered = await gql(`{ discountNodes(first: 10, query: "title:come") { nodes { id } } }`);
    expect(filtered.data.discountNodes.nodes).toHaveLength(1);
  });

  it("marketing activities expose their schedule through marketingEvent", async () => {
    ds.addMarketingActivity(SHOP, {
      title: "Winter newsletter",
      tactic: "NEWSLETTER",
      marketingChannelType: "EMAIL",
      createdAt: "2024-11-01T09:00:00Z",
      startedAt: "2024-11-02T09:00:00Z",
      scheduledToEndAt: "2024-11-30T09:00:00Z",
      utm: { campaign: "winter", source: "newsletter", medium: "email" },
    });
    const r =
      await gql(`{ marketingActivities(first: 5) { nodes { id title status tactic marketingChannelType createdAt updatedAt
      utmParameters { campaign source medium } marketingEvent { startedAt scheduledToEndAt endedAt } } } }`);
    expect(r.data.marketingActivities.nodes).toEqual([
      {
        id: expect.stringMatching(/^gid:\/\/shopify\/MarketingActivity\/\d+$/),
        title: "Winter newsletter",
        status: "ACTIVE",
        tactic: "NEWSLETTER",
        marketingChannelType: "EMAIL",
        createdAt: "2024-11-01T09:00:00Z",
        updatedAt: "2024-11-01T09:00:00Z",
        utmParameters: { campaign: "winter", source: "newsletter", medium: "email" },
        marketingEvent: { startedAt: "2024-11-02T09:00:00Z", scheduledToEndAt: "2024-11-30T09:00:00Z", endedAt: null },
      },
    ]);
  });

  it("flowTriggerReceive records a payload the app's trigger accepts", async () => {
    const p = {
      customer_id: 1,
      "Previous stage": "repeat-buyer",
      "New stage": "lapsed",
      "Winback tier": "90",
      "Days since last order": 97.5,
    };
    const ok = await gql(
      `mutation($p: JSON) { flowTriggerReceive(handle: "lifecycle-stage-changed", payload: $p) { userErrors { field message } } }`,
      { p },
    );
    expect(ok.data.flowTriggerReceive.userErrors).toEqual([]);
    expect(ds.flowTriggers.at(-1)).toMatchObject({ shop: SHOP, handle: "lifecycle-stage-changed", payload: p });
  });

  it("webhookSubscriptions lists no API-created subscriptions (toml subscriptions are app-specific)", async () => {
    const r = await gql(`{ webhookSubscriptions(first: 10) { nodes { id topic } } }`);
    expect(r.data.webhookSubscriptions.nodes).toEqual([]);
  });
});
