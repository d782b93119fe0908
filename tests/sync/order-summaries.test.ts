import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { DEFAULT_LIFECYCLE_SETTINGS, summarizeOrders, type OrderFacts } from "../../app/lifecycle";
import { reconcileShop, refreshShopStats } from "../../app/sync/reconcile.server";
import { refreshOrderSummaries } from "../../app/sync/order-summaries.server";
import { loadShopContext } from "../../app/models/shop.server";
import {
  customersWithoutCurrentSummary,
  storedOrderSummary,
  writeOrderSummaries,
} from "../../app/models/customer.server";
import { oracleGaps, oracleQualifyingTimes, oracleShopQ } from "../lifecycle/oracle";
import { order as orderFacts } from "../lifecycle/helpers";

const SHOP = "summaries.myshopify.com";
const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2026, 5, 1));
const ago = (days: number) => NOW.getTime() - days * DAY;

interface Seeded {
  gid: string;
  orders: OrderFacts[];
}

/** Customers with orders that qualify, orders that do not, and one dated after NOW (it has not happened yet). */
const CUSTOMERS: Array<{ key: string; orders: Array<Partial<OrderFacts> & { createdAt: number }> }> = [
  { key: "none", orders: [] },
  { key: "one", orders: [{ createdAt: ago(40) }] },
  { key: "regular", orders: [{ createdAt: ago(300) }, { createdAt: ago(200) }, { createdAt: ago(100) }] },
  {
    key: "mixed",
    orders: [
      { createdAt: ago(500) },
      { createdAt: ago(450), cancelled: true },
      { createdAt: ago(400), totalMinor: 100, refundedMinor: 100 },
      { createdAt: ago(90) },
      { createdAt: ago(89.5) },
    ],
  },
  { key: "future", orders: [{ createdAt: ago(60) }, { createdAt: NOW.getTime() + 2 * DAY }] },
];

describeEachDatabase("order summaries on the customer", (database) => {
  let t: TestDb;
  const seeded: Seeded[] = [];

  beforeAll(async () => {
    t = await database.create();
    await t.db.shop.create({ data: { domain: SHOP } });
    for (const { key, orders } of CUSTOMERS) {
      const gid = `gid://shopify/Customer/${key}`;
      await t.db.customer.create({ data: { shop: SHOP, gid } });
      const facts: OrderFacts[] = [];
      for (const [i, o] of orders.entries()) {
        const order: OrderFacts = orderFacts(o.createdAt, { totalMinor: 5000, ...o });
        facts.push(order);
        await t.db.order.create({
          data: {
            shop: SHOP,
            gid: `gid://shopify/Order/${key}-${i}`,
            customerGid: gid,
            createdAt: new Date(order.createdAt),
            totalMinor: BigInt(order.totalMinor),
            refundedMinor: BigInt(order.refundedMinor),
            cancelled: order.cancelled,
          },
        });
      }
      seeded.push({ gid, orders: facts });
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const stored = (gid: string) => t.db.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid } } });

  it("reconcile stores each customer's summary as the orders say", async () => {
    await reconcileShop({ db: t.db, shop: SHOP, now: NOW, cause: "backfill", shopify: null });
    for (const { gid, orders } of seeded) {
      const times = oracleQualifyingTimes(orders, NOW.getTime());
      const row = await stored(gid);
      expect(row.summarizedAt?.toISOString(), gid).toBe(NOW.toISOString());
      expect(row.firstOrderAt?.getTime() ?? null, gid).toBe(times[0] ?? null);
      expect(row.secondOrderAt?.getTime() ?? null, gid).toBe(times[1] ?? null);
      expect(
        (JSON.parse(row.orderGapsMs) as number[]).map((ms) => ms / DAY),
        gid,
      ).toEqual(oracleGaps(times));
      const days = new Set(times.map((ms) => Math.floor(ms / DAY)));
      expect(row.purchaseDays, gid).toBe(days.size);
    }
    // Three orders within 365 days: regular at the third.
    expect((await stored("gid://shopify/Customer/regular")).regularAt?.getTime()).toBe(ago(100));
    // Two qualifying orders half a day apart on the same or next UTC day; the cancelled and refunded ones not at all.
    expect((await stored("gid://shopify/Customer/mixed")).regularAt).toBeNull();
    expect((await stored("gid://shopify/Customer/future")).nextOrderAt?.getTime()).toBe(NOW.getTime() + 2 * DAY);
  });

  it("Q from the summaries is Q from the orders", async () => {
    const ctx = await loadShopContext(t.db, SHOP);
    const stats = await refreshShopStats(t.db, ctx, NOW);
    const q = oracleShopQ(
      seeded.map(({ orders }) => oracleQualifyingTimes(orders, NOW.getTime())),
      DEFAULT_LIFECYCLE_SETTINGS,
    );
    expect(stats.gapThresholdDays).toBe(q);
  });

  it("a summary stops holding when its next order happens, under another regular rule, or for an earlier run", async () => {
    const settings = DEFAULT_LIFECYCLE_SETTINGS;
    expect(await refreshOrderSummaries(t.db, SHOP, settings, NOW)).toBe(0);
    // Three days on, the future order has happened: only that customer is summarized again, with the new gap.
    const later = new Date(NOW.getTime() + 3 * DAY);
    expect(await refreshOrderSummaries(t.db, SHOP, settings, later)).toBe(1);
    const future = await stored("gid://shopify/Customer/future");
    expect(JSON.parse(future.orderGapsMs)).toEqual([62 * DAY]);
    expect(future.nextOrderAt).toBeNull();
    // Q as of then counts that gap too.
    const ctx = await loadShopContext(t.db, SHOP);
    const stats = await refreshShopStats(t.db, ctx, later);
    expect(stats.gapThresholdDays).toBe(
      oracleShopQ(
        seeded.map(({ orders }) => oracleQualifyingTimes(orders, later.getTime())),
        settings,
      ),
    );
    // Another regular rule: every summary is found again; with two orders enough, "mixed" is regular at its last.
    const twoOrders = { ...settings, regularMinOrders: 2 };
    expect(await refreshOrderSummaries(t.db, SHOP, twoOrders, later)).toBe(seeded.length);
    expect((await stored("gid://shopify/Customer/mixed")).regularAt?.getTime()).toBe(ago(89.5));
    // A run dated before the summaries were made cannot use them (they may count orders it must not).
    expect(await refreshOrderSummaries(t.db, SHOP, twoOrders, NOW)).toBe(seeded.length);
    expect(JSON.parse((await stored("gid://shopify/Customer/future")).orderGapsMs)).toEqual([]);
  });

  it("a summary computed aside never replaces one written since it was read (reconcile's, from newer orders)", async () => {
    const gid = "gid://shopify/Customer/one";
    const before = await stored(gid);
    const stale = await customersWithoutCurrentSummary(t.db, SHOP, NOW, "other rule");
    const { id, summarizedAt } = stale.find((c) => c.gid === gid)!;
    expect(summarizedAt?.getTime()).toBe(before.summarizedAt?.getTime());
    const aside = storedOrderSummary(summarizeOrders([], DEFAULT_LIFECYCLE_SETTINGS, NOW.getTime()), NOW);
    // Read before the summary it would replace was written: kept.
    await writeOrderSummaries(t.db, SHOP, [{ id, seen: new Date(NOW.getTime() - DAY), summary: aside }]);
    expect((await stored(gid)).firstOrderAt?.getTime()).toBe(ago(40));
    // Read as it stands: replaced.
    await writeOrderSummaries(t.db, SHOP, [{ id, seen: summarizedAt, summary: aside }]);
    expect((await stored(gid)).firstOrderAt).toBeNull();
  });

  it.runIf(database.kind === "sqlite")(
    "pages through a shop's customers by id on its index, not by sorting the shop",
    async () => {
      const plan = await t.db.$queryRawUnsafe<Array<{ detail: string }>>(
        `EXPLAIN QUERY PLAN SELECT "id" FROM "Customer" WHERE "shop" = ? AND "id" > ? AND "deletedAt" IS NULL ORDER BY "id" LIMIT 100`,
        SHOP,
        0,
      );
      const details = plan.map((row) => row.detail).join("\n");
      expect(details).toContain("Customer_shop_id_idx");
      expect(details).not.toContain("TEMP B-TREE");
    },
  );
});
