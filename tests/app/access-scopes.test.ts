/**
 * The app reads what Shopify granted (currentAppInstallation.accessScopes) and honours it: without read_all_orders
 * no import, no tag and no Flow trigger computed from a cut-off history; when the scope arrives (app/scopes_update),
 * the full import runs and the tags follow. Against the dev store, which hides older orders as Shopify does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGrantedScopes } from "../../app/models/shop-access.server";
import { importMayStart, refreshGrantedScopes, TAGS_HELD_MESSAGE } from "../../app/sync/access.server";
import { runBackfill } from "../../app/sync/backfill.server";
import { shopifyWriter } from "../../app/sync/shopify-writer.server";
import { startDevStore, type DevStore } from "../devstore/server";
import { appUnderTest, type AppUnderTest } from "../support/app-under-test";
import { createTestDb, type TestDb } from "../support/test-db";

const SHOP = "access-app.myshopify.com";
const WITHOUT_ALL_ORDERS =
  "read_customers,write_customers,read_orders,read_customer_merge,read_marketing_events,read_discounts,read_reports";
const DAY = 86_400_000;

let t: TestDb;
let ds: DevStore;
let app: AppUnderTest;
let regular: { id: number };

const lifecycleTags = (customerId: number) =>
  ds.findCustomer(customerId)!.customer.tags.filter((tag) => tag.startsWith("lifecycle:"));

beforeAll(async () => {
  t = createTestDb();
  ds = await startDevStore({ apiKey: "access-app-key", apiSecret: "access-app-secret", scopes: WITHOUT_ALL_ORDERS });
  ds.webhooks.mode = "record";
  ds.addShop(SHOP);
  // A regular buyer for two years: five of the six orders are older than 60 days.
  const now = Date.now();
  const seeded = ds.seedFromRows(SHOP, {
    customers: [{ key: "regular", email: "regular@example.com", createdAt: now - 800 * DAY }],
    orders: [700, 560, 420, 280, 140, 20].map((days) => ({
      customer: "regular",
      createdAt: now - days * DAY,
      total: 50,
    })),
  });
  regular = { id: Number(seeded.customerIds.regular.split("/").pop()) };
  app = appUnderTest(t.db, ds);
  await app.install(SHOP);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await ds?.close();
});

describe("without read_all_orders", () => {
  it("the scopes Shopify granted are read and stored; the first import may not start", async () => {
    const { scopes } = await refreshGrantedScopes(t.db, SHOP, app.deps.clientFor(SHOP), new Date());
    expect(scopes).toEqual(WITHOUT_ALL_ORDERS.split(","));
    expect((await loadGrantedScopes(t.db, SHOP)).scopes).toEqual(scopes);
    expect(importMayStart(scopes)).toBe(false);
    expect(importMayStart(null)).toBe(true);
  });

  it("a new order is classified, but no stage tag is written and no Flow trigger sent", async () => {
    ds.webhooks.clear();
    ds.createOrder(SHOP, { customerId: regular.id, total: 25 });
    await app.receive(ds.webhooks.recorded());
    await app.processInbox();
    const customer = await t.db.customer.findUnique({
      where: { shop_gid: { shop: SHOP, gid: `gid://shopify/Customer/${regular.id}` } },
    });
    // Seven orders in two years, but Shopify shows the app only the last 60 days: two orders.
    expect(customer).toMatchObject({ qualifyingOrders: 2, tagError: TAGS_HELD_MESSAGE });
    expect(lifecycleTags(regular.id)).toEqual([]);
    expect(await t.db.stageChange.count({ where: { shop: SHOP, flowStatus: "pending" } })).toBe(0);
    expect(ds.flowTriggers).toEqual([]);
  });
});

describe("when read_all_orders arrives", () => {
  it("app/scopes_update stores the new scopes and queues the full import, which writes the tags", async () => {
    ds.webhooks.clear();
    ds.setAccess(SHOP, { scopes: `${WITHOUT_ALL_ORDERS},read_all_orders` });
    await app.receive(ds.webhooks.recorded());
    await app.processInbox();
    expect((await loadGrantedScopes(t.db, SHOP)).scopes).toContain("read_all_orders");
    const job = await t.db.job.findFirst({ where: { shop: SHOP, name: "backfill", doneAt: null } });
    expect(job).not.toBeNull();

    const client = app.deps.clientFor(SHOP);
    await runBackfill({
      db: t.db,
      shop: SHOP,
      client,
      writer: shopifyWriter(t.db, SHOP, client),
      now: () => new Date(),
      pollIntervalMs: 5,
    });
    const customer = await t.db.customer.findUnique({
      where: { shop_gid: { shop: SHOP, gid: `gid://shopify/Customer/${regular.id}` } },
    });
    expect(customer).toMatchObject({ qualifyingOrders: 7, stage: "regular-buyer", tagError: null });
    expect(lifecycleTags(regular.id)).toEqual(["lifecycle:regular-buyer"]);
  }, 120_000);

  it("a later scopes update that keeps read_all_orders queues nothing new", async () => {
    await t.db.job.updateMany({
      where: { shop: SHOP, doneAt: null },
      data: { doneAt: new Date(), singletonKey: null },
    });
    ds.webhooks.clear();
    ds.setAccess(SHOP, { scopes: `${WITHOUT_ALL_ORDERS},read_all_orders,read_products` });
    await app.receive(ds.webhooks.recorded());
    await app.processInbox();
    expect(await t.db.job.count({ where: { shop: SHOP, name: "backfill", doneAt: null } })).toBe(0);
    expect((await loadGrantedScopes(t.db, SHOP)).scopes).toContain("read_products");
  });
});

describe("without protected customer data", () => {
  it("the import fails with Shopify's ACCESS_DENIED, recorded for the board's import card", async () => {
    const shop = "access-no-customer-data.myshopify.com";
    ds.addShop(shop, { access: { scopes: `${WITHOUT_ALL_ORDERS},read_all_orders`, protectedCustomerData: 0 } });
    ds.seedFromRows(shop, { customers: [{ key: "a", email: "a@example.com", createdAt: "2026-01-01T00:00:00Z" }] });
    await app.install(shop);
    const client = app.deps.clientFor(shop);
    await expect(
      runBackfill({
        db: t.db,
        shop,
        client,
        writer: shopifyWriter(t.db, shop, client),
        now: () => new Date(),
        pollIntervalMs: 5,
      }),
    ).rejects.toThrow(/FAILED \(ACCESS_DENIED\)/);
    const run = await t.db.syncRun.findFirst({ where: { shop, kind: "backfill" } });
    expect(run?.error).toMatch(/FAILED \(ACCESS_DENIED\)/);
  }, 60_000);
});
