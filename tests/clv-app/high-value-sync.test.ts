/**
 * The customer-value refit in the sync: an import and the daily job refit the shop's value models, and the optional
 * `<prefix>high-value` tag reaches Shopify (here the dev store) for exactly the stored top decile, follows it as it
 * moves, and goes away when the merchant turns it off. Real data: the CDNOW sample's 2,357 customers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackfill } from "../../app/sync/backfill.server";
import { runDailyEvaluation } from "../../app/sync/daily.server";
import { shopifyWriter } from "../../app/sync/shopify-writer.server";
import { saveSettingsPage } from "../../app/sync/settings-page.server";
import { loadShopContext } from "../../app/models/shop.server";
import { jobHandlers } from "../../app/jobs/handlers.server";
import { createDatabase, type TestDb } from "../support/databases";
import { devStoreWithClient, type DevStore } from "../sync/support";
import type { AdminClient } from "../../app/shopify/admin-client.server";
import { cdnowDate, loadCdnowSample } from "../clv/cdnow";
import { CDNOW_NOW } from "./seed";

const SHOP = "value-sync.myshopify.com";
const HIGH_VALUE = "lifecycle:high-value";
const DAY = 86_400_000;

describe("the customer-value refit in the sync (dev store, CDNOW customers)", () => {
  let t: TestDb;
  let devStore: DevStore;
  let client: AdminClient;

  /** Dev-store customers carrying the high-value tag, as gids. */
  const taggedInShopify = () =>
    [...devStore.shops.get(SHOP)!.customers.values()]
      .filter((c) => c.tags.includes(HIGH_VALUE))
      .map((c) => `gid://shopify/Customer/${c.id}`)
      .sort();
  const decileInDb = async () =>
    (await t.db.customer.findMany({ where: { shop: SHOP, highValue: true }, select: { gid: true } }))
      .map((c) => c.gid)
      .sort();
  /** Runs the queued re-classification jobs the way the worker would. */
  const runQueuedReclassify = async (now: Date) => {
    const jobs = await t.db.job.findMany({ where: { shop: SHOP, name: "reclassify", doneAt: null } });
    const handlers = jobHandlers({ clientFor: () => client });
    for (const job of jobs) {
      await handlers.reclassify(
        { db: t.db, now: () => now },
        { shop: SHOP, data: JSON.parse(job.data) as Record<string, unknown> },
      );
      await t.db.job.update({ where: { id: job.id }, data: { doneAt: now } });
    }
    return jobs.length;
  };
  const settingsWith = async (highValueTag: boolean) => {
    const ctx = await loadShopContext(t.db, SHOP);
    return {
      settings: ctx.settings,
      flow: { enabled: ctx.flowEnabled, onBackfill: ctx.flowOnBackfill },
      monthlySessions: null,
      highValueTag,
    };
  };

  beforeAll(async () => {
    t = await createDatabase("sqlite");
    ({ devStore, client } = await devStoreWithClient(SHOP));
    const customers = new Map<string, number>();
    for (const line of loadCdnowSample()) {
      const at = cdnowDate(line.date) + DAY / 2;
      if (at > CDNOW_NOW.getTime() || line.dollars <= 0) continue;
      let id = customers.get(line.masterId);
      if (id === undefined) {
        id = Number(devStore.createCustomer(SHOP, { email: `cdnow-${line.masterId}@example.com`, createdAt: at }).id);
        customers.set(line.masterId, id);
      }
      devStore.createOrder(SHOP, { customerId: id, createdAt: at, total: line.dollars, currency: "USD" });
    }
    await runBackfill({
      db: t.db,
      shop: SHOP,
      client,
      writer: shopifyWriter(t.db, SHOP, client),
      now: () => CDNOW_NOW,
      pollIntervalMs: 5,
    });
  }, 240_000);

  afterAll(async () => {
    await devStore?.close();
    await t?.close();
  });

  it("an import fits the shop's value models and stores the top decile, but tags nobody while the tag is off (the default)", async () => {
    const prediction = await t.db.shopPrediction.findUnique({ where: { shop: SHOP } });
    expect(prediction?.status).toBe("ok");
    const decile = await decileInDb();
    const predicted = await t.db.customer.count({ where: { shop: SHOP, predictedValueMinor: { not: null } } });
    expect(predicted).toBeGreaterThan(2000);
    expect(decile).toHaveLength(Math.ceil(predicted / 10));
    expect(taggedInShopify()).toEqual([]);
  });

  it("turning the tag on queues one re-classification, which tags exactly the stored top decile in Shopify", async () => {
    await saveSettingsPage(t.db, SHOP, await settingsWith(true));
    expect(await runQueuedReclassify(CDNOW_NOW)).toBe(1);
    expect(taggedInShopify()).toEqual(await decileInDb());
    // Saving again with the tag still on queues nothing.
    await saveSettingsPage(t.db, SHOP, await settingsWith(true));
    expect(await runQueuedReclassify(CDNOW_NOW)).toBe(0);
  });

  it("the daily job refits: customers who enter or leave the decile gain or lose the tag, and Shopify matches the stored decile", async () => {
    const before = await decileInDb();
    const later = new Date(CDNOW_NOW.getTime() + 7 * DAY);
    const summary = await runDailyEvaluation(t.db, SHOP, later, shopifyWriter(t.db, SHOP, client));
    expect(summary.prediction?.status).toBe("ok");
    const after = await decileInDb();
    const moved =
      after.filter((gid) => !before.includes(gid)).length + before.filter((gid) => !after.includes(gid)).length;
    expect(moved).toBeGreaterThan(0);
    expect(summary.prediction?.retagged).toBe(moved);
    expect(taggedInShopify()).toEqual(after);
    const fittedAt = (await t.db.shopPrediction.findUnique({ where: { shop: SHOP } }))?.fittedAt;
    expect(fittedAt?.getTime()).toBe(later.getTime());
  });

  it("turning the tag off removes it from every customer and keeps their stage tags", async () => {
    const later = new Date(CDNOW_NOW.getTime() + 7 * DAY);
    await saveSettingsPage(t.db, SHOP, await settingsWith(false));
    expect(await runQueuedReclassify(later)).toBe(1);
    expect(taggedInShopify()).toEqual([]);
    const customers = [...devStore.shops.get(SHOP)!.customers.values()];
    expect(
      customers.every(
        (c) =>
          c.tags.filter((tag) =>
            /^lifecycle:(visitor|enquirer|first-time-buyer|repeat-buyer|regular-buyer|lapsed|returned)$/.test(tag),
          ).length === 1,
      ),
    ).toBe(true);
  });
});
