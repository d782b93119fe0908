import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { refitShopPredictions, selectTopDecile, topDecileCount } from "../../app/sync/predict.server";
import { highValueGids, saveHighValueTag } from "../../app/models/prediction.server";
import { listCustomers, parseValueCursor } from "../../app/models/customer-list.server";
import { appTagsFor, applyTagPlan, planTagChange } from "../../app/lifecycle";
import { CDNOW_NOW, seedCdnowShop } from "./seed";

const SHOP = "decile.myshopify.com";

describe("the top decile by predicted value", () => {
  it("is the highest tenth (rounded up) of the customers with a prediction", () => {
    expect([0, 1, 9, 10, 11, 500, 2349].map(topDecileCount)).toEqual([0, 1, 1, 1, 2, 50, 235]);
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const values = [5n, null, 90n, 10n, 20n, 30n, 40n, 50n, 60n, 70n, 80n, null];
    // 10 predicted customers: one chosen, the highest.
    expect(selectTopDecile(ids, values)).toEqual([2]);
  });

  it("breaks ties as the customers page does (value descending, then id descending) and never picks a customer without a prediction", () => {
    const ids = Array.from({ length: 21 }, (_, i) => i + 1);
    const values: Array<bigint | null> = ids.map((id) => (id <= 3 ? null : id % 2 ? 100n : 50n));
    // 18 predicted → 2 chosen: both at 100, the highest ids first.
    expect(selectTopDecile(ids, values).map((i) => ids[i])).toEqual([21, 19]);
    expect(selectTopDecile([1, 2], [null, null])).toEqual([]);
  });

  it("is the first tenth of every customer with a prediction sorted by value, then id, descending (ties, nulls, values past 2^53)", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.bigInt({ min: 0n, max: 50n }),
      // Neighbours above 2^53 become one Number: the exact order must still hold among them.
      fc.bigInt({ min: 2n ** 60n, max: 2n ** 60n + 40n }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 400 }), fc.integer({ min: 1, max: 1_000 }), (values, firstId) => {
        const ids = values.map((_, i) => firstId + 7 * ((i * 13) % values.length));
        const sorted = values
          .map((v, i) => ({ v, i }))
          .filter((e): e is { v: bigint; i: number } => e.v !== null)
          .sort((p, q) => (p.v === q.v ? ids[q.i] - ids[p.i] : p.v > q.v ? -1 : 1));
        expect(selectTopDecile(ids, values)).toEqual(sorted.slice(0, Math.ceil(sorted.length / 10)).map((e) => e.i));
      }),
      { numRuns: 300 },
    );
  });

  it("the tag `<prefix>high-value` is an app tag: added while in the decile, removed when the customer leaves it, other tags kept", () => {
    const prefix = "lifecycle:";
    const customer = { stage: "repeat-buyer" as const, winbackTier: null };
    expect(appTagsFor(customer, prefix)).toEqual(["lifecycle:repeat-buyer"]);
    expect(appTagsFor(customer, prefix, { highValue: true })).toEqual([
      "lifecycle:repeat-buyer",
      "lifecycle:high-value",
    ]);
    const current = ["vip", "lifecycle:repeat-buyer"];
    const into = planTagChange(current, appTagsFor(customer, prefix, { highValue: true }), prefix);
    expect(into).toEqual({ add: ["lifecycle:high-value"], remove: [], overLimit: false });
    const tagged = applyTagPlan(current, into);
    const out = planTagChange(tagged, appTagsFor(customer, prefix, { highValue: false }), prefix);
    expect(out).toEqual({ add: [], remove: ["lifecycle:high-value"], overLimit: false });
    expect(applyTagPlan(tagged, out)).toEqual(["vip", "lifecycle:repeat-buyer"]);
  });
});

describeEachDatabase("the high-value tag after a refit", (database) => {
  let t: TestDb;

  beforeAll(async () => {
    t = await database.create();
    await t.db.shop.create({ data: { domain: SHOP } });
    await seedCdnowShop(t.db, SHOP);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it("is off by default: the decile is stored, nobody is to be retagged, reconcile tags nobody", async () => {
    const summary = await refitShopPredictions(t.db, SHOP, CDNOW_NOW);
    expect(summary).toMatchObject({ status: "ok", predicted: 2349, highValue: 235, retagGids: [] });
    const decile = await t.db.customer.findMany({ where: { shop: SHOP, highValue: true }, select: { gid: true } });
    expect(decile).toHaveLength(235);
    expect(
      await highValueGids(
        t.db,
        SHOP,
        decile.map((c) => c.gid),
      ),
    ).toEqual(new Set());
  }, 120_000);

  it("marks exactly the first tenth of the customers page sorted by predicted value", async () => {
    const page = await listCustomers(t.db, SHOP, { stage: "all", sort: "value-desc", now: CDNOW_NOW, pageSize: 300 });
    const flags = await t.db.customer.findMany({
      where: { shop: SHOP, highValue: true },
      select: { id: true, predictedValueMinor: true },
    });
    expect(new Set(flags.map((f) => f.id))).toEqual(new Set(page.rows.slice(0, 235).map((r) => r.id)));
    const lowestTagged = flags.reduce(
      (m, f) => (f.predictedValueMinor! < m ? f.predictedValueMinor! : m),
      flags[0].predictedValueMinor!,
    );
    const highestUntagged = BigInt(page.rows[235].predictedValueMinor!);
    expect(lowestTagged >= highestUntagged).toBe(true);
    expect(parseValueCursor(page.nextAfter)).toMatchObject({
      value: BigInt(page.rows[299].predictedValueMinor!),
      id: page.rows[299].id,
    });
  });

  it("turned on, it names the decile for reconcile; a refit then retags only the customers who entered or left it", async () => {
    const decile = (
      await t.db.customer.findMany({ where: { shop: SHOP, highValue: true }, select: { gid: true } })
    ).map((c) => c.gid);
    expect(new Set(await saveHighValueTag(t.db, SHOP, true))).toEqual(new Set(decile));
    expect(await saveHighValueTag(t.db, SHOP, true)).toEqual([]);
    const some = await t.db.customer.findMany({
      where: { shop: SHOP },
      orderBy: { id: "asc" },
      take: 400,
      select: { gid: true, highValue: true },
    });
    const tagged = await highValueGids(
      t.db,
      SHOP,
      some.map((c) => c.gid),
    );
    expect(tagged).toEqual(new Set(some.filter((c) => c.highValue).map((c) => c.gid)));

    // Same data: nothing moves.
    expect((await refitShopPredictions(t.db, SHOP, CDNOW_NOW)).retagGids).toEqual([]);
    // Ninety days later, with no new orders, the ranking changes for some customers only.
    const later = new Date(CDNOW_NOW.getTime() + 90 * 86_400_000);
    const moved = await refitShopPredictions(t.db, SHOP, later);
    const now = (await t.db.customer.findMany({ where: { shop: SHOP, highValue: true }, select: { gid: true } })).map(
      (c) => c.gid,
    );
    const expected = [...decile.filter((g) => !now.includes(g)), ...now.filter((g) => !decile.includes(g))];
    expect(new Set(moved.retagGids)).toEqual(new Set(expected));
    expect(moved.retagGids.length).toBeLessThan(235);

    // An insufficient fit takes everyone out of the decile: all of them are to be retagged.
    const cleared = await refitShopPredictions(t.db, SHOP, later, { fitability: { minBuyers: 10_000 } });
    expect(new Set(cleared.retagGids)).toEqual(new Set(now));
    expect(await highValueGids(t.db, SHOP, now)).toEqual(new Set());
  }, 120_000);
});
