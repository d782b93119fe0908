import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { recountStages } from "../../app/sync/reconcile.server";

const SHOP = "recount.myshopify.com";
const OTHER = "recount-other.myshopify.com";
const STAGES = ["visitor", "enquirer", "first-time-buyer", "repeat-buyer", "lapsed", null] as const;

/** Customer i of a shop: a stage by a rule of its own (some without one), a spend past 2^53 now and then. */
function customerOf(shop: string, i: number) {
  const stage = STAGES[(i * 7) % STAGES.length];
  const netSpentMinor = i % 11 === 0 ? 2n ** 60n + BigInt(i) : BigInt((i * 37) % 5000);
  return { shop, gid: `gid://shopify/Customer/${i}`, stage, netSpentMinor };
}

describeEachDatabase("stage counts rebuilt from the customers", (database) => {
  let t: TestDb;

  beforeAll(async () => {
    t = await database.create();
    await t.db.shop.createMany({ data: [{ domain: SHOP }, { domain: OTHER }] });
    await t.db.customer.createMany({ data: Array.from({ length: 300 }, (_, i) => customerOf(SHOP, i)) });
    await t.db.customer.createMany({ data: Array.from({ length: 50 }, (_, i) => customerOf(OTHER, i)) });
    // Counts gone wrong (and a stage nobody is at any more): the recount replaces them.
    await t.db.stageCount.createMany({
      data: [
        { shop: SHOP, stage: "visitor", customers: 1, netSpentMinor: 1n },
        { shop: SHOP, stage: "regular-buyer", customers: 9, netSpentMinor: 9n },
        { shop: OTHER, stage: "visitor", customers: 123, netSpentMinor: 4n },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("counts each stage's customers and sums their spend exactly, for this shop only, and drops stages left empty", async () => {
    await recountStages(t.db, SHOP);
    const expected = new Map<string, { customers: number; netSpentMinor: bigint }>();
    for (let i = 0; i < 300; i++) {
      const { stage, netSpentMinor } = customerOf(SHOP, i);
      if (stage === null) continue;
      const entry = expected.get(stage) ?? { customers: 0, netSpentMinor: 0n };
      entry.customers++;
      entry.netSpentMinor += netSpentMinor;
      expected.set(stage, entry);
    }
    const rows = await t.db.stageCount.findMany({ where: { shop: SHOP }, orderBy: { stage: "asc" } });
    expect(rows.map(({ stage, customers, netSpentMinor }) => ({ stage, customers, netSpentMinor }))).toEqual(
      [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stage, e]) => ({ stage, ...e })),
    );
    expect(await t.db.stageCount.findMany({ where: { shop: OTHER } })).toMatchObject([
      { stage: "visitor", customers: 123, netSpentMinor: 4n },
    ]);
  });
});
