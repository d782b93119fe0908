import { afterAll, beforeAll, expect, it } from "vitest";
import { runBackfill } from "../../app/sync/backfill.server";
import { runDailyEvaluation } from "../../app/sync/daily.server";
import { shopifyWriter } from "../../app/sync/shopify-writer.server";
import { SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";
import { startDevStore, type DevStore } from "../devstore/server";
import { appTagsOf, expectedByModel, modelTags } from "../sync/support";
import { appUnderTest, type AppUnderTest } from "../support/app-under-test";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { withCpuLoad } from "../support/cpu-load";

// Two busy CPU-bound processes beside the suite, as on a loaded production box.
withCpuLoad();

const SHOP = "faulty.myshopify.com";
const DAY = 86_400_000;
// One Admin API call in five fails: half answered 503, half never answered (the client gives up after TIMEOUT_MS).
const FAULTS = { errorRate: 0.1, timeoutRate: 0.1, seed: 5 };
const TIMEOUT_MS = 1500;

/** What a job runner does with a failing job: run it again until it succeeds (each run resumes where the last stopped). */
async function untilItSucceeds(
  what: string,
  attempt: () => Promise<unknown>,
  failures: string[],
  max = 30,
): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await attempt();
      return;
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      if (i >= max) throw error;
    }
  }
}

/**
 * What the runners do with the inbox: a delivery or tag write that failed waits out its backoff and is taken again.
 * Here time "passes" by making every backed-off one due again, and a second goes by for the rate-limit bucket,
 * until nothing is left to apply or send.
 */
async function untilInboxDone(
  testDb: TestDb,
  pass: () => Promise<unknown>,
  failures: string[],
  max = 30,
): Promise<void> {
  for (let i = 1; ; i++) {
    await pass();
    const waiting = await testDb.db.webhookDelivery.count({
      where: { shop: SHOP, processedAt: null, parkedAt: null },
    });
    const tagsDue = await testDb.db.customer.count({ where: { shop: SHOP, tagWriteDueAt: { not: null } } });
    if (waiting === 0 && tagsDue === 0) return;
    failures.push(`inbox pass ${i}: ${waiting} deliveries and ${tagsDue} tag writes waiting out a backoff`);
    if (i >= max) {
      const left = await testDb.db.webhookDelivery.findMany({
        where: { shop: SHOP, processedAt: null, parkedAt: null },
        select: { topic: true, attempts: true, lastError: true, nextAttemptAt: true },
        take: 5,
      });
      throw new Error(`the inbox did not converge in ${max} passes: ${failures.at(-1)} ${JSON.stringify(left)}`);
    }
    const now = new Date();
    await testDb.db.webhookDelivery.updateMany({
      where: { shop: SHOP, processedAt: null, parkedAt: null },
      data: { nextAttemptAt: null },
    });
    await testDb.db.customer.updateMany({
      where: { shop: SHOP, tagWriteDueAt: { not: null } },
      data: { tagWriteDueAt: now },
    });
    await testDb.db.shop.updateMany({ where: { domain: SHOP }, data: { shopifyWorkDueAt: now } });
    // Re-reads wait for the rate-limit bucket to refill (Shopify-bound work never waits inside a pass), as a runner does.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describeEachDatabase("the dev store failing 20% of Admin API calls", (database) => {
  let devStore: DevStore;
  let testDb: TestDb;
  let app: AppUnderTest;

  beforeAll(async () => {
    devStore = await startDevStore({ port: 0, apiKey: "faults-key", apiSecret: "faults-secret", bulkDelayMs: 10 });
    devStore.webhooks.mode = "record";
    devStore.seedGenerated(SHOP, { customers: 250, orders: 1200, seed: 3, end: new Date() });
    testDb = await database.create();
    app = appUnderTest(testDb.db, devStore, { timeoutMs: TIMEOUT_MS });
    await app.install(SHOP);
  }, 900_000);

  afterAll(async () => {
    devStore?.faults.clear();
    await testDb?.close();
    await devStore?.close();
  });

  it("backfill, then a stream of webhooks, then the daily job: the sync converges to exactly the model's stages and tags", async () => {
    devStore.faults.set(FAULTS);
    const failures: string[] = [];
    const client = app.deps.clientFor(SHOP);
    const writer = shopifyWriter(testDb.db, SHOP, client);

    await untilItSucceeds(
      "backfill",
      () => runBackfill({ db: testDb.db, shop: SHOP, client, writer, now: () => new Date(), pollIntervalMs: 20 }),
      failures,
    );

    // Life goes on in the store: new customers and orders, cancellations, refunds, consent changes.
    const state = devStore.shops.get(SHOP)!;
    const known = [...state.customers.values()].slice(0, 60);
    for (let i = 0; i < 40; i++) {
      const customer = i % 4 === 0 ? devStore.createCustomer(SHOP, { email: `new${i}@example.com` }) : known[i];
      const order = devStore.createOrder(SHOP, {
        customerId: customer.id,
        createdAt: Date.now() - (i % 7) * 40 * DAY,
        total: 30 + i,
      });
      if (i % 9 === 0) devStore.cancelOrder(SHOP, order.id);
      if (i % 11 === 0) devStore.refundOrder(SHOP, order.id, { full: true });
      if (i % 5 === 0) devStore.setEmailMarketingState(customer.id, i % 10 === 0 ? "SUBSCRIBED" : "UNSUBSCRIBED");
    }
    await app.receive(
      devStore.webhooks.recorded().filter((d) => (SUBSCRIBED_TOPICS as readonly string[]).includes(d.topic)),
    );
    devStore.webhooks.clear();
    await untilInboxDone(testDb, () => app.processInbox(), failures);
    const now = new Date();
    await untilItSucceeds("daily", () => runDailyEvaluation(testDb.db, SHOP, now, writer), failures);
    devStore.faults.clear();

    // The faults did happen, and were absorbed.
    const stats = devStore.stats(SHOP);
    expect(stats.requests).toBeGreaterThan(50);
    expect((client as unknown as { stats: { retries: number } }).stats.retries).toBeGreaterThan(5);

    const inbox = await testDb.db.webhookDelivery.findMany({ where: { shop: SHOP } });
    expect(inbox.filter((d) => d.processedAt === null)).toEqual([]);
    const expected = expectedByModel(state, now.getTime());
    const customers = await testDb.db.customer.findMany({
      where: { shop: SHOP, deletedAt: null },
      select: { gid: true, stage: true, tagError: true },
    });
    expect(customers).toHaveLength(state.customers.size);
    expect(customers.filter((c) => c.stage !== expected.get(c.gid)?.stage)).toEqual([]);
    expect(customers.filter((c) => c.tagError !== null)).toEqual([]);
    const wrongTags = [...state.customers.values()].filter(
      (c) => appTagsOf(c.tags).join() !== modelTags(expected.get(`gid://shopify/Customer/${c.id}`)!).join(),
    );
    expect(wrongTags.map((c) => c.id)).toEqual([]);
    console.log(
      `[admin-faults ${database.kind}] ${stats.requests} Admin API requests, ${
        (client as unknown as { stats: { retries: number } }).stats.retries
      } retried by the client, ` + `${failures.length} job run(s) failed and were run again`,
    );
  }, 600_000);
});
