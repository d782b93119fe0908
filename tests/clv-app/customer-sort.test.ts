import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import {
  listCustomers,
  parseCursorFor,
  parseCustomerSort,
  parseValueCursor,
  type CustomerSort,
  type StageFilter,
} from "../../app/models/customer-list.server";

const SHOP = "sorted.myshopify.com";
const OTHER = "elsewhere.myshopify.com";
const NOW = new Date("2026-11-23T12:00:00Z");
const STAGES = ["first-time-buyer", "repeat-buyer", "lapsed"] as const;

interface Seeded {
  id: number;
  stage: string;
  value: bigint | null;
}

describeEachDatabase("the customers page sorted by predicted value", (database) => {
  let t: TestDb;
  let seeded: Seeded[];

  beforeAll(async () => {
    t = await database.create();
    await t.db.shop.create({ data: { domain: SHOP } });
    for (let i = 1; i <= 140; i++) {
      // Many ties (one-time buyers of a day share a prediction), and customers without one.
      const value = i % 7 === 0 ? null : BigInt((i * 37) % 23) * 1000n;
      await t.db.customer.create({
        data: {
          shop: SHOP,
          gid: `gid://shopify/Customer/${i}`,
          stage: STAGES[i % 3],
          predictedValueMinor: value,
          probabilityAlive: value == null ? null : 0.5 + (i % 10) / 20,
          deletedAt: i === 30 ? NOW : null,
        },
      });
    }
    await t.db.customer.create({
      data: { shop: OTHER, gid: "gid://shopify/Customer/1", stage: "repeat-buyer", predictedValueMinor: 99_999_999n },
    });
    await t.db.stageCount.createMany({
      data: STAGES.map((stage) => ({ shop: SHOP, stage, customers: 46, netSpentMinor: 0n })),
    });
    seeded = (
      await t.db.customer.findMany({
        where: { shop: SHOP, deletedAt: null },
        select: { id: true, stage: true, predictedValueMinor: true },
      })
    ).map((c) => ({
      id: c.id,
      stage: c.stage!,
      value: c.predictedValueMinor,
    }));
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The order the page must show: predicted customers by value (then id) in the direction asked, then the rest by id. */
  function expectedOrder(sort: Exclude<CustomerSort, "stage">, stage: StageFilter): number[] {
    const sign = sort === "value-desc" ? -1 : 1;
    const cmp = (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1);
    const rows = seeded.filter((c) => stage === "all" || c.stage === stage);
    const predicted = rows
      .filter((c) => c.value != null)
      .sort((a, b) => sign * (cmp(a.value!, b.value!) || a.id - b.id));
    const rest = rows.filter((c) => c.value == null).sort((a, b) => sign * (a.id - b.id));
    return [...predicted, ...rest].map((c) => c.id);
  }

  async function walk(sort: Exclude<CustomerSort, "stage">, stage: StageFilter, pageSize: number) {
    const pages = [await listCustomers(t.db, SHOP, { stage, sort, now: NOW, pageSize })];
    while (pages.at(-1)!.nextAfter) {
      pages.push(
        await listCustomers(t.db, SHOP, {
          stage,
          sort,
          now: NOW,
          pageSize,
          after: parseCursorFor(sort, pages.at(-1)!.nextAfter),
        }),
      );
    }
    return pages;
  }

  it.each([
    ["value-desc", "all"],
    ["value-asc", "all"],
    ["value-desc", "repeat-buyer"],
    ["value-asc", "lapsed"],
  ] as const)(
    "%s, %s: page after page in order, customers without a prediction last, ties by id, then back page by page",
    async (sort, stage) => {
      const pages = await walk(sort, stage, 17);
      const ids = pages.flatMap((p) => p.rows.map((r) => r.id));
      expect(ids).toEqual(expectedOrder(sort, stage));
      expect(pages[0].previousBefore).toBeNull();
      expect(pages[0].total).toBe(stage === "all" ? 138 : 46);
      // Backwards from the last page reproduces every earlier page.
      let page = pages.at(-1)!;
      for (let i = pages.length - 2; i >= 0; i--) {
        page = await listCustomers(t.db, SHOP, {
          stage,
          sort,
          now: NOW,
          pageSize: 17,
          before: parseCursorFor(sort, page.previousBefore),
        });
        expect(page.rows.map((r) => r.id)).toEqual(pages[i].rows.map((r) => r.id));
      }
      expect(page.previousBefore).toBeNull();
    },
  );

  it("rows carry the predicted value and P(alive); another shop's and deleted customers never appear", async () => {
    const [first] = (await listCustomers(t.db, SHOP, { stage: "all", sort: "value-desc", now: NOW, pageSize: 1 })).rows;
    const top = seeded
      .filter((c) => c.value != null)
      .sort((a, b) => (a.value === b.value ? b.id - a.id : a.value! > b.value! ? -1 : 1))[0];
    expect(first).toMatchObject({ id: top.id, predictedValueMinor: String(top.value) });
    expect(first.probabilityAlive).toBeGreaterThan(0);
    const everyone = (await walk("value-desc", "all", 200)).flatMap((p) => p.rows);
    expect(everyone).toHaveLength(seeded.length);
    expect(everyone.some((r) => r.predictedValueMinor === "99999999")).toBe(false);
    const unpredicted = everyone.filter((r) => r.predictedValueMinor == null);
    expect(unpredicted.every((r) => r.probabilityAlive == null)).toBe(true);
  });

  it("reads sort orders and value cursors safely", () => {
    expect(parseCustomerSort("value-desc")).toBe("value-desc");
    expect(parseCustomerSort("value")).toBe("stage");
    expect(parseCustomerSort(null)).toBe("stage");
    expect(parseValueCursor("v:12345:67")).toEqual({ value: 12345n, id: 67 });
    expect(parseValueCursor("n:67")).toEqual({ value: null, id: 67 });
    expect(parseValueCursor("v:1e5:3")).toBeNull();
    expect(parseValueCursor("lapsed:3")).toBeNull();
    // A cursor of the other order is ignored, not misread.
    expect(parseCursorFor("stage", "v:1:2")).toBeNull();
    expect(parseCursorFor("value-asc", "lapsed:2")).toBeNull();
  });

  it("each page is index range reads in order, one per stage for all stages: no sort of the shop's customers", async () => {
    const predicted = (stage: string) =>
      `SELECT "id" FROM "Customer" WHERE "shop" = '${SHOP}' AND "deletedAt" IS NULL AND "stage" = '${stage}'
       AND "predictedValueMinor" <= 5000 AND ("predictedValueMinor" < 5000 OR "id" < 70)
       ORDER BY "predictedValueMinor" DESC, "id" DESC LIMIT 51`;
    const unpredicted = (stage: string) =>
      `SELECT "id" FROM "Customer" WHERE "shop" = '${SHOP}' AND "deletedAt" IS NULL AND "stage" = '${stage}'
       AND "predictedValueMinor" IS NULL AND "id" > 70 ORDER BY "id" ASC LIMIT 51`;
    if (database.kind === "sqlite") {
      const plan = async (sql: string) =>
        (await t.db.$queryRawUnsafe<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`))
          .map((r) => r.detail)
          .join("\n");
      const values = await plan(predicted("lapsed"));
      expect(values).toMatch(
        /USING INDEX Customer_shop_stage_predictedValueMinor_id_idx \(shop=\? AND stage=\? AND predictedValueMinor<\?\)/,
      );
      expect(values).not.toMatch(/TEMP B-TREE/);
      const rest = await plan(unpredicted("lapsed"));
      expect(rest).toMatch(
        /USING INDEX Customer_shop_stage_predictedValueMinor_id_idx \(shop=\? AND stage=\? AND predictedValueMinor=\? AND id>\?\)/,
      );
      expect(rest).not.toMatch(/TEMP B-TREE/);
    } else {
      const plan = async (sql: string) =>
        t.db.$transaction(async (tx) => {
          // On a table this small a sort of a few rows is cheapest: which index can read in order is the question.
          for (const setting of ["enable_seqscan", "enable_bitmapscan", "enable_sort"])
            await tx.$executeRawUnsafe(`SET LOCAL ${setting} = off`);
          return (await tx.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(`EXPLAIN ${sql}`))
            .map((r) => r["QUERY PLAN"])
            .join("\n");
        });
      const values = await plan(predicted("lapsed"));
      expect(values).toMatch(/Index (Only )?Scan Backward using "Customer_shop_stage_predictedValueMinor_id_idx"/);
      expect(values).not.toMatch(/Sort/);
      const rest = await plan(unpredicted("lapsed"));
      // Those without a value by id: from the stage's index or the (shop, id) one, the planner's call; either in order.
      expect(rest).toMatch(/Index (Only )?Scan using "Customer_shop_(stage_predictedValueMinor_)?id_idx"/);
      expect(rest).not.toMatch(/Sort/);
    }
  });
});
