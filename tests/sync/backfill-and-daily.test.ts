import { afterAll, beforeAll, expect, it } from "vitest";
import { runBackfill } from "../../app/sync/backfill.server";
import { runDailyEvaluation } from "../../app/sync/daily.server";
import { shopifyWriter } from "../../app/sync/shopify-writer.server";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { appTagsOf, countingWriter, devStoreWithClient, expectedByModel, modelTags, type DevStore } from "./support";
import type { AdminClient } from "../../app/shopify/admin-client.server";
import { withCpuLoad } from "../support/cpu-load";

// Two busy CPU-bound processes beside the suite, as on a loaded production box.
withCpuLoad();

const SHOP = "backfill-daily.myshopify.com";
const DAY = 86_400_000;
// The Online Retail data ends 2011-12-10; the store is shifted so that it ends on NOW.
const NOW = Date.UTC(2026, 0, 15);

describeEachDatabase("backfill and daily re-evaluation against the dev store", (database) => {
  let devStore: DevStore;
  let client: AdminClient;
  let testDb: TestDb;
  const merchantTags = new Map<string, string[]>();
  const initialAppTags = new Map<string, string[]>();

  beforeAll(async () => {
    ({ devStore, client } = await devStoreWithClient(SHOP));
    await devStore.seedOnlineRetail(SHOP, { shiftTo: NOW });
    const state = devStore.shops.get(SHOP)!;
    // Tags other apps and the merchant set, plus a stale app tag the app must remove.
    let i = 0;
    for (const customer of state.customers.values()) {
      if (i % 7 === 0) customer.tags = ["VIP", "klaviyo:engaged"];
      if (i % 11 === 0) customer.tags = [...customer.tags, "lifecycle:regular-buyer"];
      merchantTags.set(
        `gid://shopify/Customer/${customer.id}`,
        customer.tags.filter((t) => !t.startsWith("lifecycle:")),
      );
      initialAppTags.set(`gid://shopify/Customer/${customer.id}`, appTagsOf(customer.tags));
      i++;
    }
    testDb = await database.create();
  }, 900_000);

  afterAll(async () => {
    await testDb?.close();
    await devStore?.close();
  });

  it("after the backfill every customer carries exactly the model's tags and other tags are untouched", async () => {
    const { writer, counts } = countingWriter(shopifyWriter(testDb.db, SHOP, client));
    await runBackfill({ db: testDb.db, shop: SHOP, client, writer, now: () => new Date(NOW), pollIntervalMs: 20 });
    const state = devStore.shops.get(SHOP)!;
    const expected = expectedByModel(state, NOW);
    expect(expected.size).toBe(state.customers.size);
    let mismatches = 0;
    for (const customer of state.customers.values()) {
      const gid = `gid://shopify/Customer/${customer.id}`;
      if (appTagsOf(customer.tags).join() !== modelTags(expected.get(gid)!).join()) mismatches++;
      expect(customer.tags.filter((t) => !t.startsWith("lifecycle:"))).toEqual(merchantTags.get(gid));
    }
    expect(mismatches).toBe(0);
    // Only customers whose app tags differed from the model were written.
    const needed = [...expected].filter(([gid, c]) => initialAppTags.get(gid)!.join() !== modelTags(c).join()).length;
    expect(needed).toBeGreaterThan(4000);
    expect(counts.tagEdits).toBe(needed);
    // Stored stages agree with the model too.
    const stored = await testDb.db.customer.findMany({ where: { shop: SHOP }, select: { gid: true, stage: true } });
    expect(stored.filter((c) => c.stage !== expected.get(c.gid)?.stage)).toEqual([]);
    // The first backfill fires no Flow triggers (the merchant did not ask for them).
    expect(devStore.flowTriggers.filter((f) => f.shop === SHOP)).toHaveLength(0);
    const run = await testDb.db.syncRun.findFirst({ where: { shop: SHOP } });
    expect(run?.phase).toBe("done");
    expect(await testDb.db.shopSegment.count({ where: { shop: SHOP } })).toBe(7);
  }, 900_000);

  it("a second backfill writes nothing", async () => {
    const { writer, counts } = countingWriter(shopifyWriter(testDb.db, SHOP, client));
    await runBackfill({ db: testDb.db, shop: SHOP, client, writer, now: () => new Date(NOW), pollIntervalMs: 20 });
    expect(counts.tagEdits).toBe(0);
    expect(await testDb.db.stageChange.count({ where: { shop: SHOP, cause: { not: "backfill" } } })).toBe(0);
    // Segments are not duplicated either.
    expect(devStore.shops.get(SHOP)!.segments.size).toBe(7);
  }, 900_000);

  it("200 days later the daily job lapses exactly the customers the model says, with tiers, Flow triggers and history", async () => {
    const later = NOW + 200 * DAY;
    const state = devStore.shops.get(SHOP)!;
    const before = expectedByModel(state, NOW);
    const after = expectedByModel(state, later);
    // Rate limits are measured in bench/tags.bench.ts; here a generous bucket keeps the thousands of Flow calls quick.
    devStore.setBucket(SHOP, { maximumAvailable: 1_000_000, restoreRate: 1_000_000, currentlyAvailable: 1_000_000 });
    const summary = await runDailyEvaluation(testDb.db, SHOP, new Date(later), shopifyWriter(testDb.db, SHOP, client));

    const changed = [...after].filter(
      ([gid, c]) => c.stage !== before.get(gid)!.stage || c.winbackTier !== before.get(gid)!.winbackTier,
    );
    expect(changed.length).toBeGreaterThan(1000);
    expect(summary.stageChanges).toBe(changed.length);
    for (const customer of state.customers.values()) {
      const gid = `gid://shopify/Customer/${customer.id}`;
      expect(appTagsOf(customer.tags), gid).toEqual(modelTags(after.get(gid)!));
    }
    const lapsedByTier = (tier: number) =>
      [...after.values()].filter((c) => c.stage === "lapsed" && c.winbackTier === tier).length;
    const stored = await testDb.db.customer.groupBy({
      by: ["stage", "winbackTier"],
      where: { shop: SHOP },
      _count: { _all: true },
    });
    for (const tier of [90, 180, 360]) {
      expect(stored.find((g) => g.stage === "lapsed" && g.winbackTier === tier)?._count._all ?? 0).toBe(
        lapsedByTier(tier),
      );
    }
    const history = await testDb.db.stageChange.findMany({ where: { shop: SHOP, cause: "time" } });
    expect(history).toHaveLength(changed.length);
    expect(history.every((h) => h.flowStatus === "sent")).toBe(true);
    const triggers = devStore.flowTriggers.filter((f) => f.shop === SHOP);
    expect(triggers).toHaveLength(changed.length);
    const sample = triggers[0].payload as Record<string, unknown>;
    expect(Object.keys(sample).sort()).toEqual([
      "Days since last order",
      "New stage",
      "Previous stage",
      "Winback tier",
      "customer_id",
    ]);
  }, 900_000);
});
