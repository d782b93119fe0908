import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../support/test-db";
import { measureConversions } from "../../app/models/board.server";
import { DEFAULT_LIFECYCLE_SETTINGS } from "../../app/lifecycle";

const SHOP = "conversions.myshopify.com";
const OTHER = "other.myshopify.com";
const NOW = new Date("2026-11-23T00:00:00Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

let t: TestDb;

type OrderSeed = { days: number; cancelled?: boolean; test?: boolean; fullyRefunded?: boolean; voided?: boolean; deleted?: boolean; total?: number; refunded?: number };

async function customer(key: string, options: { subscribedDaysAgo?: number; state?: string; orders?: OrderSeed[]; shop?: string } = {}) {
  const shop = options.shop ?? SHOP;
  const gid = `gid://shopify/Customer/${key}`;
  await t.db.customer.create({
    data: {
      shop,
      gid,
      emailMarketingState: options.state ?? (options.subscribedDaysAgo != null ? "SUBSCRIBED" : "NOT_SUBSCRIBED"),
      consentUpdatedAt: options.subscribedDaysAgo != null ? ago(options.subscribedDaysAgo) : null,
    },
  });
  for (const [i, o] of (options.orders ?? []).entries()) {
    await t.db.order.create({
      data: {
        shop,
        gid: `gid://shopify/Order/${key}-${i}`,
        customerGid: gid,
        createdAt: ago(o.days),
        totalMinor: BigInt(o.total ?? 5000),
        refundedMinor: BigInt(o.refunded ?? 0),
        cancelled: o.cancelled ?? false,
        test: o.test ?? false,
        voided: o.voided ?? false,
        fullyRefunded: o.fullyRefunded ?? false,
        deletedAt: o.deleted ? ago(1) : null,
      },
    });
  }
}

beforeAll(async () => {
  t = createTestDb();
  // Stage 4 cohort: first qualifying order 365–730 days ago.
  await customer("c1", { orders: [{ days: 500 }, { days: 400 }] }); // second within 100 days: converted
  await customer("c2", { orders: [{ days: 500 }, { days: 100 }] }); // second after 400 days: not converted
  await customer("c3", { orders: [{ days: 600 }, { days: 550, deleted: true }] }); // the deleted order does not count
  await customer("c4", { orders: [{ days: 300 }, { days: 200 }] }); // first order too recent: not in the cohort
  await customer("c5", { orders: [{ days: 800 }, { days: 790 }] }); // first order too old
  await customer("c6", { orders: [{ days: 450, cancelled: true }, { days: 300 }] }); // first qualifying order is 300 days ago
  await customer("c7", { orders: [{ days: 700, fullyRefunded: true }, { days: 420 }, { days: 410 }, { days: 300 }] }); // converted, then regular
  await customer("c8", { orders: [{ days: 480, test: true }, { days: 470, total: 1000, refunded: 1000 }] }); // nothing qualifies
  // Stage 3 cohort: subscribed 90–455 days ago, no order before subscribing.
  await customer("e1", { subscribedDaysAgo: 200, orders: [{ days: 150 }] }); // ordered within 50 days: converted
  await customer("e2", { subscribedDaysAgo: 200, orders: [{ days: 50 }] }); // after 150 days: not converted
  await customer("e3", { subscribedDaysAgo: 300 });
  await customer("e4", { subscribedDaysAgo: 100 });
  await customer("e5", { subscribedDaysAgo: 200, orders: [{ days: 250 }] }); // a buyer before subscribing: never an enquirer
  await customer("e7", { subscribedDaysAgo: 200, state: "UNSUBSCRIBED" });
  // Stage 2: subscribed in the last 30 days without having ordered first.
  await customer("e6", { subscribedDaysAgo: 10 });
  await customer("e8", { subscribedDaysAgo: 20, orders: [{ days: 25 }] });
  await customer("e9", { subscribedDaysAgo: 10, orders: [{ days: 5 }] });
  // Another shop's customers never count.
  await customer("x1", { shop: OTHER, subscribedDaysAgo: 200, orders: [{ days: 500 }, { days: 400 }] });
});

afterAll(async () => {
  await t.close();
});

describe("conversions measured on stored facts", () => {
  it("Stage 4: the share of first-time buyers (first order 365–730 days ago) who ordered again within 365 days", async () => {
    const m = await measureConversions(t.db, SHOP, NOW);
    expect(m[4]).toMatchObject({ stage: 4, windowDays: 365, base: 4, converted: 2, unmeasured: null });
    expect(m[4].cohortTo).toBe(ago(365).toISOString());
    // The cohort starts at the first qualifying order the app knows (c5, 800 days ago, is older than the cohort).
    expect(m[4].cohortFrom).toBe(ago(730).toISOString());
  });

  it("Stage 5: the share of repeat buyers (second order 365–730 days ago) who became regular within 365 days", async () => {
    const m = await measureConversions(t.db, SHOP, NOW);
    expect(m[5]).toMatchObject({ base: 2, converted: 1 });
  });

  it("Stage 5 follows the shop's regular-buyer rule", async () => {
    const m = await measureConversions(t.db, SHOP, NOW, { ...DEFAULT_LIFECYCLE_SETTINGS, regularMinOrders: 2 });
    // With two orders enough, both c1 and c7 were regular at their second order.
    expect(m[5]).toMatchObject({ base: 2, converted: 2 });
  });

  it("Stage 3: the share of subscribers (subscribed 90–455 days ago, no order before) who ordered within 90 days", async () => {
    const m = await measureConversions(t.db, SHOP, NOW);
    expect(m[3]).toMatchObject({ windowDays: 90, base: 4, converted: 1 });
  });

  it("Stage 2: new subscribers without an earlier order in the last 30 days (the sessions come from the merchant)", async () => {
    const m = await measureConversions(t.db, SHOP, NOW);
    expect(m[2]).toMatchObject({ converted: 2, base: null });
  });

  it("leaves out the first 30 days of a shop's records (those buyers may have bought before the records start)", async () => {
    const shop = "young.myshopify.com";
    await customer("y1", { shop, orders: [{ days: 400 }, { days: 390 }] }); // the records start here
    await customer("y2", { shop, orders: [{ days: 380 }, { days: 300 }] }); // within the first 30 days: left out
    await customer("y3", { shop, orders: [{ days: 366 }] }); // after them: in the cohort
    const m = await measureConversions(t.db, shop, NOW);
    expect(m[4]).toMatchObject({ base: 1, converted: 0, cohortFrom: ago(370).toISOString(), cohortTo: ago(365).toISOString() });
  });

  it("an empty shop has nothing to measure", async () => {
    const m = await measureConversions(t.db, "empty.myshopify.com", NOW);
    expect(m[4]).toMatchObject({ base: 0, converted: 0, unmeasured: "noCohort" });
    expect(m[3].unmeasured).toBe("noCohort");
  });
});

describe("the measures the board serves before the sync layer stores them", () => {
  it("are measured again when the shop's data changed (e.g. the first import finished)", async () => {
    const { cachedConversions, forgetConversions } = await import("../../app/models/board.server");
    forgetConversions();
    const shop = "cache.myshopify.com";
    const before = await cachedConversions(t.db, shop, NOW, { totalCustomers: 0, fingerprint: "empty" });
    expect(before[4]).toMatchObject({ base: 0 });
    await customer("k0", { shop, orders: [{ days: 700 }] }); // the records' first month: left out
    await customer("k1", { shop, orders: [{ days: 500 }, { days: 400 }] });
    const unchanged = await cachedConversions(t.db, shop, NOW, { totalCustomers: 0, fingerprint: "empty" });
    expect(unchanged[4]).toMatchObject({ base: 0 }); // same data as far as the board knows: served from memory
    const after = await cachedConversions(t.db, shop, NOW, { totalCustomers: 1, fingerprint: "first-time-buyer:1" });
    expect(after[4]).toMatchObject({ base: 1, converted: 1 });
  });
});
