import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { refitShopPredictions } from "../../app/sync/predict.server";
import { readShopPrediction } from "../../app/models/prediction.server";
import { assessFitability, buildSummary, predictCustomerValue, type Purchase } from "../../app/lifecycle/clv";
import { CDNOW_NOW, customerGid, seedCdnowShop, seedCustomers, seedOrders, type SeededOrder } from "./seed";

const SHOP = "cdnow.myshopify.com";
const OTHER = "other.myshopify.com";
const SMALL = "small.myshopify.com";
const SHORT = "short.myshopify.com";
const DAY = 86_400_000;

describeEachDatabase("refitting a shop's customer-value predictions", (database) => {
  let t: TestDb;
  let orders: SeededOrder[];

  beforeAll(async () => {
    t = await database.create();
    await t.db.shop.createMany({ data: [{ domain: SHOP }, { domain: OTHER }, { domain: SMALL }, { domain: SHORT }] });
    orders = await seedCdnowShop(t.db, SHOP);
    // Another shop's customers, with stale numbers that no refit of SHOP may touch.
    await t.db.customer.create({
      data: { shop: OTHER, gid: customerGid(4), predictedValueMinor: 777n, probabilityAlive: 0.5, highValue: true },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it("stores, for a shop with enough data, the predictions predictCustomerValue gives on the same orders computed independently", async () => {
    const summary = await refitShopPredictions(t.db, SHOP, CDNOW_NOW);
    // Independently: the orders as seeded, qualifying (not after now, worth something), one summary row per customer.
    const purchases: Purchase[] = orders
      .filter((o) => o.createdAt <= CDNOW_NOW.getTime() && o.totalMinor > 0)
      .map((o) => ({ customerId: o.customerGid, at: o.createdAt, value: o.totalMinor }));
    const rows = buildSummary(purchases, CDNOW_NOW.getTime());
    const fit = assessFitability(rows);
    if (!fit.ok) throw new Error(fit.reason);

    expect(summary).toMatchObject({
      status: "ok",
      code: null,
      buyers: rows.length,
      repeatBuyers: rows.filter((r) => r.x > 0).length,
      historyDays: 272,
    });
    expect(summary.predicted).toBe(rows.length);
    expect(summary.unpredictable).toBe(0);

    const stored = await readShopPrediction(t.db, SHOP);
    expect(stored).toMatchObject({
      status: "ok",
      code: null,
      reason: null,
      buyers: 2349,
      fittedAt: CDNOW_NOW.toISOString(),
    });
    const params = JSON.parse((await t.db.shopPrediction.findUniqueOrThrow({ where: { shop: SHOP } })).params);
    for (const k of ["r", "alpha", "a", "b"] as const)
      expect(params.mbgnbd.params[k]).toBeCloseTo(fit.mbgnbd.params[k], 6);
    for (const k of ["p", "q", "v"] as const)
      expect(params.gammaGamma.params[k] / fit.gammaGamma.params[k]).toBeCloseTo(1, 6);

    const customers = await t.db.customer.findMany({
      where: { shop: SHOP },
      select: { gid: true, predictedValueMinor: true, probabilityAlive: true },
    });
    const byGid = new Map(customers.map((c) => [c.gid, c]));
    let compared = 0;
    for (const row of rows) {
      const expected = predictCustomerValue({ model: "mbgnbd", params: fit.mbgnbd.params }, fit.gammaGamma.params, row);
      const c = byGid.get(row.customerId)!;
      expect(c.predictedValueMinor).not.toBeNull();
      expect(Math.abs(Number(c.predictedValueMinor) - expected.value)).toBeLessThanOrEqual(0.5 + 1e-6 * expected.value);
      expect(c.probabilityAlive!).toBeCloseTo(expected.probabilityAlive, 8);
      compared++;
    }
    expect(compared).toBe(2349);
    // Customers whose only orders are worth nothing bought nothing: no number.
    const withoutPurchase = customers.filter((c) => !rows.some((r) => r.customerId === c.gid));
    expect(withoutPurchase.length).toBe(customers.length - 2349);
    expect(withoutPurchase.every((c) => c.predictedValueMinor == null && c.probabilityAlive == null)).toBe(true);
    // The CLV arrow's per-level sums are the stored customers' own.
    const levels = stored!.levels;
    const sum = Object.values(levels).reduce((s, l) => s + l.predictedMinor, 0);
    expect(sum).toBe(customers.reduce((s, c) => s + Number(c.predictedValueMinor ?? 0n), 0));
    expect(Object.values(levels).reduce((s, l) => s + l.customers, 0)).toBe(2349);
  }, 120_000);

  it("one-order customers are not alive by construction: each below 100%, lower and worth less the longer ago they bought", async () => {
    // Independently of the model: the seeded orders grouped per customer, one purchase per UTC day.
    const days = new Map<string, Set<number>>();
    for (const o of orders) {
      if (o.createdAt > CDNOW_NOW.getTime() || o.totalMinor <= 0) continue;
      (days.get(o.customerGid) ?? days.set(o.customerGid, new Set()).get(o.customerGid)!).add(
        Math.floor(o.createdAt / DAY),
      );
    }
    const stored = await t.db.customer.findMany({
      where: { shop: SHOP },
      select: { gid: true, predictedValueMinor: true, probabilityAlive: true },
    });
    // Per age (days since the only purchase): the stored numbers, which must be one per age.
    const byAge = new Map<number, { alive: Set<number>; value: Set<bigint> }>();
    for (const c of stored) {
      const own = days.get(c.gid);
      if (!own || own.size !== 1) continue;
      const age = Math.floor(CDNOW_NOW.getTime() / DAY) - [...own][0];
      const entry = byAge.get(age) ?? byAge.set(age, { alive: new Set(), value: new Set() }).get(age)!;
      entry.alive.add(c.probabilityAlive!);
      entry.value.add(c.predictedValueMinor!);
    }
    const ages = [...byAge.keys()].sort((a, b) => a - b);
    expect(ages.length).toBeGreaterThan(50);
    let previous = { alive: 1, value: BigInt(Number.MAX_SAFE_INTEGER) };
    for (const age of ages) {
      const { alive, value } = byAge.get(age)!;
      expect(alive.size, `age ${age}`).toBe(1);
      expect(value.size, `age ${age}`).toBe(1);
      const [a] = alive;
      const [v] = value;
      expect(a, `age ${age}`).toBeLessThan(previous.alive);
      expect(v <= previous.value, `age ${age}`).toBe(true);
      previous = { alive: a, value: v };
    }
    expect(previous.alive).toBeLessThan(0.5);
  });

  it("a second run on the same data writes no customer row and leaves the numbers as they were", async () => {
    const before = await t.db.customer.findMany({
      where: { shop: SHOP },
      orderBy: { id: "asc" },
      select: { predictedValueMinor: true, probabilityAlive: true, highValue: true },
    });
    const again = await refitShopPredictions(t.db, SHOP, CDNOW_NOW);
    expect(again.written).toBe(0);
    const after = await t.db.customer.findMany({
      where: { shop: SHOP },
      orderBy: { id: "asc" },
      select: { predictedValueMinor: true, probabilityAlive: true, highValue: true },
    });
    expect(after).toEqual(before);
  }, 120_000);

  it("a day later rewrites only the predictions that drifted past 5% of the value or a point of P(alive)", async () => {
    const later = new Date(CDNOW_NOW.getTime() + 3 * DAY);
    const before = new Map(
      (
        await t.db.customer.findMany({
          where: { shop: SHOP },
          select: { gid: true, predictedValueMinor: true, probabilityAlive: true },
        })
      ).map((c) => [c.gid, c]),
    );
    const summary = await refitShopPredictions(t.db, SHOP, later);
    // Independently: the exact numbers as of then, from a fit of the same purchases from scratch.
    const purchases: Purchase[] = orders
      .filter((o) => o.createdAt <= later.getTime() && o.totalMinor > 0)
      .map((o) => ({ customerId: o.customerGid, at: o.createdAt, value: o.totalMinor }));
    const rows = buildSummary(purchases, later.getTime());
    const fit = assessFitability(rows);
    if (!fit.ok) throw new Error(fit.reason);
    const stored = await t.db.customer.findMany({
      where: { shop: SHOP },
      select: { gid: true, predictedValueMinor: true, probabilityAlive: true },
    });
    const byGid = new Map(stored.map((c) => [c.gid, c]));
    let rewritten = 0;
    for (const row of rows) {
      const exact = predictCustomerValue({ model: "mbgnbd", params: fit.mbgnbd.params }, fit.gammaGamma.params, row);
      const c = byGid.get(row.customerId)!;
      const value = Number(c.predictedValueMinor);
      // Within the bounds (and the two fits' last digits) of tonight's exact numbers...
      expect(Math.abs(value - exact.value)).toBeLessThanOrEqual(0.05 * value + 0.5 + 1e-4 * exact.value);
      expect(Math.abs(c.probabilityAlive! - exact.probabilityAlive)).toBeLessThanOrEqual(0.01 + 1e-4);
      const old = before.get(row.customerId)!;
      if (c.predictedValueMinor !== old.predictedValueMinor || c.probabilityAlive !== old.probabilityAlive) rewritten++;
      // A value changes only past its bound, also on a row rewritten for its P(alive): its index entries stay put.
      if (old.predictedValueMinor !== null && c.predictedValueMinor !== old.predictedValueMinor)
        expect(Math.abs(value - Number(old.predictedValueMinor))).toBeGreaterThan(
          0.05 * Number(old.predictedValueMinor),
        );
    }
    // ...and only the rows that moved were written: some, not all.
    expect(rewritten).toBeLessThanOrEqual(summary.written);
    expect(summary.written).toBeGreaterThan(0);
    expect(summary.written).toBeLessThan(rows.length);
  }, 120_000);

  it("never touches another shop's customers", async () => {
    expect(await t.db.customer.findFirst({ where: { shop: OTHER } })).toMatchObject({
      predictedValueMinor: 777n,
      probabilityAlive: 0.5,
      highValue: true,
    });
  });

  it("a small shop gets 'insufficient' with the reason in words, and no numbers", async () => {
    const now = new Date("2026-11-23T12:00:00Z");
    const small: SeededOrder[] = [];
    for (let i = 0; i < 60; i++) {
      for (let k = 0; k <= i % 4; k++)
        small.push({
          customerGid: customerGid(`s${i}`),
          createdAt: now.getTime() - (400 - 30 * k - i) * DAY,
          totalMinor: 2500 + 100 * i,
        });
    }
    await seedCustomers(
      t.db,
      SMALL,
      Array.from({ length: 60 }, (_, i) => ({ gid: customerGid(`s${i}`), stage: "first-time-buyer" })),
    );
    await seedOrders(t.db, SMALL, small);
    const summary = await refitShopPredictions(t.db, SMALL, now);
    expect(summary).toMatchObject({
      status: "insufficient",
      code: "too-few-buyers",
      buyers: 60,
      predicted: 0,
      highValue: 0,
      retagGids: [],
    });
    expect(summary.reason).toBe("only 60 customers with a purchase; at least 500 are needed");
    expect(await readShopPrediction(t.db, SMALL)).toMatchObject({
      status: "insufficient",
      code: "too-few-buyers",
      buyers: 60,
      levels: {},
    });
    const numbers = await t.db.customer.count({
      where: {
        shop: SMALL,
        OR: [{ predictedValueMinor: { not: null } }, { probabilityAlive: { not: null } }, { highValue: true }],
      },
    });
    expect(numbers).toBe(0);
  });

  it("a shop with 600 buyers over 100 days is told its history is too short", async () => {
    const now = new Date("2026-11-23T12:00:00Z");
    const recent: SeededOrder[] = Array.from({ length: 600 }, (_, i) => ({
      customerGid: customerGid(`r${i}`),
      createdAt: now.getTime() - (i % 100) * DAY,
      totalMinor: 1000,
    }));
    await seedCustomers(
      t.db,
      SHORT,
      recent.map((o) => ({ gid: o.customerGid, stage: "first-time-buyer" })),
    );
    await seedOrders(t.db, SHORT, recent);
    const summary = await refitShopPredictions(t.db, SHORT, now);
    expect(summary).toMatchObject({ status: "insufficient", code: "history-too-short", buyers: 600, historyDays: 99 });
    expect(summary.reason).toBe("order history covers 99 days; at least 180 are needed");
  });

  it("a shop that no longer passes the gate loses every stored prediction, and gets them back when it does", async () => {
    const strict = await refitShopPredictions(t.db, SHOP, CDNOW_NOW, { fitability: { minBuyers: 5000 } });
    expect(strict).toMatchObject({ status: "insufficient", code: "too-few-buyers" });
    expect(strict.written).toBeGreaterThanOrEqual(2349);
    expect(
      await t.db.customer.count({
        where: {
          shop: SHOP,
          OR: [{ predictedValueMinor: { not: null } }, { probabilityAlive: { not: null } }, { highValue: true }],
        },
      }),
    ).toBe(0);
    expect(await readShopPrediction(t.db, SHOP)).toMatchObject({ status: "insufficient", gate: { minBuyers: 5000 } });
    const back = await refitShopPredictions(t.db, SHOP, CDNOW_NOW);
    expect(back).toMatchObject({ status: "ok", predicted: 2349, written: 2349 });
    expect(await t.db.customer.count({ where: { shop: SHOP, predictedValueMinor: { not: null } } })).toBe(2349);
  }, 120_000);

  it("clears a stored prediction left on a customer without a purchase, and reads nothing else of such customers", async () => {
    // Numbers a customer with no order can only have from earlier data (orders since deleted in Shopify).
    const stale = await t.db.customer.create({
      data: {
        shop: SHOP,
        gid: customerGid(900_001),
        predictedValueMinor: 4_200n,
        probabilityAlive: 0.4,
        highValue: true,
      },
    });
    const onlyAlive = await t.db.customer.create({
      data: { shop: SHOP, gid: customerGid(900_002), probabilityAlive: 0.2 },
    });
    const summary = await refitShopPredictions(t.db, SHOP, CDNOW_NOW);
    expect(summary).toMatchObject({ status: "ok", predicted: 2349 });
    for (const { id } of [stale, onlyAlive]) {
      expect(await t.db.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({
        predictedValueMinor: null,
        probabilityAlive: null,
        highValue: false,
      });
    }
    // Only the two stale rows moved: the decile of the buyers is as it was.
    expect(summary.written).toBe(2);
  }, 120_000);
});
