import { afterAll, beforeAll, expect, it } from "vitest";
import { startDevStore, type DevStore, type WebhookDelivery } from "../devstore/server";
import { appTagsOf, expectedByModel, modelTags } from "../sync/support";
import { runDailyEvaluation } from "../../app/sync/daily.server";
import { shopifyWriter } from "../../app/sync/shopify-writer.server";
import { appUnderTest, type AppUnderTest } from "../support/app-under-test";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { spawnWorker, waitFor, type Child } from "./processes";
import { withCpuLoad } from "../support/cpu-load";

// Two busy CPU-bound processes beside the suite, as on a loaded production box.
withCpuLoad();

const SHOP = "kill-worker.myshopify.com";
const KEY = "kill-worker-key";
const SECRET = "kill-worker-secret";
const DAY = 86_400_000;
const KILLS = 3;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describeEachDatabase("kill -9 of a worker in the middle of a batch", (database) => {
  let devStore: DevStore;
  let testDb: TestDb;
  let deliveries: WebhookDelivery[];
  let app: AppUnderTest;
  const children: Child[] = [];

  beforeAll(async () => {
    // A generous rate limit: this test is about crashes, not about waiting for the bucket.
    devStore = await startDevStore({
      port: 0,
      apiKey: KEY,
      apiSecret: SECRET,
      bucket: { maximumAvailable: 1_000_000, restoreRate: 100_000 },
    });
    devStore.webhooks.mode = "record";
    testDb = await database.create();
    app = appUnderTest(testDb.db, devStore);
    await app.install(SHOP);
    const random = rng(11);
    const customers = Array.from({ length: 200 }, (_, i) =>
      devStore.createCustomer(SHOP, { email: `k${i}@example.com` }),
    );
    for (const [i, customer] of customers.entries())
      devStore.setEmailMarketingState(customer.id, i % 3 === 0 ? "SUBSCRIBED" : "UNSUBSCRIBED");
    for (let i = 0; i < 1400; i++) {
      const customer = customers[Math.floor(random() * customers.length)];
      devStore.createOrder(SHOP, {
        customerId: customer.id,
        createdAt: Date.now() - Math.floor(random() * 500) * DAY,
        total: (5 + random() * 100).toFixed(2),
      });
    }
    // Topics whose payload carries the facts, so that every batch writes new ones (customers first, by their consent):
    // the test can see a batch in progress. Re-fetching topics are covered by the inbox tests.
    const topics = ["customers_email_marketing_consent/update", "orders/create"];
    deliveries = devStore.webhooks.recorded().filter((d) => topics.includes(d.topic));
    devStore.webhooks.clear();
    await app.receive(deliveries);
  }, 900_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await testDb?.close();
    await devStore?.close();
  });

  async function progress() {
    const [processed, orders, changes] = await Promise.all([
      testDb.db.webhookDelivery.count({ where: { processedAt: { not: null } } }),
      testDb.db.order.count(),
      testDb.db.stageChange.count(),
    ]);
    return { processed, orders, changes };
  }

  it("every delivery ends up applied once in effect: facts, stages, tags and Flow triggers neither lost nor repeated", async () => {
    const env = {
      DATABASE_URL: testDb.url,
      SHOPIFY_API_KEY: KEY,
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_ADMIN_API_ORIGIN: devStore.origin,
      LOG_ADMIN_COST: process.env.FAULTS_VERBOSE,
      // Many batches, so each worker can finish one of its own and be killed in the middle of the next.
      LIFECYCLE_INBOX_BATCH: "100",
    };
    const killedAt: Array<{ processed: number; orders: number; changes: number }> = [];
    for (let round = 0; round < KILLS; round++) {
      const worker = spawnWorker(env);
      children.push(worker);
      // Mid-batch: the worker has written facts or stages for deliveries it has not marked processed yet. The first
      // kill lands in the first batch; the later ones after this worker has finished a batch of its own.
      const start = await progress();
      let marked = start;
      await waitFor(
        `worker ${round + 1} to be in the middle of a batch`,
        async () => {
          const now = await progress();
          if (now.processed !== marked.processed) {
            marked = now;
            return false;
          }
          if (round > 0 && marked.processed === start.processed) return false;
          return now.orders !== marked.orders || now.changes !== marked.changes ? now : false;
        },
        180_000,
        5,
      );
      await worker.killHard();
      killedAt.push(await progress());
    }
    expect(killedAt.at(-1)!.processed, "the kills all came before the end").toBeLessThan(deliveries.length);

    const last = spawnWorker(env);
    children.push(last);
    await waitFor(
      "the last worker to finish the inbox and the Flow triggers",
      async () => {
        const pending = await testDb.db.webhookDelivery.count({ where: { processedAt: null } });
        const unsent = await testDb.db.stageChange.count({ where: { flowStatus: "pending" } });
        return pending === 0 && unsent === 0;
      },
      300_000,
      200,
    );
    await last.stop();

    // Nothing lost: every delivery applied, each stored once, none given up on.
    const inbox = await testDb.db.webhookDelivery.findMany();
    expect(inbox).toHaveLength(new Set(deliveries.map((d) => d.eventId)).size);
    expect(inbox.filter((d) => d.processedAt === null || d.attempts > 0)).toEqual([]);

    // The stored facts and stages are what the model says of the store as it is, once the daily job has brought the
    // shop's gap threshold Q up to date (the inbox re-classifies with the Q of the last full run, by design).
    const now = new Date();
    await runDailyEvaluation(testDb.db, SHOP, now, shopifyWriter(testDb.db, SHOP, app.deps.clientFor(SHOP)));
    const state = devStore.shops.get(SHOP)!;
    const expected = expectedByModel(state, now.getTime());
    const orders = await testDb.db.order.findMany({ where: { shop: SHOP, deletedAt: null }, select: { gid: true } });
    expect(orders.map((o) => o.gid).sort()).toEqual(
      [...state.orders.keys()].map((id) => `gid://shopify/Order/${id}`).sort(),
    );
    const customers = await testDb.db.customer.findMany({ where: { shop: SHOP }, select: { gid: true, stage: true } });
    expect(customers).toHaveLength(state.customers.size);
    expect(customers.filter((c) => c.stage !== expected.get(c.gid)?.stage)).toEqual([]);
    for (const customer of state.customers.values()) {
      expect(appTagsOf(customer.tags)).toEqual(modelTags(expected.get(`gid://shopify/Customer/${customer.id}`)!));
    }

    // Nothing done twice: each customer's history is one unbroken chain (a change applied twice would start from a
    // stage the customer had already left), and every change was sent to Flow. A trigger whose send completed just
    // before a kill, but whose "sent" mark did not, is sent again: at most one such per kill.
    const changes = await testDb.db.stageChange.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
    const broken: string[] = [];
    const stageOf = new Map<string, { stage: string; tier: number | null }>();
    for (const c of changes) {
      const before = stageOf.get(c.customerGid) ?? null;
      if (
        (before?.stage ?? null) !== c.fromStage ||
        (before && before.stage === c.toStage && before.tier === c.winbackTier)
      ) {
        broken.push(`${c.customerGid}: ${before?.stage ?? "none"} then ${c.fromStage} -> ${c.toStage} (#${c.id})`);
      }
      stageOf.set(c.customerGid, { stage: c.toStage, tier: c.winbackTier });
    }
    expect(broken).toEqual([]);
    expect(changes.every((c) => c.flowStatus === "sent")).toBe(true);
    const triggers = devStore.flowTriggers.filter((t) => t.shop === SHOP);
    expect(triggers.length).toBeGreaterThanOrEqual(changes.length);
    expect(triggers.length - changes.length).toBeLessThanOrEqual(KILLS);
    console.log(
      `[kill-worker ${database.kind}] ${deliveries.length} deliveries, killed at ${JSON.stringify(killedAt)}; ` +
        `${changes.length} stage changes, ${triggers.length - changes.length} Flow trigger(s) repeated`,
    );
  }, 600_000);
});
