import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { clearShopConversions, queryConversionFacts } from "../../app/models/board.server";
import {
  loadBoard,
  LOOKBACK_DAYS,
  measureConversions,
  measureShopConversions,
  MEASURE_ON_REQUEST_MAX_CUSTOMERS,
  readShopConversions,
  storedConversions,
  storeShopConversions,
  STORED_MEASURE_MAX_AGE_MS,
} from "../../app/board/board.server";
import { refreshOrderSummaries } from "../../app/sync/order-summaries.server";
import { sqlDialect } from "../../app/models/sql-dialect.server";
import { DEFAULT_LIFECYCLE_SETTINGS } from "../../app/lifecycle";

const SHOP = "conversions.myshopify.com";
const OTHER = "other.myshopify.com";
const NOW = new Date("2026-11-23T00:00:00Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

type OrderSeed = {
  days: number;
  cancelled?: boolean;
  test?: boolean;
  fullyRefunded?: boolean;
  voided?: boolean;
  deleted?: boolean;
  total?: number;
  refunded?: number;
};

describeEachDatabase("conversions", (database) => {
  let t: TestDb;

  async function customer(
    key: string,
    options: { subscribedDaysAgo?: number; state?: string; orders?: OrderSeed[]; shop?: string } = {},
  ) {
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
    await customer("c8", {
      orders: [
        { days: 480, test: true },
        { days: 470, total: 1000, refunded: 1000 },
      ],
    }); // nothing qualifies
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

  /** Kaplan–Meier worked by hand: S = ∏ (1 − d/n) over the conversion days up to the horizon; the share is 1 − S. */
  const share = (...steps: Array<[d: number, n: number]>) => 1 - steps.reduce((s, [d, n]) => s * (1 - d / n), 1);

  describe("measured on stored facts", () => {
    it("speaks the dialect of the client it is given", () => {
      expect(sqlDialect(t.db)).toBe(database.kind === "postgres" ? "postgresql" : "sqlite");
    });

    // The query reads the customers' order summaries, which the measure first makes hold under its settings.
    const facts = async (settings = DEFAULT_LIFECYCLE_SETTINGS, shop = SHOP) => {
      await refreshOrderSummaries(t.db, shop, settings, NOW);
      return queryConversionFacts(t.db, shop, {
        now: NOW,
        windowDays: { 3: 90, 4: 365, 5: 365 },
        lookbackDays: LOOKBACK_DAYS,
        historyGuardDays: 30,
        newSubscriberDays: 30,
      });
    };
    const row = (day: number, events: number, censored: number) => ({ day, events, censored });

    it("Stage 4: every first-time buyer of the last 730 days, converted on the day of the second order or censored", async () => {
      const { lifeTables, guardedFrom } = await facts();
      // c7 again 10 days later, c1 and c4 100 days later; c2's second order came after 400 days (past the window:
      // censored at 365) like c3's (its second is deleted); the others have not ordered again: censored today.
      expect(lifeTables[4]).toEqual([
        row(5, 0, 1), // e9
        row(10, 1, 0), // c7
        row(25, 0, 1), // e8
        row(50, 0, 1), // e2
        row(100, 2, 0), // c1, c4
        row(150, 0, 1), // e1
        row(250, 0, 1), // e5
        row(300, 0, 1), // c6 (its cancelled order does not count)
        row(365, 0, 2), // c2, c3
      ]);
      // The records start with c5's first order, 800 days ago; its customers count from 30 days later.
      expect(guardedFrom?.toISOString()).toBe(ago(770).toISOString());
    });

    it("Stage 4's estimate: Kaplan–Meier to the longest follow-up half of its 11 customers had (100 days)", async () => {
      const m = await measureConversions(t.db, SHOP, NOW);
      expect(m[4]).toMatchObject({
        stage: 4,
        windowDays: 365,
        unmeasured: null,
        cohortFrom: ago(730).toISOString(),
        cohortTo: NOW.toISOString(),
      });
      expect(m[4].estimate).toMatchObject({ customers: 11, converted: 3, horizonDays: 100, atRiskAtHorizon: 7 });
      // Day 10: 10 at risk (e9 left on day 5), 1 converts; day 100: 7 at risk, 2 convert.
      expect(m[4].estimate!.rate).toBeCloseTo(share([1, 10], [2, 7]), 12);
    });

    it("Stage 5: repeat buyers of the last 730 days, converted when they became regular (3 orders within 365 days)", async () => {
      const { lifeTables } = await facts();
      expect(lifeTables[5]).toEqual([row(100, 0, 1), row(110, 1, 0), row(200, 0, 1), row(365, 0, 1)]);
      const m = await measureConversions(t.db, SHOP, NOW);
      expect(m[5].estimate).toMatchObject({ customers: 4, converted: 1, horizonDays: 200 });
      expect(m[5].estimate!.rate).toBeCloseTo(share([1, 3]), 12);
    });

    it("Stage 5 follows the shop's regular-buyer rule", async () => {
      // With two orders enough, c1, c4 and c7 were regular at their second order (within 365 days of the first):
      // converted on day 0; c2's two orders are 400 days apart, so it is not, and has been followed 100 days.
      expect((await facts({ ...DEFAULT_LIFECYCLE_SETTINGS, regularMinOrders: 2 })).lifeTables[5]).toEqual([
        row(0, 3, 0),
        row(100, 0, 1),
      ]);
      // Three orders within 15 days: c7's three orders span 120 days, so nobody becomes regular.
      const narrow = await facts({ ...DEFAULT_LIFECYCLE_SETTINGS, regularWindowDays: 15 });
      expect(narrow.lifeTables[5]).toEqual([row(100, 0, 1), row(200, 0, 1), row(365, 0, 2)]);
    });

    it("Stage 3: subscribers of the last 455 days without an order before, converted at their first order", async () => {
      const { lifeTables } = await facts();
      // e9 ordered 5 days after subscribing, e1 50 days after; e2 after 150 days (past the window), e3 and e4 never:
      // censored at 90; e6 subscribed 10 days ago. e5 and e8 had ordered before subscribing, e7 unsubscribed.
      expect(lifeTables[3]).toEqual([row(5, 1, 0), row(10, 0, 1), row(50, 1, 0), row(90, 0, 3)]);
      const m = await measureConversions(t.db, SHOP, NOW);
      expect(m[3].estimate).toMatchObject({ customers: 6, converted: 2, horizonDays: 90, atRiskAtHorizon: 3 });
      expect(m[3].estimate!.rate).toBeCloseTo(share([1, 6], [1, 4]), 12);
      expect(m[3]).toMatchObject({ cohortFrom: ago(455).toISOString(), cohortTo: NOW.toISOString() });
    });

    it("Stage 2: new subscribers without an earlier order in the last 30 days (the sessions come from the merchant)", async () => {
      const m = await measureConversions(t.db, SHOP, NOW);
      expect(m[2]).toMatchObject({ newSubscribers: 2, estimate: null });
    });

    it("leaves out the first 30 days of a shop's records; the range shown runs forward", async () => {
      const shop = "young.myshopify.com";
      await customer("y1", { shop, orders: [{ days: 400 }, { days: 390 }] }); // the records start here
      await customer("y2", { shop, orders: [{ days: 380 }, { days: 300 }] }); // within the first 30 days: left out
      await customer("y3", { shop, orders: [{ days: 366 }] }); // after them: counted, not converted after 365 days
      expect((await facts(DEFAULT_LIFECYCLE_SETTINGS, shop)).lifeTables[4]).toEqual([row(365, 0, 1)]);
      const m = await measureConversions(t.db, shop, NOW);
      expect(m[4]).toMatchObject({ cohortFrom: ago(370).toISOString(), cohortTo: NOW.toISOString() });
      expect(m[4].estimate).toMatchObject({ customers: 1, converted: 0, rate: 0, horizonDays: 365 });
      // A shop whose records began 10 days ago counts nobody yet, and still shows no reversed range.
      const newShop = "new.myshopify.com";
      await customer("n1", { shop: newShop, orders: [{ days: 10 }] });
      const fresh = await measureConversions(t.db, newShop, NOW);
      expect(fresh[4]).toMatchObject({ estimate: null, unmeasured: "noCohort" });
      expect(Date.parse(fresh[4].cohortFrom!)).toBeLessThanOrEqual(Date.parse(fresh[4].cohortTo!));
    });

    it("an empty shop has nothing to measure", async () => {
      const m = await measureConversions(t.db, "empty.myshopify.com", NOW);
      expect(m[4]).toMatchObject({ estimate: null, unmeasured: "noCohort" });
      expect(m[3].unmeasured).toBe("noCohort");
    });
  });

  describe("stored as StageConversion rows, which the board reads", () => {
    it("storeShopConversions writes stages 2–5 as measured; reading them gives the same measures", async () => {
      await storeShopConversions(t.db, SHOP, NOW);
      const rows = await t.db.stageConversion.findMany({ where: { shop: SHOP }, orderBy: { stage: "asc" } });
      expect(rows.map((r) => [r.stage, r.windowDays, r.base, r.converted, r.horizonDays])).toEqual([
        [2, 30, null, 2, null],
        [3, 90, 6, 2, 90],
        [4, 365, 11, 3, 100],
        [5, 365, 4, 1, 200],
      ]);
      expect(rows[2].rate).toBeCloseTo(share([1, 10], [2, 7]), 12);
      expect(rows.every((r) => r.measuredAt.getTime() === NOW.getTime())).toBe(true);
      const measured = await measureShopConversions(t.db, SHOP, NOW);
      const stored = await readShopConversions(t.db, SHOP);
      expect(stored).toEqual({
        2: measured[2],
        3: measured[3],
        4: measured[4],
        5: measured[5],
        measuredAt: NOW.toISOString(),
      });
    });

    it("storing again replaces the rows (one per stage) and touches no other shop", async () => {
      await storeShopConversions(t.db, OTHER, NOW);
      await customer("c10", { orders: [{ days: 450 }, { days: 440 }] });
      const later = new Date(NOW.getTime() + 60_000);
      await storeShopConversions(t.db, SHOP, later);
      const rows = await t.db.stageConversion.findMany({ where: { shop: SHOP } });
      expect(rows).toHaveLength(4);
      // c10 converted 10 days after its first order: 12 first-time buyers, 4 converted within the 100-day horizon.
      expect(rows.find((r) => r.stage === 4)).toMatchObject({
        base: 12,
        converted: 4,
        horizonDays: 100,
        measuredAt: later,
      });
      expect(await t.db.stageConversion.count({ where: { shop: OTHER } })).toBe(4);
    });

    /** A stored row as the daily job writes it: stages 3–5 with an estimate, Stage 2 with its new subscribers. */
    const storedRow = (
      shop: string,
      stage: number,
      values: { base: number; converted: number; rate?: number },
      measuredAt: Date,
    ) => ({
      shop,
      stage,
      windowDays: stage === 2 ? 30 : stage === 3 ? 90 : 365,
      base: stage === 2 ? null : values.base,
      converted: values.converted,
      ...(stage === 2 || values.base === 0
        ? {}
        : {
            rate: values.rate ?? values.converted / values.base,
            rateLower: 0.01,
            rateUpper: 0.99,
            horizonDays: stage === 3 ? 90 : 365,
            atRiskAtHorizon: values.base,
          }),
      measuredAt,
    });

    it("the board shows the stored measures and does not measure again while they are fresh", async () => {
      const shop = "stored.myshopify.com";
      await t.db.stageConversion.createMany({
        data: [2, 3, 4, 5].map((stage) => storedRow(shop, stage, { base: 100, converted: 7 * stage }, ago(1))),
      });
      // The shop has no orders at all: numbers other than the stored ones could only come from measuring.
      const board = await loadBoard(t.db, shop, NOW);
      expect(
        board.stages
          .slice(2)
          .map((s) => [
            s.conversion.estimate?.customers,
            s.conversion.estimate?.converted,
            s.conversion.estimate?.rate,
          ]),
      ).toEqual([
        [100, 21, 0.21],
        [100, 28, 0.28],
        [100, 35, 0.35],
      ]);
      expect(board.stages[2].conversion.estimate).toMatchObject({ lower: 0.01, upper: 0.99, horizonDays: 90 });
      expect(board.conversionsMeasuredAt).toBe(ago(1).toISOString());
    });

    it("a small shop without rows is measured on the request and its measure stored", async () => {
      const shop = "small.myshopify.com";
      await customer("s1", { shop, orders: [{ days: 700 }] }); // the records' first month: left out
      await customer("s2", { shop, orders: [{ days: 500 }, { days: 400 }] });
      const board = await loadBoard(t.db, shop, NOW);
      expect(board.stages[3].conversion).toMatchObject({ unmeasured: null, estimate: { customers: 1, converted: 1 } });
      expect(board.conversionsMeasuredAt).toBe(NOW.toISOString());
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(4);
    });

    it("after clearShopConversions (a settings change, a re-import) the next board measures again", async () => {
      const shop = "small.myshopify.com";
      await customer("s3", { shop, orders: [{ days: 450 }] });
      expect((await loadBoard(t.db, shop, NOW)).stages[3].conversion.estimate?.customers).toBe(1); // still the stored rows
      await clearShopConversions(t.db, shop);
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(0);
      // s2 converted on day 100 with 2 at risk; s3 has been followed the whole year: 50% within 365 days.
      expect((await loadBoard(t.db, shop, NOW)).stages[3].conversion.estimate).toMatchObject({
        customers: 2,
        converted: 1,
        rate: 0.5,
        horizonDays: 365,
      });
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(4);
    });

    it("a small shop's rows older than a day and a half are measured again", async () => {
      const shop = "small.myshopify.com";
      await customer("s4", { shop, orders: [{ days: 420 }] });
      const later = new Date(NOW.getTime() + STORED_MEASURE_MAX_AGE_MS + 1000);
      const board = await loadBoard(t.db, shop, later);
      expect(board.conversionsMeasuredAt).toBe(later.toISOString());
      expect(board.stages[3].conversion.estimate?.customers).toBe(3);
    });

    it("while an import runs, a small shop is measured but nothing is stored (the import stores at its end)", async () => {
      const shop = "importing.myshopify.com";
      await customer("i1", { shop, orders: [{ days: 500 }, { days: 400 }] });
      const measured = await storedConversions(t.db, shop, NOW, { totalCustomers: 1, importRunning: true });
      expect(measured[4]).toMatchObject({ estimate: null, unmeasured: "noCohort" }); // i1 is the records' first month
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(0);
    });

    it(`a shop above ${MEASURE_ON_REQUEST_MAX_CUSTOMERS.toLocaleString("en")} customers without rows shows "being measured", and older rows as they are`, async () => {
      const shop = "large.myshopify.com";
      const totalCustomers = MEASURE_ON_REQUEST_MAX_CUSTOMERS + 1;
      const none = await storedConversions(t.db, shop, NOW, { totalCustomers });
      expect([2, 3, 4, 5].map((s) => none[s as 2]?.unmeasured)).toEqual([
        "measuring",
        "measuring",
        "measuring",
        "measuring",
      ]);
      expect(none.measuredAt).toBeNull();
      expect(await t.db.stageConversion.count({ where: { shop } })).toBe(0);
      await t.db.stageConversion.createMany({
        data: [2, 3, 4, 5].map((stage) => storedRow(shop, stage, { base: 50, converted: 5 }, ago(10))),
      });
      const old = await storedConversions(t.db, shop, NOW, { totalCustomers });
      expect(old[4]).toMatchObject({ estimate: { customers: 50, converted: 5, rate: 0.1 }, unmeasured: null });
      expect(old.measuredAt).toBe(ago(10).toISOString());
    });

    it("the board of a large shop being measured says so on every measured stage", async () => {
      const shop = "large-board.myshopify.com";
      await t.db.stageCount.create({
        data: { shop, stage: "visitor", customers: MEASURE_ON_REQUEST_MAX_CUSTOMERS + 1, netSpentMinor: 0n },
      });
      await t.db.shop.create({ data: { domain: shop, monthlySessions: 10_000 } });
      const board = await loadBoard(t.db, shop, NOW);
      expect(board.stages.map((s) => s.conversion.unmeasured)).toEqual([
        null,
        "measuring",
        "measuring",
        "measuring",
        "measuring",
      ]);
      expect(board.weakest).toBeNull();
      expect(board.conversionsMeasuredAt).toBeNull();
    });

    it("a stored Stage 3–5 row with an empty cohort reads as 'no cohort'; Stage 2 takes the monthly sessions", async () => {
      const shop = "empty-cohort.myshopify.com";
      await t.db.shop.create({ data: { domain: shop, monthlySessions: 4000 } });
      await t.db.stageConversion.createMany({
        data: [2, 3, 4, 5].map((stage) => storedRow(shop, stage, { base: 0, converted: stage === 2 ? 80 : 0 }, NOW)),
      });
      const board = await loadBoard(t.db, shop, NOW);
      expect(board.stages[1].conversion).toMatchObject({
        unmeasured: null,
        estimate: { customers: 4000, converted: 80 },
      });
      expect(board.stages[1].assessment.rate).toBe(0.02);
      expect(board.stages.slice(2).map((s) => s.conversion.unmeasured)).toEqual(["noCohort", "noCohort", "noCohort"]);
    });
  });
});
