import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import {
  clearShopConversions,
  loadBoard,
  measureConversions,
  measureShopConversions,
  MEASURE_ON_REQUEST_MAX_CUSTOMERS,
  readStoredConversions,
  storedConversions,
  storeShopConversions,
  STORED_MEASURE_MAX_AGE_MS,
} from "../../app/models/board.server";
import { sqlDialect } from "../../app/board/sql-dialect.server";
import { DEFAULT_LIFECYCLE_SETTINGS } from "../../app/lifecycle";

const SHOP = "conversions.myshopify.com";
const OTHER = "other.myshopify.com";
const NOW = new Date("2026-11-23T00:00:00Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

type OrderSeed = { days: number; cancelled?: boolean; test?: boolean; fullyRefunded?: boolean; voided?: boolean; deleted?: boolean; total?: number; refunded?: number };

describeEachDatabase("conversions", (database) => {
  let t: TestDb;

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
    t = await database.create();
    // Stage 4 cohort: first qualifying order 365–730 days ago.
    await customer("c1", { orders: [{ days: 500 }, { days: 400 }] }); // second within 100 days: converted
    await customer("c2", { orders: [{ days: 500 }, { days: 100 }] }); // second after 400 days: not converted
    await customer("c3", { orders: [{ days: 600 }, { days: 550, deleted: true }] }); // the deleted order does not count
    await customer("c4", { orders: [{ days: 300 }, { days: 200 }] }); // first order too recent: not in the cohort
    await customer("c5", { orders: [{ days: 800 }, { days: 790 }] }); // first order too old
    await customer("c6", { orders: [{ days: 450, cancelled: true }, { days: 300 }] }); // first qualifying order is 300 days ago
    await customer("c7", { orders: [{ days: 700, fullyRefunded: true }, { days: 420 }, { days: 410 }, { days: 300 }] }); // converted, then regular
    await customer("c8", { orders: [{ days: 480, test: true }, { days: 470, total: 1000, refunded: 1000 }] }); // nothing qualifies
    await customer("c9", { orders: [{ days: 520, voided: true }, { days: -2 }] }); // voided, and an order after "now": neither counts
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
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  describe("measured on stored facts", () => {
    it("speaks the dialect of the client it is given", () => {
      expect(sqlDialect(t.db)).toBe(database.kind === "postgres" ? "postgresql" : "sqlite");
    });

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
      // Three orders within 15 days: c7's three orders span 120 days, so nobody is regular.
      const narrow = await measureConversions(t.db, SHOP, NOW, { ...DEFAULT_LIFECYCLE_SETTINGS, regularWindowDays: 15 });
      expect(narrow[5]).toMatchObject({ base: 2, converted: 0 });
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

  describe("stored as StageConversion rows, which the board reads", () => {
    it("storeShopConversions writes stages 2–5 as measured; reading them gives the same measures", async () => {
      await storeShopConversions(t.db, SHOP, NOW);
      const rows = await t.db.stageConversion.findMany({ where: { shop: SHOP }, orderBy: { stage: "asc" } });
      expect(rows.map((r) => [r.stage, r.windowDays, r.base, r.converted])).toEqual([
        [2, 30, null, 2],
        [3, 90, 4, 1],
        [4, 365, 4, 2],
        [5, 365, 2, 1],
      ]);
      expect(rows.every((r) => r.measuredAt.getTime() === NOW.getTime())).toBe(true);
      const measured = await measureShopConversions(t.db, SHOP, NOW);
      const stored = await readStoredConversions(t.db, SHOP);
      expect(stored).toEqual({ 2: measured[2], 3: measured[3], 4: measured[4], 5: measured[5], measuredAt: NOW.toISOString() });
    });

    it("storing again replaces the rows (one per stage) and touches no other shop", async () => {
      await storeShopConversions(t.db, OTHER, NOW);
      await customer("c10", { orders: [{ days: 450 }, { days: 440 }] });
      const later = new Date(NOW.getTime() + 60_000);
      await storeShopConversions(t.db, SHOP, later);
      const rows = await t.db.stageConversion.findMany({ where: { shop: SHOP } });
      expect(rows).toHaveLength(4);
      expect(rows.find((r) => r.stage === 4)).toMatchObject({ base: 5, converted: 3, measuredAt: later });
      expect(await t.db.stageConversion.count({ where: { shop: OTHER } })).toBe(4);
    });

    it("the board shows the stored measures and does not measure again while they are fresh", async () => {
      const shop = "stored.myshopify.com";
      await t.db.stageConversion.createMany({
        data: [2, 3, 4, 5].map((stage) => ({ shop, stage, windowDays: 30, base: stage === 2 ? null : 100, converted: 7 * stage, measuredAt: ago(1) })),
      });
      // The shop has no orders at all: numbers other than the stored ones could only come from measuring.
      const board = await loadBoard(t.db, shop, NOW);
      expect(board.stages.slice(2).map((s) => [s.conversion.base, s.conversion.converted])).toEqual([
        [100, 21],
        [100, 28],
        [100, 35],
      ]);
      expect(board.conversionsMeasuredAt).toBe(ago(1).toISOString());
    });

    it("a small shop without rows is measured on the request and its measure stored", async () => {
      const shop = "small.myshopify.com";
      await customer("s1", { shop, orders: [{ days: 700 }] }); // the records' first month: left out
      await customer("s2", { shop, orders: [{ days: 500 }, { days: 400 }] });
      const board = await loadBoard(t.db, shop, NOW);
      expect(board.stages[3].conversion).toMatchObject({ base: 1, converted: 1, unmeasured: null });
      expect(board.conversionsMeasuredAt).toBe(NOW.toISOString());
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(4);
    });

    it("after clearShopConversions (a settings change, a re-import) the next board measures again", async () => {
      const shop = "small.myshopify.com";
      await customer("s3", { shop, orders: [{ days: 450 }] });
      expect((await loadBoard(t.db, shop, NOW)).stages[3].conversion.base).toBe(1); // still the stored rows
      await clearShopConversions(t.db, shop);
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(0);
      expect((await loadBoard(t.db, shop, NOW)).stages[3].conversion).toMatchObject({ base: 2, converted: 1 });
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(4);
    });

    it("a small shop's rows older than a day and a half are measured again", async () => {
      const shop = "small.myshopify.com";
      await customer("s4", { shop, orders: [{ days: 420 }] });
      const later = new Date(NOW.getTime() + STORED_MEASURE_MAX_AGE_MS + 1000);
      const board = await loadBoard(t.db, shop, later);
      expect(board.conversionsMeasuredAt).toBe(later.toISOString());
      expect(board.stages[3].conversion.base).toBe(3);
    });

    it("while an import runs, a small shop is measured but nothing is stored (the import stores at its end)", async () => {
      const shop = "importing.myshopify.com";
      await customer("i1", { shop, orders: [{ days: 500 }, { days: 400 }] });
      const measured = await storedConversions(t.db, shop, NOW, { totalCustomers: 1, importRunning: true });
      expect(measured[4]).toMatchObject({ base: 0 }); // i1 is the records' first month
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(0);
    });

    it(`a shop above ${MEASURE_ON_REQUEST_MAX_CUSTOMERS.toLocaleString("en")} customers without rows shows "being measured", and older rows as they are`, async () => {
      const shop = "large.myshopify.com";
      const totalCustomers = MEASURE_ON_REQUEST_MAX_CUSTOMERS + 1;
      const none = await storedConversions(t.db, shop, NOW, { totalCustomers });
      expect([2, 3, 4, 5].map((s) => none[s as 2]?.unmeasured)).toEqual(["measuring", "measuring", "measuring", "measuring"]);
      expect(none.measuredAt).toBeNull();
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(0);
      await t.db.stageConversion.createMany({
        data: [2, 3, 4, 5].map((stage) => ({ shop, stage, windowDays: 30, base: stage === 2 ? null : 50, converted: 5, measuredAt: ago(10) })),
      });
      const old = await storedConversions(t.db, shop, NOW, { totalCustomers });
      expect(old[4]).toMatchObject({ base: 50, converted: 5, unmeasured: null });
      expect(old.measuredAt).toBe(ago(10).toISOString());
    });

    it("the board of a large shop being measured says so on every measured stage", async () => {
      const shop = "large-board.myshopify.com";
      await t.db.stageCount.create({ data: { shop, stage: "visitor", customers: MEASURE_ON_REQUEST_MAX_CUSTOMERS + 1, netSpentMinor: 0n } });
      await t.db.shop.create({ data: { domain: shop, monthlySessions: 10_000 } });
      const board = await loadBoard(t.db, shop, NOW);
      expect(board.stages.map((s) => s.conversion.unmeasured)).toEqual([null, "measuring", "measuring", "measuring", "measuring"]);
      expect(board.weakest).toBeNull();
      expect(board.conversionsMeasuredAt).toBeNull();
    });

    it("a stored Stage 3–5 row with an empty cohort reads as 'no cohort'; Stage 2 takes the monthly sessions", async () => {
      const shop = "empty-cohort.myshopify.com";
      await t.db.shop.create({ data: { domain: shop, monthlySessions: 4000 } });
      await t.db.stageConversion.createMany({
        data: [2, 3, 4, 5].map((stage) => ({ shop, stage, windowDays: 30, base: stage === 2 ? null : 0, converted: stage === 2 ? 80 : 0, measuredAt: NOW })),
      });
      const board = await loadBoard(t.db, shop, NOW);
      expect(board.stages[1].conversion).toMatchObject({ base: 4000, converted: 80, unmeasured: null });
      expect(board.stages[1].assessment.rate).toBe(0.02);
      expect(board.stages.slice(2).map((s) => s.conversion.unmeasured)).toEqual(["noCohort", "noCohort", "noCohort"]);
    });
  });
});
