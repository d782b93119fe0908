import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileCustomers } from "../../app/sync/reconcile.server";
import { shopifyWriter, writePlannedTags } from "../../app/sync/shopify-writer.server";
import { upsertCustomers, upsertOrders } from "../../app/models/facts.server";
import { OVER_TAG_LIMIT_MESSAGE, MAX_INPUT_ARRAY } from "../../app/shopify/tags.server";
import { AdminClient } from "../../app/shopify/admin-client.server";
import {
  appTagsFor,
  classifyCustomer,
  DEFAULT_LIFECYCLE_SETTINGS,
  SHOPIFY_MAX_TAGS_PER_CUSTOMER,
} from "../../app/lifecycle";
import { startDevStore, type DevStore } from "../devstore/server";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { withCpuLoad } from "../support/cpu-load";
import type { OrderRow } from "../../app/ingest/facts";

withCpuLoad();

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const merchantTags = (n: number) => Array.from({ length: n }, (_, i) => `merchant-${i}`);

function order(gid: string, customerGid: string, daysAgo: number): OrderRow {
  return {
    gid,
    customerGid,
    createdAt: new Date(NOW - daysAgo * DAY),
    totalMinor: 5000n,
    refundedMinor: 0n,
    currencyCode: "USD",
    cancelled: false,
    test: false,
    voided: false,
    fullyRefunded: false,
    shopifyUpdatedAt: new Date(NOW - daysAgo * DAY),
  };
}

/**
 * What each GraphQL request to the dev store asked for (operation and variables), to see what the writer sent.
 * While `holdBulk()` says so, bulk operations read as still RUNNING, as a slow Shopify would report them.
 */
function recordingClient(devStore: DevStore, shop: string, holdBulk: () => boolean = () => false) {
  const requests: Array<{ document: string; variables: Record<string, unknown> }> = [];
  const token = devStore.issueOfflineToken(shop);
  const client = new AdminClient({
    shop,
    endpoint: `${devStore.origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => token,
    fetch: async (input, init) => {
      const body = JSON.parse(String(init?.body ?? "{}")) as { query: string; variables?: Record<string, unknown> };
      requests.push({ document: body.query, variables: body.variables ?? {} });
      const response = await fetch(input, init);
      if (!body.query.includes("query BulkOperationQuery") || !holdBulk()) return response;
      const json = (await response.json()) as { data?: { bulkOperation?: Record<string, unknown> } };
      if (json.data?.bulkOperation) Object.assign(json.data.bulkOperation, { status: "RUNNING", url: null });
      return new Response(JSON.stringify(json), { status: response.status, headers: response.headers });
    },
  });
  return { client, requests };
}

describeEachDatabase("tag writes", (database) => {
  let devStore: DevStore;
  let testDb: TestDb;

  beforeAll(async () => {
    devStore = await startDevStore({
      port: 0,
      apiKey: "tags-key",
      apiSecret: "tags-secret",
      bucket: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 },
    });
    testDb = await database.create();
  }, 120_000);

  afterAll(async () => {
    await testDb?.close();
    await devStore?.close();
  });

  /** A customer in the dev store and, as imported, in the app's database, with its orders. */
  async function customerWith(shop: string, tags: string[], ordersDaysAgo: number[]) {
    if (!devStore.shops.has(shop)) devStore.addShop(shop);
    await testDb.db.shop.upsert({ where: { domain: shop }, create: { domain: shop }, update: {} });
    const customer = devStore.createCustomer(shop, {
      email: `${tags.length}-${ordersDaysAgo.join("-")}@${shop}`,
      tags,
    });
    const gid = `gid://shopify/Customer/${customer.id}`;
    await upsertCustomers(testDb.db, shop, [
      {
        gid,
        shopifyCreatedAt: new Date(NOW - 900 * DAY),
        shopifyUpdatedAt: new Date(NOW - 900 * DAY),
        emailMarketingState: "NOT_SUBSCRIBED",
        tags,
      },
    ]);
    await upsertOrders(
      testDb.db,
      shop,
      ordersDaysAgo.map((days, i) => order(`gid://shopify/Order/${customer.id}${i}`, gid, days)),
    );
    return { id: customer.id, gid };
  }

  describe("at Shopify's 250-tag limit", () => {
    const shop = "tag-limit.myshopify.com";

    it("a customer with 250 tags moves stage: the old stage tag is removed first, then the new one fits", async () => {
      const { id, gid } = await customerWith(shop, [...merchantTags(249), "lifecycle:first-time-buyer"], [200, 30]);
      const { client } = recordingClient(devStore, shop);
      await reconcileCustomers(
        { db: testDb.db, shop, now: new Date(NOW), cause: "order", shopify: shopifyWriter(testDb.db, shop, client) },
        [gid],
      );
      const tags = devStore.shops.get(shop)!.customers.get(id)!.tags;
      expect(tags).toHaveLength(SHOPIFY_MAX_TAGS_PER_CUSTOMER);
      expect(tags.filter((t) => t.startsWith("lifecycle:"))).toEqual(["lifecycle:repeat-buyer"]);
      const stored = await testDb.db.customer.findUnique({ where: { shop_gid: { shop, gid } } });
      expect(stored).toMatchObject({ stage: "repeat-buyer", tagError: null, desiredAppTags: null });
      expect(JSON.parse(stored!.tags)).toEqual(tags);
    }, 120_000);

    it("when the new tags cannot all fit, the stale stage tag is still removed and the limit is reported", async () => {
      const ordersDaysAgo = [700, 640];
      // Guard on the premise: the model wants two tags (stage and win-back tier) for this customer.
      const desired = appTagsFor(
        classifyCustomer(
          {
            emailMarketingState: "NOT_SUBSCRIBED",
            orders: ordersDaysAgo.map((d) => ({
              createdAt: NOW - d * DAY,
              totalMinor: 5000,
              refundedMinor: 0,
              cancelled: false,
              test: false,
              voided: false,
              fullyRefunded: false,
            })),
          },
          { gapThresholdDays: 30, gapCount: 0, usedSmallShopFallback: true },
          DEFAULT_LIFECYCLE_SETTINGS,
          NOW,
        ),
        "lifecycle:",
      );
      expect(desired).toHaveLength(2);
      const { id, gid } = await customerWith(shop, [...merchantTags(249), "lifecycle:repeat-buyer"], ordersDaysAgo);
      const { client } = recordingClient(devStore, shop);
      await reconcileCustomers(
        { db: testDb.db, shop, now: new Date(NOW), cause: "order", shopify: shopifyWriter(testDb.db, shop, client) },
        [gid],
      );
      const tags = devStore.shops.get(shop)!.customers.get(id)!.tags;
      // In no stage segment rather than in two: the old tag is gone, the merchant's 249 stay.
      expect(tags.filter((t) => t.startsWith("lifecycle:"))).toEqual([]);
      expect(tags).toEqual(merchantTags(249));
      const stored = await testDb.db.customer.findUnique({ where: { shop_gid: { shop, gid } } });
      expect(stored!.stage).toBe("lapsed");
      expect(stored!.winbackTier).not.toBeNull();
      expect(stored!.tagError).toBe(OVER_TAG_LIMIT_MESSAGE);
      expect(JSON.parse(stored!.tags)).toEqual(merchantTags(249));
    }, 120_000);
  });

  it("only the newest planned tags are sent: a plan overtaken before it was written is never written", async () => {
    const shop = "tag-coalesce.myshopify.com";
    const { id, gid } = await customerWith(shop, [], [10]);
    // First plan (first-time buyer), not sent: no writer.
    await reconcileCustomers({ db: testDb.db, shop, now: new Date(NOW), cause: "order", shopify: null }, [gid]);
    expect((await testDb.db.customer.findUnique({ where: { shop_gid: { shop, gid } } }))!.desiredAppTags).toContain(
      "lifecycle:first-time-buyer",
    );
    // A second order arrives before the tag step ran: the plan becomes repeat buyer.
    await upsertOrders(testDb.db, shop, [order(`gid://shopify/Order/${id}9`, gid, 5)]);
    await reconcileCustomers({ db: testDb.db, shop, now: new Date(NOW), cause: "order", shopify: null }, [gid]);
    const { client, requests } = recordingClient(devStore, shop);
    const summary = await writePlannedTags(testDb.db, shop, client, () => new Date(NOW), { wait: true });
    expect(summary).toEqual({ written: 1, failed: 0 });
    const sentTags = requests
      .flatMap((r) => Object.values(r.variables).flat())
      .filter((v): v is string => typeof v === "string" && v.startsWith("lifecycle:"));
    expect(sentTags).toEqual(["lifecycle:repeat-buyer"]);
    expect(devStore.shops.get(shop)!.customers.get(id)!.tags).toEqual(["lifecycle:repeat-buyer"]);
  }, 120_000);

  it("failed writes are re-read at most 250 customers per request (Shopify's input array limit), here after a bulk write", async () => {
    const shop = "tag-reread.myshopify.com";
    const customers = [];
    for (let i = 0; i < 600; i++) customers.push(await customerWith(shop, [], []));
    await reconcileCustomers(
      { db: testDb.db, shop, now: new Date(NOW), cause: "order", shopify: null },
      customers.map((c) => c.gid),
    );
    // Deleted in Shopify after the plan was made: every write fails, and each is re-read before it is given up.
    for (const c of customers) devStore.deleteCustomer(c.id);
    const { client, requests } = recordingClient(devStore, shop);
    const summary = await writePlannedTags(testDb.db, shop, client, () => new Date(NOW), {
      wait: true,
      bulkThreshold: 100,
    });
    expect(summary).toEqual({ written: 0, failed: 600 });
    expect(requests.some((r) => r.document.includes("bulkOperationRunMutation"))).toBe(true);
    const rereads = requests
      .filter((r) => r.document.includes("CustomerTagsQuery"))
      .map((r) => (r.variables.ids as string[]).length);
    expect(rereads.reduce((a, b) => a + b, 0)).toBe(600);
    expect(Math.max(...rereads)).toBeLessThanOrEqual(MAX_INPUT_ARRAY);
    const stored = await testDb.db.customer.findMany({
      where: { shop },
      select: { tagError: true, tagWriteDueAt: true, tagWriteAttempts: true },
    });
    expect(
      stored.every(
        (c) =>
          c.tagError === "The customer no longer exists in Shopify." &&
          c.tagWriteAttempts === 1 &&
          c.tagWriteDueAt!.getTime() > NOW,
      ),
    ).toBe(true);
  }, 300_000);

  it("without waiting, a shop's writes stop at what its bucket pays for now, and never meet THROTTLED", async () => {
    const shop = "tag-paced.myshopify.com";
    const customers = [];
    for (let i = 0; i < 120; i++) customers.push(await customerWith(shop, [], [10]));
    await reconcileCustomers(
      { db: testDb.db, shop, now: new Date(NOW), cause: "order", shopify: null },
      customers.map((c) => c.gid),
    );
    // 300 points left: about 30 one-field writes, and 1 point back per second.
    devStore.setBucket(shop, { maximumAvailable: 2000, restoreRate: 1, currentlyAvailable: 300 });
    const { client } = recordingClient(devStore, shop);
    // The client learns the bucket from any response, as the inbox's client has by the time it writes tags.
    await client.request(`query Ping { shop { id } }`);
    const first = await writePlannedTags(testDb.db, shop, client, () => new Date(NOW), { wait: false });
    expect(first.written).toBeGreaterThan(0);
    expect(first.written).toBeLessThan(120);
    expect(devStore.stats(shop).throttled).toBe(0);
    expect(await testDb.db.customer.count({ where: { shop, desiredAppTags: { not: null } } })).toBe(
      120 - first.written,
    );
    // With the bucket refilled the rest goes out (a new client: the old one would wait for the bucket it last saw).
    devStore.setBucket(shop, { maximumAvailable: 1_000_000, restoreRate: 1_000_000, currentlyAvailable: 1_000_000 });
    await writePlannedTags(testDb.db, shop, recordingClient(devStore, shop).client, () => new Date(NOW), {
      wait: true,
    });
    expect(await testDb.db.customer.count({ where: { shop, desiredAppTags: { not: null } } })).toBe(0);
    expect(devStore.stats(shop).throttled).toBe(0);
  }, 300_000);

  it("a large backlog goes as a bulk mutation that the inbox advances one poll at a time, removals before additions", async () => {
    const shop = "tag-bulk.myshopify.com";
    const customers = [];
    for (let i = 0; i < 40; i++) customers.push(await customerWith(shop, ["lifecycle:visitor"], [40, 20]));
    await reconcileCustomers(
      { db: testDb.db, shop, now: new Date(NOW), cause: "order", shopify: null },
      customers.map((c) => c.gid),
    );
    let running = true;
    const { client } = recordingClient(devStore, shop, () => running);
    // While Shopify still runs the operation, each pass polls once and returns: nothing waits for it.
    for (let pass = 0; pass < 3; pass++) {
      expect(
        await writePlannedTags(testDb.db, shop, client, () => new Date(NOW), { wait: false, bulkThreshold: 10 }),
      ).toEqual({ written: 0, failed: 0 });
      expect(await testDb.db.tagBulkWrite.findUnique({ where: { shop } })).toMatchObject({ phase: "remove" });
    }
    running = false;
    let passes = 0;
    while (await testDb.db.tagBulkWrite.findUnique({ where: { shop } })) {
      await writePlannedTags(testDb.db, shop, client, () => new Date(NOW), { wait: false, bulkThreshold: 10 });
      if (++passes > 500) throw new Error("the bulk tag write never finished");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const c of customers)
      expect(devStore.shops.get(shop)!.customers.get(c.id)!.tags).toEqual(["lifecycle:repeat-buyer"]);
    expect(await testDb.db.customer.count({ where: { shop, desiredAppTags: { not: null } } })).toBe(0);
  }, 300_000);
});
