import { afterAll, beforeAll, expect, it } from "vitest";
import {
  deleteCustomer,
  deleteOrder,
  mergeCustomers,
  touchCustomer,
  updateConsent,
  upsertCustomers,
  upsertOrders,
} from "../../app/models/facts.server";
import { markDeliveriesApplied, recordDelivery } from "../../app/models/inbox.server";
import { loadOrdersOf } from "../../app/models/customer.server";
import { jsonSql } from "../../app/models/sql-values.server";
import type { OrderRow } from "../../app/ingest/facts";
import { describeEachDatabase, type TestDb } from "../support/databases";

const SHOP = "facts-sql.myshopify.com";
const T0 = new Date("2026-03-01T10:20:30.456Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

function order(gid: string, patch: Partial<OrderRow> = {}): OrderRow {
  return {
    gid,
    customerGid: "gid://shopify/Customer/1",
    createdAt: T0,
    totalMinor: 1234n,
    refundedMinor: 0n,
    currencyCode: "EUR",
    cancelled: false,
    test: false,
    voided: false,
    fullyRefunded: false,
    shopifyUpdatedAt: T0,
    ...patch,
  };
}

// The raw upserts in app/models/facts.server.ts are written once for both SQL dialects; this runs them on both.
describeEachDatabase("fact upserts (raw SQL)", (database) => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await database.create();
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it("inserts a batch larger than one statement, with nulls, booleans, big amounts and exact instants", async () => {
    const rows = Array.from({ length: 450 }, (_, i) =>
      order(`gid://shopify/Order/${i}`, {
        customerGid: i % 3 === 0 ? null : `gid://shopify/Customer/${i % 7}`,
        totalMinor: 2n ** 60n + BigInt(i),
        cancelled: i % 2 === 0,
        currencyCode: i % 5 === 0 ? null : "EUR",
        createdAt: later(i),
        shopifyUpdatedAt: i % 4 === 0 ? null : T0,
      }),
    );
    await upsertOrders(testDb.db, SHOP, rows);
    expect(await testDb.db.order.count({ where: { shop: SHOP } })).toBe(450);
    const sample = await testDb.db.order.findUnique({
      where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Order/7" } },
    });
    expect(sample).toMatchObject({
      customerGid: "gid://shopify/Customer/0",
      totalMinor: 2n ** 60n + 7n,
      cancelled: false,
      currencyCode: "EUR",
      createdAt: later(7),
      shopifyUpdatedAt: T0,
    });
    const nulls = await testDb.db.order.findUnique({
      where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Order/0" } },
    });
    expect(nulls).toMatchObject({ customerGid: null, currencyCode: null, shopifyUpdatedAt: null, cancelled: true });
  });

  it("a newer row updates, an older one changes nothing, a tombstoned order stays deleted", async () => {
    const gid = "gid://shopify/Order/newer";
    await upsertOrders(testDb.db, SHOP, [order(gid, { totalMinor: 100n, shopifyUpdatedAt: later(1000) })]);
    await upsertOrders(testDb.db, SHOP, [order(gid, { totalMinor: 200n, shopifyUpdatedAt: later(2000) })]);
    await upsertOrders(testDb.db, SHOP, [order(gid, { totalMinor: 150n, shopifyUpdatedAt: later(1500) })]);
    expect((await testDb.db.order.findUnique({ where: { shop_gid: { shop: SHOP, gid } } }))?.totalMinor).toBe(200n);

    expect(await deleteOrder(testDb.db, SHOP, gid, later(3000))).toBe("gid://shopify/Customer/1");
    await upsertOrders(testDb.db, SHOP, [order(gid, { totalMinor: 999n, shopifyUpdatedAt: later(4000) })]);
    const row = await testDb.db.order.findUnique({ where: { shop_gid: { shop: SHOP, gid } } });
    expect(row).toMatchObject({ totalMinor: 200n, deletedAt: later(3000) });
  });

  it("customers: full records, webhook touches and consent each keep the newest state", async () => {
    const gid = "gid://shopify/Customer/42";
    await upsertCustomers(testDb.db, SHOP, [
      {
        gid,
        shopifyCreatedAt: T0,
        shopifyUpdatedAt: later(10),
        emailMarketingState: "SUBSCRIBED",
        consentUpdatedAt: later(5),
        tags: ["VIP", "lifecycle:first-time-buyer"],
      },
    ]);
    await upsertCustomers(testDb.db, SHOP, [
      { gid, shopifyCreatedAt: T0, shopifyUpdatedAt: later(5), emailMarketingState: "UNSUBSCRIBED", tags: [] },
    ]);
    await touchCustomer(testDb.db, SHOP, { gid, shopifyCreatedAt: null, shopifyUpdatedAt: later(20) });
    await updateConsent(testDb.db, SHOP, gid, "UNSUBSCRIBED", later(1));
    let row = await testDb.db.customer.findUnique({ where: { shop_gid: { shop: SHOP, gid } } });
    expect(row).toMatchObject({
      emailMarketingState: "SUBSCRIBED",
      shopifyCreatedAt: T0,
      shopifyUpdatedAt: later(20),
      consentUpdatedAt: later(5),
    });
    expect(JSON.parse(row!.tags)).toEqual(["VIP", "lifecycle:first-time-buyer"]);

    await updateConsent(testDb.db, SHOP, gid, "UNSUBSCRIBED", later(30));
    row = await testDb.db.customer.findUnique({ where: { shop_gid: { shop: SHOP, gid } } });
    expect(row).toMatchObject({ emailMarketingState: "UNSUBSCRIBED", consentUpdatedAt: later(30) });

    // A consent update for a customer not seen yet creates it.
    await updateConsent(testDb.db, SHOP, "gid://shopify/Customer/43", "SUBSCRIBED", null);
    expect(await testDb.db.customer.count({ where: { shop: SHOP, gid: "gid://shopify/Customer/43" } })).toBe(1);
  });

  it("merge moves orders to the kept customer and tombstones the other", async () => {
    await upsertOrders(testDb.db, SHOP, [
      order("gid://shopify/Order/m1", { customerGid: "gid://shopify/Customer/77" }),
    ]);
    await upsertCustomers(testDb.db, SHOP, [
      { gid: "gid://shopify/Customer/77", shopifyCreatedAt: T0, shopifyUpdatedAt: T0 },
    ]);
    await mergeCustomers(testDb.db, SHOP, "gid://shopify/Customer/78", "gid://shopify/Customer/77", later(50));
    expect(
      (await testDb.db.order.findUnique({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Order/m1" } } }))
        ?.customerGid,
    ).toBe("gid://shopify/Customer/78");
    await deleteCustomer(testDb.db, SHOP, "gid://shopify/Customer/77", later(60));
    expect(
      (await testDb.db.customer.findUnique({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/77" } } }))
        ?.deletedAt,
    ).toEqual(later(60));
  });

  it("the same inbox event is stored once, also when two deliveries race", async () => {
    await testDb.db.shop.create({ data: { domain: SHOP } });
    const delivery = {
      shop: SHOP,
      topic: "orders/create",
      eventId: "race",
      webhookId: null,
      apiVersion: "2026-10",
      triggeredAt: T0,
      payload: "{}",
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => recordDelivery(testDb.db, delivery)));
    expect(results.sort()).toEqual(["repeat", "repeat", "repeat", "repeat", "repeat", "repeat", "repeat", "stored"]);
    expect(await testDb.db.webhookDelivery.count({ where: { shop: SHOP, eventId: "race" } })).toBe(1);
  });

  it("a delivery is stored as given, with exact instants, only for a shop with a Shop row or an offline session", async () => {
    const delivery = (shop: string, eventId: string) => ({
      shop,
      topic: "customers/update",
      eventId,
      webhookId: `webhook-${eventId}`,
      apiVersion: "2026-10",
      triggeredAt: later(1),
      payload: '{"id":987654321987654321,"note":"日本語 ünïcode"}',
    });
    const before = Date.now();
    expect(await recordDelivery(testDb.db, delivery("never-installed.myshopify.com", "a"))).toBe("not installed");
    expect(await testDb.db.webhookDelivery.count({ where: { shop: "never-installed.myshopify.com" } })).toBe(0);

    const installing = "installing.myshopify.com";
    await testDb.db.session.create({
      data: { id: `offline_${installing}`, shop: installing, state: "", isOnline: false, accessToken: "t" },
    });
    expect(await recordDelivery(testDb.db, delivery(installing, "b"))).toBe("stored");
    const stored = await testDb.db.webhookDelivery.findFirstOrThrow({ where: { shop: installing, eventId: "b" } });
    expect(stored).toMatchObject({
      topic: "customers/update",
      webhookId: "webhook-b",
      apiVersion: "2026-10",
      triggeredAt: later(1),
      payload: '{"id":987654321987654321,"note":"日本語 ünïcode"}',
      attempts: 0,
      processedAt: null,
      nextAttemptAt: null,
    });
    expect(stored.receivedAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(stored.receivedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1);

    // Inside an interactive transaction the statement goes through Prisma, and belongs to the transaction.
    await expect(
      testDb.db.$transaction(async (tx) => {
        expect(await recordDelivery(tx as typeof testDb.db, delivery(installing, "c"))).toBe("stored");
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await testDb.db.webhookDelivery.count({ where: { shop: installing, eventId: "c" } })).toBe(0);
    await testDb.db.$transaction(async (tx) => {
      expect(await recordDelivery(tx as typeof testDb.db, delivery(installing, "c"))).toBe("stored");
      expect(await recordDelivery(tx as typeof testDb.db, delivery(installing, "c"))).toBe("repeat");
    });
    const viaPrisma = await testDb.db.webhookDelivery.findFirstOrThrow({ where: { shop: installing, eventId: "c" } });
    expect(viaPrisma.triggeredAt).toEqual(later(1));
  });

  it("looks rows up by a JSON list through the index, on a table just loaded and never analyzed", async () => {
    // A first import leaves PostgreSQL's statistics behind the table: a lookup planned as a nested loop over a
    // sequential scan took seconds per inbox batch (bench/inbox.bench.ts). The plan must use the index anyway.
    const shop = "lookup-plan.myshopify.com";
    const customers = 2000;
    const rows = Array.from({ length: customers * 10 }, (_, i) =>
      order(`gid://shopify/Order/plan-${i}`, {
        customerGid: `gid://shopify/Customer/plan-${i % customers}`,
        createdAt: later(i * 1000),
      }),
    );
    await upsertOrders(testDb.db, shop, rows);
    const wanted = [7, 1999, 123].map((i) => `gid://shopify/Customer/plan-${i}`);
    const orders = await loadOrdersOf(testDb.db, shop, wanted);
    // Customer k holds orders k, k + 2,000, …: ten each, created k, k + 2,000, … seconds after T0.
    for (const [k, gid] of [7, 1999, 123].map((k, j) => [k, wanted[j]] as const)) {
      expect(orders.get(gid)!.map((o) => o.createdAt)).toEqual(
        Array.from({ length: 10 }, (_, n) => T0.getTime() + (k + n * customers) * 1000),
      );
    }

    const sql = jsonSql(testDb.db);
    const explain = async (query: string, ...args: unknown[]) => {
      const plan = await testDb.db.$queryRawUnsafe<Array<Record<string, unknown>>>(
        `${sql.postgres ? "EXPLAIN" : "EXPLAIN QUERY PLAN"} ${query}`,
        ...args,
      );
      return plan.map((row) => String(row["QUERY PLAN"] ?? row.detail)).join("\n");
    };
    const ordersPlan = await explain(
      `SELECT "createdAt" FROM "Order" WHERE "shop" = ${sql.param(1)} AND ${sql.inJson(`"customerGid"`, 2)}`,
      shop,
      JSON.stringify(Array.from({ length: customers }, (_, i) => `gid://shopify/Customer/plan-${i}`)),
    );
    expect(ordersPlan).toMatch(/Index|INDEX/);
    expect(ordersPlan).not.toMatch(/Seq Scan on "Order"|SCAN "Order"\s*$/m);

    const delivery = {
      shop,
      topic: "orders/create",
      eventId: "plan",
      webhookId: null,
      apiVersion: "2026-10",
      triggeredAt: T0,
      payload: "{}",
    };
    await testDb.db.shop.create({ data: { domain: shop } });
    expect(await recordDelivery(testDb.db, delivery)).toBe("stored");
    await testDb.db.webhookDelivery.createMany({
      data: Array.from({ length: 20_000 }, (_, i) => ({ ...delivery, eventId: `plan-${i}`, receivedAt: T0 })),
    });
    const { id } = await testDb.db.webhookDelivery.findFirstOrThrow({ where: { shop, eventId: "plan" } });
    const deliveriesPlan = await explain(
      `SELECT "id" FROM "WebhookDelivery" WHERE ${sql.inJson(`"id"`, 1, "integer")}`,
      JSON.stringify([id]),
    );
    expect(deliveriesPlan).toMatch(/WebhookDelivery_pkey|PRIMARY KEY|INTEGER PRIMARY KEY/);
    await markDeliveriesApplied(testDb.db, [id], later(1));
    expect(await testDb.db.webhookDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({
      processedAt: later(1),
      payload: "",
    });
  });
});
