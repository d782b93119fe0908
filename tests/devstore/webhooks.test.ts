import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql, startReceiver } from "./client";
import { REPO_ROOT } from "./schema";
import { startDevStore, type DevStore } from "./server";
import { buildDeliveryHeaders, loadAppConfig, signWebhook } from "./webhooks";
import toml from "toml";

const API_KEY = "wh-key";
const SECRET = "wh-secret";
const SHOP = "webhooks-test.myshopify.com";
const example = (file: string) =>
  JSON.parse(readFileSync(path.join(REPO_ROOT, "tests/fixtures/shopify/webhooks", file), "utf8")) as Record<
    string,
    unknown
  >;

let ds: DevStore;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver(200);
  ds = await startDevStore({ apiKey: API_KEY, apiSecret: SECRET, appUrl: receiver.url });
  ds.addShop(SHOP, { currencyCode: "GBP" });
});
afterAll(async () => {
  await ds.close();
  await receiver.close();
});

describe("signing", () => {
  it("signWebhook is base64 HMAC-SHA256 of the raw body with the app secret", () => {
    const body = '{"id":1}';
    expect(signWebhook(body, SECRET)).toBe(createHmac("sha256", SECRET).update(body).digest("base64"));
    const h = buildDeliveryHeaders({
      topic: "orders/create",
      shop: SHOP,
      body,
      secret: SECRET,
      webhookId: "w",
      eventId: "e",
      triggeredAt: "t",
    });
    expect(h).toMatchObject({
      "Content-Type": "application/json",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Shop-Domain": SHOP,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": "w",
      "X-Shopify-Event-Id": "e",
      "X-Shopify-Triggered-At": "t",
    });
  });

  it("a delivered webhook's HMAC verifies with the secret, also through @shopify/shopify-api's webhooks.validate", async () => {
    ds.webhooks.mode = "send";
    const c = ds.createCustomer(SHOP, { email: "hmac@example.com", country: "United Kingdom", countryCode: "GB" });
    await ds.webhooks.drain();
    const got = receiver.received.find(
      (r) => r.headers["x-shopify-topic"] === "customers/create" && r.body.includes("hmac@example.com"),
    )!;
    expect(got.path).toBe("/webhooks/customers/create");
    expect(got.headers["x-shopify-hmac-sha256"]).toBe(createHmac("sha256", SECRET).update(got.body).digest("base64"));
    expect(got.headers["x-shopify-hmac-sha256"]).not.toBe(
      createHmac("sha256", "other").update(got.body).digest("base64"),
    );
    const shopify = shopifyApi({
      apiKey: API_KEY,
      apiSecretKey: SECRET,
      hostName: "127.0.0.1:3000",
      apiVersion: ApiVersion.October26,
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error },
    });
    const check = await shopify.webhooks.validate({
      rawBody: got.body,
      rawRequest: { headers: got.headers, method: "POST", url: got.path } as never,
    });
    expect(check).toMatchObject({ valid: true, topic: "CUSTOMERS_CREATE", domain: SHOP, apiVersion: "2026-10" });
    const payload = JSON.parse(got.body);
    expect(payload.id).toBe(c.id);
    expect(payload.admin_graphql_api_id).toBe(`gid://shopify/Customer/${c.id}`);
    // same keys, in the same order, as Shopify's documented example
    expect(Object.keys(payload)).toEqual(Object.keys(example("customers__create.json")));
  });
});

describe("record / flush", () => {
  it("record, shuffle and duplicate keep each event's X-Shopify-Event-Id", async () => {
    ds.webhooks.mode = "record";
    ds.webhooks.clear();
    const before = receiver.received.length;
    const c = ds.createCustomer(SHOP, { email: "rec@example.com" });
    const o1 = ds.createOrder(SHOP, { customerId: c.id, total: "12.00" });
    ds.createOrder(SHOP, {
      customerId: `gid://shopify/Customer/${c.id}`,
      lines: [{ title: "Mug", quantity: 2, price: "3.50" }],
    });
    ds.cancelOrder(SHOP, o1.id);
    const recorded = ds.webhooks.recorded();
    expect(receiver.received.length).toBe(before); // nothing sent yet
    const subscribed = (t: string) =>
      loadAppConfig(path.join(REPO_ROOT, "shopify.app.toml")).subscriptions.some((x) => x.topics.includes(t));
    expect(recorded.map((d) => d.topic)).toEqual(
      [
        "customers/create",
        "orders/create",
        "orders/paid",
        "customers/purchasing_summary",
        "orders/create",
        "orders/paid",
        "customers/purchasing_summary",
        "orders/cancelled",
        "orders/updated",
        "customers/purchasing_summary",
      ].filter(subscribed),
    );
    const eventIds = new Map(recorded.map((d) => [d.webhookId, d.eventId]));
    const sent = await ds.webhooks.flush({ shuffle: true, duplicateRate: 0.5, seed: 7 });
    expect(sent.length).toBeGreaterThan(recorded.length);
    expect(sent.every((d) => d.status === 200)).toBe(true);
    const dups = sent.filter((d) => d.duplicate);
    expect(dups.length).toBe(sent.length - recorded.length);
    for (const d of dups) {
      const original = recorded.find((r) => r.eventId === d.eventId)!;
      expect(d.body).toBe(original.body);
      expect(d.webhookId).not.toBe(original.webhookId);
      expect(d.headers["X-Shopify-Hmac-Sha256"]).toBe(original.headers["X-Shopify-Hmac-Sha256"]);
    }
    for (const d of sent.filter((x) => !x.duplicate)) expect(eventIds.get(d.webhookId)).toBe(d.eventId);
    expect(sent.map((d) => d.topic)).not.toEqual([...recorded, ...dups].map((d) => d.topic)); // shuffled
    const arrived = receiver.received.slice(before);
    expect(arrived).toHaveLength(sent.length);
    expect(new Set(arrived.map((r) => r.headers["x-shopify-event-id"]))).toEqual(
      new Set(recorded.map((d) => d.eventId)),
    );
    expect(ds.webhooks.recorded()).toEqual([]);
  });

  it("replay re-sends the same delivery (same webhook id and event id); send() posts arbitrary payloads", async () => {
    const d = ds.webhooks.deliveries[ds.webhooks.deliveries.length - 1];
    const before = receiver.received.length;
    expect(await ds.webhooks.replay(d)).toBe(200);
    const again = receiver.received[before];
    expect(again.headers["x-shopify-webhook-id"]).toBe(d.webhookId);
    expect(again.headers["x-shopify-event-id"]).toBe(d.eventId);
    const statuses = await ds.webhooks.send(
      SHOP,
      "customers/redact",
      { shop_id: 1, shop_domain: SHOP, customer: { id: 1 }, orders_to_redact: [] },
      { eventId: "fixed" },
    );
    expect(statuses).toEqual([200]);
    const last = receiver.received[receiver.received.length - 1];
    expect(last.path).toBe("/webhooks/compliance");
    expect(last.headers["x-shopify-event-id"]).toBe("fixed");
  });
});

describe("merchant simulation emits Shopify's topics and payload shapes", () => {
  it("orders, refunds, deletes, consent, merge, purchasing summary, compliance", async () => {
    ds.webhooks.mode = "record";
    ds.webhooks.clear();
    const keep = ds.createCustomer(SHOP, { email: "keep@example.com", tags: ["a"] });
    const drop = ds.createCustomer(SHOP, { email: "drop@example.com", tags: ["b"] });
    const o = ds.createOrder(SHOP, { customerId: drop.id, total: 30, createdAt: "2025-01-02T03:04:05Z" });
    ds.refundOrder(SHOP, o.id, { amount: 10 });
    const merged = ds.mergeCustomers(keep.id, drop.id);
    expect(merged.orderIds).toEqual([o.id]);
    expect(merged.tags).toEqual(["a", "b"]);
    ds.setEmailMarketingState(`gid://shopify/Customer/${keep.id}`, "SUBSCRIBED");
    ds.sendPurchasingSummary(keep.id);
    const guest = ds.createOrder(SHOP, { total: 5 });
    ds.deleteOrder(SHOP, guest.id);
    ds.requestCustomerData(keep.id);
    ds.redactCustomer(keep.id);
    ds.redactShop(SHOP);
    const rec = ds.webhooks.recorded();
    const byTopic = (t: string) => rec.filter((d) => d.topic === t).map((d) => JSON.parse(d.body));

    const created = byTopic("orders/create")[0];
    expect(Object.keys(created)).toEqual(Object.keys(example("orders__create.json")));
    expect(created).toMatchObject({
      id: o.id,
      admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
      total_price: "30.00",
      currency: "GBP",
    });
    expect(created.customer.admin_graphql_api_id).toBe(`gid://shopify/Customer/${drop.id}`);
    const refunded = byTopic("orders/updated")[0];
    expect(refunded).toMatchObject({ financial_status: "partially_refunded", current_total_price: "20.00" });
    expect(byTopic("customers/merge")[0]).toMatchObject({
      admin_graphql_api_customer_kept_id: `gid://shopify/Customer/${keep.id}`,
      admin_graphql_api_customer_deleted_id: `gid://shopify/Customer/${drop.id}`,
      status: "completed",
      errors: [],
    });
    expect(Object.keys(byTopic("customers/merge")[0])).toEqual(Object.keys(example("customers__merge.json")));
    const consent = byTopic("customers_email_marketing_consent/update")[0];
    expect(Object.keys(consent)).toEqual(Object.keys(example("customers_email_marketing_consent__update.json")));
    expect(consent).toMatchObject({
      customer_id: keep.id,
      email_address: "keep@example.com",
      email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in" },
    });
    const summary = byTopic("customers/purchasing_summary").at(-1);
    expect(Object.keys(summary)).toEqual(Object.keys(example("customers__purchasing_summary.json")));
    expect(summary).toMatchObject({
      customerId: `gid://shopify/Customer/${keep.id}`,
      numberOfOrders: 1,
      amountSpent: { amount: "20.00", currencyCode: "GBP" },
      lastOrderId: `gid://shopify/Order/${o.id}`,
    });
    expect(byTopic("orders/delete")[0]).toEqual({ id: guest.id });
    const dataRequest = byTopic("customers/data_request")[0];
    expect(Object.keys(dataRequest).sort()).toEqual(Object.keys(example("customers__data_request.json")).sort());
    expect(dataRequest).toMatchObject({
      shop_domain: SHOP,
      customer: { id: keep.id, email: "keep@example.com" },
      orders_requested: [o.id],
    });
    expect(byTopic("customers/redact")[0]).toMatchObject({ shop_domain: SHOP, orders_to_redact: [o.id] });
    expect(byTopic("shop/redact")[0]).toMatchObject({ shop_domain: SHOP });
    expect(
      rec
        .filter(
          (d) =>
            (d.topic.startsWith("customers/") && d.topic.includes("redact")) ||
            d.topic === "customers/data_request" ||
            d.topic === "shop/redact",
        )
        .every((d) => d.uri === "/webhooks/compliance"),
    ).toBe(true);
  });

  it("routes topics to the uris of shopify.app.toml (compliance_topics to their own uri)", () => {
    const cfg = loadAppConfig(path.join(REPO_ROOT, "shopify.app.toml"));
    const raw = toml.parse(readFileSync(path.join(REPO_ROOT, "shopify.app.toml"), "utf8"));
    for (const sub of raw.webhooks?.subscriptions ?? []) {
      for (const t of [...(sub.topics ?? []), ...(sub.compliance_topics ?? [])]) {
        expect(cfg.subscriptions.find((s) => s.topics.includes(t))!.uri).toBe(sub.uri);
      }
    }
  });

  it("a topic without a subscription is not delivered (but is kept in events)", async () => {
    // without a toml every topic is routed to /webhooks/<topic>, compliance topics to /webhooks/compliance
    const fallback = loadAppConfig(path.join(REPO_ROOT, "no-such-shopify.app.toml"));
    expect(fallback.subscriptions.find((x) => x.topics.includes("customer.tags_added"))!.uri).toBe(
      "/webhooks/customer.tags_added",
    );
    expect(fallback.subscriptions.find((x) => x.topics.includes("shop/redact"))!.uri).toBe("/webhooks/compliance");
    {
      ds.webhooks.mode = "record";
      ds.webhooks.clear();
      const subscribed = loadAppConfig(path.join(REPO_ROOT, "shopify.app.toml")).subscriptions.flatMap((x) => x.topics);
      const c = ds.createCustomer(SHOP, { email: "t@example.com" });
      ds.webhooks.clear();
      ds.webhooks.events.length = 0;
      await adminGraphqlTags(c.id);
      const delivered = ds.webhooks.recorded().map((d) => d.topic);
      const emitted = ds.webhooks.events.map((e) => e.topic);
      expect(emitted).toEqual(["customers/update", "customer.tags_added"]);
      expect(delivered).toEqual(emitted.filter((t) => subscribed.includes(t)));
    }
  });
});

async function adminGraphqlTags(customerId: number) {
  const token = ds.issueOfflineToken(SHOP);
  const r = await adminGraphql(
    ds.origin,
    token,
    `mutation($id: ID!) { tagsAdd(id: $id, tags: "x, y") { node { ... on Customer { tags } } } }`,
    {
      id: `gid://shopify/Customer/${customerId}`,
    },
  );
  expect(r.data.tagsAdd.node.tags).toEqual(["x", "y"]);
}
