/**
 * The dev store refuses what Shopify refuses for an installation: missing access scopes (rules read from the
 * schema's own requiredAccess texts), protected customer data below the level a field needs, webhook topics the
 * installation may not receive, orders older than 60 days without read_all_orders.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessRules, parseRequiredAccess, parseTopicDescription, redactPayload, installAccess } from "./access";
import { adminGraphql } from "./client";
import { loadAdminSchemaJson } from "./schema";
import { startDevStore, type DevStore } from "./server";
import { ANSWERED_QUERIES } from "./shopifyql";
import { makeIdToken } from "./id-token";

const NOW = Date.parse("2026-11-01T12:00:00Z");
const DAY = 86_400_000;
const ALL =
  "read_customers,write_customers,read_orders,read_all_orders,read_customer_merge,read_marketing_events,read_discounts,read_reports";

let ds: DevStore;
let shopCount = 0;

/** A fresh shop with the given access, two customers and an old and a recent order, and a token. */
function install(access: {
  scopes?: string;
  protectedCustomerData?: 0 | 1 | 2 | Array<"name" | "email" | "phone" | "address">;
}) {
  const shop = `access-${++shopCount}.myshopify.com`;
  ds.addShop(shop, { access });
  const seeded = ds.seedFromRows(shop, {
    customers: [
      { key: "ann", email: "ann@example.com", firstName: "Ann", phone: "+31612345678", createdAt: NOW - 400 * DAY },
      { key: "bob", email: "bob@example.com", createdAt: NOW - 10 * DAY },
    ],
    orders: [
      { customer: "ann", createdAt: NOW - 300 * DAY, total: 40 },
      { customer: "ann", createdAt: NOW - 61 * DAY, total: 30 },
      { customer: "ann", createdAt: NOW - 59 * DAY, total: 20 },
      { customer: "bob", createdAt: NOW - 5 * DAY, total: 10 },
    ],
  });
  const token = ds.issueOfflineToken(shop);
  const gql = (query: string, variables?: Record<string, unknown>) => adminGraphql(ds.origin, token, query, variables);
  return { shop, gql, seeded };
}

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "access-key", apiSecret: "access-secret", clock: () => NOW, scopes: ALL });
  ds.webhooks.mode = "record";
});
afterAll(async () => {
  await ds.close();
});

describe("rules derived from the schema's requiredAccess texts", () => {
  it("parses the forms Shopify writes (hand-worked clauses)", () => {
    expect(parseRequiredAccess("`read_customers` access scope.", "query")?.clauses).toEqual([["read_customers"]]);
    expect(parseRequiredAccess("Apps must have `read_discounts` access scope.", "query")?.clauses).toEqual([
      ["read_discounts"],
    ]);
    expect(
      parseRequiredAccess(
        "`read_orders` access scope, `read_marketplace_orders` access scope or `read_quick_sale` access scope.",
        "query",
      )?.clauses,
    ).toEqual([["read_orders", "read_marketplace_orders", "read_quick_sale"]]);
    const markets = "`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations.";
    expect(parseRequiredAccess(markets, "query")?.clauses).toEqual([["read_markets"]]);
    expect(parseRequiredAccess(markets, "mutation")?.clauses).toEqual([["read_markets"], ["write_markets"]]);
    expect(
      parseRequiredAccess(
        "`write_products` access scope as well as any of `write_own_subscription_contracts`, `write_purchase_options` access scopes.",
        "mutation",
      )?.clauses,
    ).toEqual([["write_products"], ["write_own_subscription_contracts", "write_purchase_options"]]);
    expect(
      parseRequiredAccess(
        "`read_orders` access scope. Also: Requires the `read_returns` access scope or `read_marketplace_returns` access scope.",
        "query",
      )?.clauses,
    ).toEqual([["read_orders"], ["read_returns", "read_marketplace_returns"]]);
    expect(
      parseRequiredAccess(
        "access to checkout branding settings and the shop must be on a Plus plan or a Development store plan.",
        "query",
      ),
    ).toBeNull();
    const reports = parseRequiredAccess(
      "`read_reports` access scope. Also: Level 2 access to Customer data including name, address, phone, and email fields.",
      "query",
    );
    expect(reports).toMatchObject({ clauses: [["read_reports"]], level2: true });
  });

  it("every parsed rule names only scopes Shopify's own list for that type or field names (offline_scopes in the same file)", () => {
    const json = loadAdminSchemaJson() as unknown as {
      offline_scopes: {
        items: Array<{ typeName: string; fieldName?: string; requiredAccess: string; offlineScopes: string[] }>;
      };
    };
    let checked = 0;
    for (const item of json.offline_scopes.items) {
      if (!item.requiredAccess) continue;
      for (const operation of ["query", "mutation"] as const) {
        const rule = parseRequiredAccess(item.requiredAccess, operation);
        for (const scope of rule?.clauses.flat() ?? [])
          expect(item.offlineScopes, `${item.typeName}.${item.fieldName ?? ""}`).toContain(scope);
      }
      // Shopify's list names every scope of the main sentence; so must the parse.
      const main = item.requiredAccess.split("Also:")[0];
      const named = item.offlineScopes.filter((s) => main.includes(`\`${s}\``));
      const parsed = new Set([
        ...(parseRequiredAccess(item.requiredAccess, "query")?.clauses.flat() ?? []),
        ...(parseRequiredAccess(item.requiredAccess, "mutation")?.clauses.flat() ?? []),
      ]);
      for (const scope of named)
        expect([...parsed], `${item.typeName}.${item.fieldName ?? ""}: ${item.requiredAccess}`).toContain(scope);
      checked++;
    }
    expect(checked).toBeGreaterThan(900);
  });

  it("a sample of the derived rules: fields, types reached through connections, webhook topics", () => {
    const rules = accessRules(loadAdminSchemaJson());
    expect(rules.fields.get("QueryRoot.customers")?.type.query?.clauses).toEqual([["read_customers"]]);
    expect(rules.fields.get("QueryRoot.orders")?.type.query?.clauses).toEqual([
      ["read_orders", "read_marketplace_orders", "read_quick_sale"],
    ]);
    expect(rules.fields.get("QueryRoot.discountNodes")?.field.query?.clauses).toEqual([["read_discounts"]]);
    expect(rules.fields.get("QueryRoot.marketingActivities")?.type.query?.clauses).toEqual([["read_marketing_events"]]);
    expect(rules.fields.get("Mutation.segmentCreate")?.field.mutation?.clauses).toEqual([["write_customers"]]);
    expect(rules.fields.get("QueryRoot.shopifyqlQuery")?.field.query).toMatchObject({
      clauses: [["read_reports"]],
      level2: true,
    });
    expect(rules.fields.get("Customer.email")?.protectedContent).toBe("email");
    expect(rules.fields.get("Customer.lastName")?.protectedContent).toBe("name");
    expect(rules.fields.get("Order.customer")?.protectedType).toBe("Customer");
    expect(rules.topics.get("customers/merge")).toEqual(["read_customer_merge"]);
    expect(rules.topics.get("orders/create")).toEqual(["read_orders", "read_marketplace_orders"]);
    expect(rules.topics.get("app/uninstalled")).toEqual([]);
    expect(
      parseTopicDescription(
        "The webhook topic for `customers/update` events. Occurs whenever a customer is updated. Requires the `read_customers` scope.",
      ),
    ).toEqual({
      topic: "customers/update",
      anyOf: ["read_customers"],
    });
  });
});

describe("access scopes", () => {
  it("a missing scope gives Shopify's ACCESS_DENIED shape, the field null, the rest answered", async () => {
    const { gql } = install({ scopes: "read_orders,read_all_orders" });
    const r = await gql(`{ shop { name } customers(first: 5) { nodes { id } } }`);
    expect(r.status).toBe(200);
    expect(r.errors).toEqual([
      {
        message: "Access denied for customers field. Required access: `read_customers` access scope.",
        locations: [{ line: 1, column: 17 }],
        path: ["customers"],
        extensions: {
          code: "ACCESS_DENIED",
          documentation: "https://shopify.dev/api/usage/access-scopes",
          requiredAccess: "`read_customers` access scope.",
        },
      },
    ]);
    // customers is non-null: the error nulls the whole data, as graphql-js (and Shopify) propagate it
    expect(r.data).toBeNull();
    const orders = await gql(`{ orders(first: 5) { nodes { id customer { id } } } }`);
    expect(orders.errors[0]).toMatchObject({
      message: "Access denied for customer field. Required access: `read_customers` access scope.",
      path: ["orders", "nodes", 0, "customer"],
    });
    expect(orders.data.orders.nodes[0]).toEqual({ id: expect.any(String), customer: null });
  });

  it("write_customers implies read_customers; an object reached through nodes(ids:) is checked by its type", async () => {
    const { gql, seeded } = install({ scopes: "write_customers" });
    expect((await gql(`{ customers(first: 5) { nodes { id } } }`)).errors).toBeUndefined();
    const order = seeded.orderIds[3];
    const r = await gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [order] });
    expect(r.errors[0]).toMatchObject({
      path: ["nodes"],
      extensions: { code: "ACCESS_DENIED", requiredAccess: expect.stringContaining("read_orders") },
    });
  });

  it("discounts and marketing activities need their own scopes", async () => {
    const { gql } = install({ scopes: "read_customers,read_orders" });
    const r = await gql(`{ discountNodes(first: 1) { nodes { id } } }`);
    expect(r.errors[0].message).toBe(
      "Access denied for discountNodes field. Required access: Apps must have `read_discounts` access scope.",
    );
    const m = await gql(`{ marketingActivities(first: 1) { nodes { id } } }`);
    expect(m.errors[0].extensions).toMatchObject({
      code: "ACCESS_DENIED",
      requiredAccess: "`read_marketing_events` access scope.",
    });
  });

  it("the token exchange and currentAppInstallation report the granted scopes; setAccess sends app/scopes_update", async () => {
    const { shop, gql } = install({ scopes: "read_customers,write_customers,read_orders" });
    const listed = await gql(`{ currentAppInstallation { accessScopes { handle } } }`);
    expect(listed.data.currentAppInstallation.accessScopes.map((s: { handle: string }) => s.handle)).toEqual([
      "read_customers",
      "write_customers",
      "read_orders",
    ]);
    ds.webhooks.clear();
    ds.setAccess(shop, { scopes: "read_customers,write_customers,read_orders,read_all_orders" });
    const update = ds.webhooks.recorded().find((d) => d.topic === "app/scopes_update" && d.shop === shop);
    expect(JSON.parse(update!.body)).toMatchObject({
      previous: ["read_customers", "write_customers", "read_orders"],
      current: ["read_customers", "write_customers", "read_orders", "read_all_orders"],
      updated_at: new Date(NOW).toISOString(),
    });
    const after = await gql(`{ currentAppInstallation { accessScopes { handle } } }`);
    expect(after.data.currentAppInstallation.accessScopes).toHaveLength(4);
    // the token exchange's `scope` is the installation's grant
    const exchange = await fetch(`${ds.origin}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Devstore-Shop": shop },
      body: JSON.stringify({
        client_id: "access-key",
        client_secret: "access-secret",
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: await makeIdToken({
          shop,
          apiKey: "access-key",
          apiSecret: "access-secret",
          issuedAt: Math.floor(NOW / 1000),
        }),
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      }),
    });
    expect(await exchange.json()).toMatchObject({
      scope: "read_customers,write_customers,read_orders,read_all_orders",
    });
  });
});

describe("protected customer data", () => {
  it("level 0: customers and orders are not approved objects", async () => {
    const { gql } = install({ scopes: ALL, protectedCustomerData: 0 });
    const r = await gql(`{ orders(first: 1) { nodes { id } } }`);
    expect(r.errors[0]).toMatchObject({
      message:
        "This app is not approved to access the Order object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
      path: ["orders"],
      extensions: { code: "ACCESS_DENIED" },
    });
  });

  it("level 1: customer data without the identifying fields, which are null with an error each", async () => {
    const { gql } = install({ scopes: ALL, protectedCustomerData: 1 });
    const r = await gql(
      `{ customers(first: 1, sortKey: CREATED_AT) { nodes { id email phone firstName defaultEmailAddress { marketingState emailAddress } } } }`,
    );
    // emailAddress is non-null in the schema: its error nulls the whole defaultEmailAddress
    expect(r.data.customers.nodes[0]).toEqual({
      id: expect.any(String),
      email: null,
      phone: null,
      firstName: null,
      defaultEmailAddress: null,
    });
    expect(r.errors.map((e: { message: string }) => e.message)).toEqual([
      "This app is not approved to use the email field. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
      "This app is not approved to use the phone field. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
      "This app is not approved to use the firstName field. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
      "This app is not approved to use the emailAddress field. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
    ]);
    // the consent the app reads needs no identifying field
    const consent = await gql(
      `{ customers(first: 1, sortKey: CREATED_AT) { nodes { defaultEmailAddress { marketingState marketingUpdatedAt } } } }`,
    );
    expect(consent.errors).toBeUndefined();
    expect(consent.data.customers.nodes[0].defaultEmailAddress).toEqual({
      marketingState: "NOT_SUBSCRIBED",
      marketingUpdatedAt: null,
    });
  });

  it("level 2 with some fields: only those are answered", async () => {
    const { gql } = install({ scopes: ALL, protectedCustomerData: ["email"] });
    const r = await gql(`{ customers(first: 1, sortKey: CREATED_AT) { nodes { email phone } } }`);
    expect(r.data.customers.nodes[0]).toEqual({ email: "ann@example.com", phone: null });
    expect(r.errors).toHaveLength(1);
  });

  it("shopifyqlQuery needs read_reports and level 2: either missing is ACCESS_DENIED", async () => {
    const query = `query($q: String!) { shopifyqlQuery(query: $q) { parseErrors tableData { rows } } }`;
    const level1 = install({ scopes: ALL, protectedCustomerData: 1 });
    const denied = await level1.gql(query, { q: ANSWERED_QUERIES.monthlySessions });
    expect(denied.errors[0]).toMatchObject({
      path: ["shopifyqlQuery"],
      extensions: { code: "ACCESS_DENIED", requiredAccess: expect.stringContaining("Level 2 access to Customer data") },
    });
    const noScope = install({ scopes: ALL.replace(",read_reports", ""), protectedCustomerData: 2 });
    expect((await noScope.gql(query, { q: ANSWERED_QUERIES.monthlySessions })).errors[0].extensions.code).toBe(
      "ACCESS_DENIED",
    );
    const granted = install({ scopes: ALL, protectedCustomerData: 2 });
    const ok = await granted.gql(query, { q: ANSWERED_QUERIES.monthlySessions });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.shopifyqlQuery.parseErrors).toEqual([]);
  });
});

describe("webhooks the installation may receive", () => {
  const delivered = (shop: string, topic: string) =>
    ds.webhooks.recorded().filter((d) => d.shop === shop && d.topic === topic);
  const withheld = (shop: string, topic: string) =>
    ds.webhooks.events.filter((e) => e.shop === shop && e.topic === topic).map((e) => e.withheld);

  it("customers/merge needs read_customer_merge", async () => {
    const { shop, seeded } = install({ scopes: ALL.replace(",read_customer_merge", "") });
    ds.webhooks.clear();
    ds.mergeCustomers(seeded.customerIds.ann, seeded.customerIds.bob);
    expect(delivered(shop, "customers/merge")).toEqual([]);
    expect(withheld(shop, "customers/merge")).toEqual(["needs one of read_customer_merge"]);
    expect(delivered(shop, "customers/update")).toHaveLength(1);
  });

  it("without protected customer data, customer and order topics are withheld; compliance topics still arrive", async () => {
    const { shop, seeded } = install({ scopes: ALL, protectedCustomerData: 0 });
    ds.webhooks.clear();
    ds.createOrder(shop, { customerId: seeded.customerIds.bob, total: 5 });
    ds.redactCustomer(seeded.customerIds.bob);
    expect(delivered(shop, "orders/create")).toEqual([]);
    expect(withheld(shop, "orders/create")).toEqual(["needs protected customer data access"]);
    expect(delivered(shop, "customers/redact")).toHaveLength(1);
  });

  it("below level 2 the identifying values of a payload are redacted", async () => {
    const { shop, seeded } = install({ scopes: ALL, protectedCustomerData: 1 });
    ds.webhooks.clear();
    ds.updateCustomer(seeded.customerIds.ann, { note: "vip" });
    const body = JSON.parse(delivered(shop, "customers/update")[0].body);
    expect(body).toMatchObject({ id: expect.any(Number), email: null, first_name: null, phone: null, note: "vip" });
    expect(
      redactPayload(installAccess(ALL, ["name"]), {
        email: "x@y",
        first_name: "A",
        address: { name: "A B", first_name: "A", zip: "1234" },
      }),
    ).toEqual({
      email: null,
      first_name: "A",
      address: { name: "A B", first_name: "A", zip: null },
    });
  });
});

describe("orders older than 60 days without read_all_orders", () => {
  const ids = (nodes: Array<{ id: string }>) => nodes.map((n) => n.id);

  it("are invisible to orders, order, nodes, ordersCount, customer.orders and lastOrder", async () => {
    const { gql, seeded } = install({ scopes: "read_customers,read_orders" });
    const [older, old, recent, bob] = seeded.orderIds;
    const r = await gql(`{ orders(first: 10) { nodes { id } } ordersCount { count } }`);
    expect(ids(r.data.orders.nodes).sort()).toEqual([recent, bob].sort());
    expect(r.data.ordersCount.count).toBe(2);
    const one = await gql(`query($id: ID!, $ids: [ID!]!) { order(id: $id) { id } nodes(ids: $ids) { id } }`, {
      id: old,
      ids: [older, recent],
    });
    expect(one.data).toEqual({ order: null, nodes: [null, { id: recent }] });
    const ann = await gql(
      `query($id: ID!) { customer(id: $id) { orders(first: 10) { nodes { id } } numberOfOrders } }`,
      { id: seeded.customerIds.ann },
    );
    expect(ids(ann.data.customer.orders.nodes)).toEqual([recent]);
  });

  it("are left out of bulk exports; with read_all_orders everything is there", async () => {
    const runExport = async (gql: ReturnType<typeof install>["gql"]) => {
      const run = await gql(
        `mutation { bulkOperationRunQuery(query: "{ orders { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`,
      );
      await ds.bulkIdle();
      const op = await gql(`query($id: ID!) { bulkOperation(id: $id) { status url } }`, {
        id: run.data.bulkOperationRunQuery.bulkOperation.id,
      });
      expect(op.data.bulkOperation.status).toBe("COMPLETED");
      const text = await (await fetch(op.data.bulkOperation.url)).text();
      return text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).id as string);
    };
    const limited = install({ scopes: "read_customers,read_orders" });
    expect(await runExport(limited.gql)).toHaveLength(2);
    const full = install({ scopes: "read_customers,read_orders,read_all_orders" });
    expect((await runExport(full.gql)).sort()).toEqual([...full.seeded.orderIds].sort());
  });
});

describe("a bulk query the installation may not run fails with ACCESS_DENIED", () => {
  it("orders without read_orders", async () => {
    const { gql } = install({ scopes: "read_customers" });
    const run = await gql(
      `mutation { bulkOperationRunQuery(query: "{ orders { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`,
    );
    await ds.bulkIdle();
    const op = await gql(`query($id: ID!) { bulkOperation(id: $id) { status errorCode url } }`, {
      id: run.data.bulkOperationRunQuery.bulkOperation.id,
    });
    expect(op.data.bulkOperation).toEqual({ status: "FAILED", errorCode: "ACCESS_DENIED", url: null });
  });
});
