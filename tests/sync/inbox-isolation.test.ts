import { afterAll, beforeAll, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { processInbox } from "../../app/sync/inbox.server";
import {
  deliveryBackoffMs,
  MAX_DELIVERY_ATTEMPTS,
  parkedDeliveries,
  retryParkedDeliveries,
} from "../../app/models/inbox.server";
import { upsertCustomers } from "../../app/models/facts.server";
import { startDevStore, type DevStore } from "../devstore/server";
import { appUnderTest, type AppUnderTest } from "../support/app-under-test";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { withCpuLoad } from "../support/cpu-load";
import { appTagsOf } from "./support";

withCpuLoad();

const SHOPS = ["iso-a.myshopify.com", "iso-b.myshopify.com", "iso-c.myshopify.com"];
/** Installed once, then uninstalled: its deliveries must wait without holding anyone up. */
const GONE = "iso-gone.myshopify.com";
/** Installed, but Shopify refuses its token (401): its tag writes fail and wait for a retry; nobody else's do. */
const REFUSED = "iso-refused.myshopify.com";
const DELIVERIES = 10_000;
const CUSTOMERS_PER_SHOP = 60;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);
/** The order whose rows the database refuses (a fault injected below): its delivery is poisoned. */
const POISONED_ORDER = 990_000_004_321;
/** A delivery whose payload is JSON but not an object: it can never apply. */
const NOT_AN_OBJECT = "[1, 2, 3]";

interface Sent {
  shop: string;
  eventId: string;
  body: string;
  orderId: number | null;
}

/**
 * The database as the app sees it, except that any write carrying the poisoned order's id fails, as a constraint or a
 * corrupt page would: the batch holding that delivery fails, and the inbox must find the one delivery at fault.
 */
function withPoisonedOrder(db: PrismaClient, marker: string): PrismaClient {
  const poisoned = (args: unknown[]) =>
    JSON.stringify(args, (_key, value) => (typeof value === "bigint" ? value.toString() : value)).includes(marker);
  return new Proxy(db, {
    get(target, property) {
      if (property === "$executeRawUnsafe" || property === "$executeRaw") {
        return (...args: unknown[]) => {
          if (poisoned(args)) throw new Error(`injected fault: the database refuses order ${marker}`);
          return (target[property] as (...a: unknown[]) => unknown)(...args);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describeEachDatabase("one poisoned delivery among 10,000 for three shops", (database) => {
  let devStore: DevStore;
  let testDb: TestDb;
  let app: AppUnderTest;
  let db: PrismaClient;
  const sent: Sent[] = [];
  const customerIds = new Map<string, number[]>();

  beforeAll(async () => {
    devStore = await startDevStore({
      port: 0,
      apiKey: "iso-key",
      apiSecret: "iso-secret",
      bucket: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 },
    });
    devStore.webhooks.mode = "record";
    testDb = await database.create();
    db = withPoisonedOrder(testDb.db, String(POISONED_ORDER));
    app = appUnderTest(testDb.db, devStore);
    for (const shop of [...SHOPS, GONE, REFUSED]) {
      await app.install(shop);
      const customers = Array.from({ length: CUSTOMERS_PER_SHOP }, (_, i) =>
        devStore.createCustomer(shop, { email: `c${i}@${shop}` }),
      );
      customerIds.set(
        shop,
        customers.map((c) => c.id),
      );
      // Imported before the deliveries, as after a backfill.
      await upsertCustomers(
        testDb.db,
        shop,
        customers.map((c) => ({
          gid: `gid://shopify/Customer/${c.id}`,
          shopifyCreatedAt: new Date(T0 - 900 * DAY),
          shopifyUpdatedAt: new Date(T0 - 900 * DAY),
          emailMarketingState: "NOT_SUBSCRIBED",
          tags: [],
        })),
      );
    }
    // A real orders/create payload from the dev store, its ids and times made placeholders.
    const customer = devStore.createCustomer(SHOPS[0], { email: "template@example.com" });
    const order = devStore.createOrder(SHOPS[0], { customerId: customer.id, total: 12.5 });
    const recorded = devStore.webhooks.recorded().find((d) => d.topic === "orders/create")!.body;
    devStore.webhooks.clear();
    const created = /"created_at":"([^"]+)"/.exec(recorded)![1];
    const template = recorded
      .split(String(order.id))
      .join("__ORDER__")
      .split(String(customer.id))
      .join("__CUSTOMER__")
      .split(created)
      .join("__AT__");
    for (let i = 0; i < DELIVERIES; i++) {
      const shop = SHOPS[i % SHOPS.length];
      const orderId = 990_000_000_000 + i;
      const customerId = customerIds.get(shop)![Math.floor(i / SHOPS.length) % CUSTOMERS_PER_SHOP];
      const at = new Date(T0 - ((i * 13) % 700) * DAY).toISOString().replace(".000Z", "+00:00");
      const body =
        i === 7_777
          ? NOT_AN_OBJECT
          : template
              .split("__ORDER__")
              .join(String(orderId))
              .split("__CUSTOMER__")
              .join(String(customerId))
              .split("__AT__")
              .join(at);
      sent.push({ shop, eventId: `iso-${i}`, body, orderId: i === 7_777 ? null : orderId });
    }
    // The uninstalled shop: an order (waits for a session) and a compliance request (needs none).
    const goneCustomer = customerIds.get(GONE)![0];
    sent.push({
      shop: GONE,
      eventId: "gone-order",
      body: template
        .split("__ORDER__")
        .join("990000099999")
        .split("__CUSTOMER__")
        .join(String(goneCustomer))
        .split("__AT__")
        .join(new Date(T0 - DAY).toISOString()),
      orderId: 990_000_099_999,
    });
    sent.push({
      shop: GONE,
      eventId: "gone-redact",
      body: JSON.stringify({
        shop_id: 1,
        shop_domain: GONE,
        customer: { id: customerIds.get(GONE)![1] },
        orders_to_redact: [],
      }),
      orderId: null,
    });
    for (let i = 0; i < 30; i++) {
      const customerId = customerIds.get(REFUSED)![i];
      const body = template
        .split("__ORDER__")
        .join(String(990_000_200_000 + i))
        .split("__CUSTOMER__")
        .join(String(customerId))
        .split("__AT__")
        .join(new Date(T0 - i * DAY).toISOString());
      sent.push({ shop: REFUSED, eventId: `refused-${i}`, body, orderId: 990_000_200_000 + i });
    }
    await testDb.db.session.deleteMany({ where: { shop: GONE } });
    app.tokens.set(REFUSED, "shpat_revoked");
    for (const s of sent) {
      await testDb.db.webhookDelivery.create({
        data: {
          shop: s.shop,
          topic: s.eventId === "gone-redact" ? "customers/redact" : "orders/create",
          eventId: s.eventId,
          payload: s.body,
          receivedAt: new Date(T0),
        },
      });
    }
  }, 600_000);

  afterAll(async () => {
    await testDb?.close();
    await devStore?.close();
  });

  async function drain(now: number): Promise<void> {
    for (let pass = 0; pass < 1000; pass++) {
      if ((await processInbox({ db, now: () => new Date(now), clientFor: app.deps.clientFor })) === 0) return;
    }
    throw new Error("the inbox did not drain in 1,000 passes");
  }

  it("every healthy delivery is applied; the poisoned ones fail alone; the uninstalled shop waits without blocking anyone", async () => {
    await drain(T0);
    const rows = await testDb.db.webhookDelivery.findMany({
      select: {
        eventId: true,
        shop: true,
        processedAt: true,
        attempts: true,
        parkedAt: true,
        nextAttemptAt: true,
        lastError: true,
      },
    });
    const byEvent = new Map(rows.map((r) => [r.eventId, r]));
    const poisoned = sent.find((s) => s.orderId === POISONED_ORDER)!;
    const notAnObject = sent.find((s) => s.body === NOT_AN_OBJECT)!;
    const healthy = sent.filter((s) => SHOPS.includes(s.shop) && s !== poisoned && s !== notAnObject);
    expect(healthy).toHaveLength(DELIVERIES - 2);
    expect(
      healthy
        .filter((s) => byEvent.get(s.eventId)?.processedAt === null || byEvent.get(s.eventId)?.attempts !== 0)
        .map((s) => s.eventId),
    ).toEqual([]);

    // Each healthy order stored once, in its own shop; the poisoned one nowhere.
    for (const shop of SHOPS) {
      const expected = healthy
        .filter((s) => s.shop === shop)
        .map((s) => `gid://shopify/Order/${s.orderId}`)
        .sort();
      const stored = (await testDb.db.order.findMany({ where: { shop }, select: { gid: true } }))
        .map((o) => o.gid)
        .sort();
      expect(stored).toEqual(expected);
    }
    expect(await testDb.db.order.count({ where: { gid: `gid://shopify/Order/${POISONED_ORDER}` } })).toBe(0);

    // A payload that can never apply is parked at once, with the reason; the refused one waits for its retry.
    expect(byEvent.get(notAnObject.eventId)).toMatchObject({
      processedAt: null,
      attempts: 1,
      lastError: "The payload is not a JSON object",
    });
    expect(byEvent.get(notAnObject.eventId)!.parkedAt).not.toBeNull();
    expect(byEvent.get(poisoned.eventId)).toMatchObject({ processedAt: null, attempts: 1, parkedAt: null });
    expect(byEvent.get(poisoned.eventId)!.lastError).toMatch(/injected fault/);
    expect(byEvent.get(poisoned.eventId)!.nextAttemptAt!.getTime()).toBe(T0 + deliveryBackoffMs(1));

    // The uninstalled shop: its order waits, attempts untouched; its compliance request was applied anyway.
    expect(byEvent.get("gone-order")).toMatchObject({ processedAt: null, attempts: 0, parkedAt: null });
    expect(byEvent.get("gone-redact")!.processedAt).not.toBeNull();
    expect(
      await testDb.db.customer.count({
        where: { shop: GONE, gid: `gid://shopify/Customer/${customerIds.get(GONE)![1]}` },
      }),
    ).toBe(0);

    // The shop whose token Shopify refuses: its orders are applied (they need no Admin call), its tag writes failed
    // and wait for a retry with the reason, and they held up nobody (the checks above and below).
    expect(sent.filter((s) => s.shop === REFUSED).every((s) => byEvent.get(s.eventId)?.processedAt !== null)).toBe(
      true,
    );
    const refused = await testDb.db.customer.findMany({
      where: { shop: REFUSED, desiredAppTags: { not: null } },
      select: { tagError: true, tagWriteDueAt: true },
    });
    expect(refused.length).toBeGreaterThanOrEqual(30);
    expect(refused.every((c) => /401/.test(c.tagError ?? "") && c.tagWriteDueAt!.getTime() > T0)).toBe(true);

    // The healthy shops' customers carry in Shopify exactly the stage tag stored for them.
    for (const shop of SHOPS) {
      const stored = await testDb.db.customer.findMany({
        where: { shop },
        select: { gid: true, stage: true, desiredAppTags: true },
      });
      expect(stored.filter((c) => c.desiredAppTags !== null)).toEqual([]);
      const state = devStore.shops.get(shop)!;
      for (const c of stored) {
        const tags = appTagsOf(state.customers.get(Number(c.gid.split("/").pop()))!.tags);
        expect(
          tags.find((t) => !t.includes("winback")),
          c.gid,
        ).toBe(`lifecycle:${c.stage}`);
      }
    }
  }, 900_000);

  it("the refused delivery is retried with a growing wait, then parked with its reason; Retry gives it new attempts", async () => {
    let now = T0;
    for (let attempt = 1; attempt < MAX_DELIVERY_ATTEMPTS; attempt++) {
      const row = await testDb.db.webhookDelivery.findFirst({
        where: { payload: { contains: String(POISONED_ORDER) } },
      });
      expect(row!.attempts).toBe(attempt);
      // Just before its time nothing happens; at its time it is tried again.
      await drain(now + deliveryBackoffMs(attempt) - 1);
      expect((await testDb.db.webhookDelivery.findUnique({ where: { id: row!.id } }))!.attempts).toBe(attempt);
      now += deliveryBackoffMs(attempt);
      await drain(now);
    }
    const parked = await testDb.db.webhookDelivery.findFirst({
      where: { payload: { contains: String(POISONED_ORDER) } },
    });
    expect(parked).toMatchObject({ attempts: MAX_DELIVERY_ATTEMPTS, processedAt: null, nextAttemptAt: null });
    expect(parked!.parkedAt).not.toBeNull();
    expect(parked!.lastError).toMatch(/injected fault/);

    // The board's sync card reads them per shop with their reasons.
    const poisonedShop = parked!.shop;
    const summary = await parkedDeliveries(testDb.db, poisonedShop);
    expect(summary.reasons.some((r) => /injected fault/.test(r.reason))).toBe(true);

    // Retry (the fault is gone by then): the delivery is applied.
    db = testDb.db;
    expect(await retryParkedDeliveries(testDb.db, poisonedShop)).toBe(summary.count);
    await drain(now);
    expect(await testDb.db.order.count({ where: { gid: `gid://shopify/Order/${POISONED_ORDER}` } })).toBe(1);
  }, 900_000);

  it("the uninstalled shop's waiting delivery applies once the shop installs again", async () => {
    await app.install(GONE);
    await drain(T0 + 10 * DAY);
    const row = await testDb.db.webhookDelivery.findFirst({ where: { eventId: "gone-order" } });
    expect(row).toMatchObject({ attempts: 0, parkedAt: null });
    expect(row!.processedAt).not.toBeNull();
    expect(await testDb.db.order.count({ where: { shop: GONE } })).toBe(1);
  }, 300_000);
});
