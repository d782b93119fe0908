import { afterAll, beforeAll, expect, it } from "vitest";
import { runDailyEvaluation } from "../../app/sync/daily.server";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { appUnderTest } from "../support/app-under-test";
import { startDevStore, type DevStore } from "../devstore/server";
import { expectedByModel } from "./support";
import type { WebhookDelivery } from "../devstore/webhooks";
import { withCpuLoad } from "../support/cpu-load";

// Two busy CPU-bound processes beside the suite, as on a loaded production box.
withCpuLoad();

const SHOP = "inbox-convergence.myshopify.com";
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
let clockMs = START;
// Each store event one second after the previous: Shopify's updated_at orders them.
const clock = () => (clockMs += 1000);

let devStore: DevStore;
let deliveries: WebhookDelivery[] = [];
/** The instant both runs classify at: a day after the last store event. */
let evaluatedAt = 0;

/** A deterministic generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

beforeAll(async () => {
  // A generous rate limit: this test is about convergence; the two runs re-read customers and write tags.
  devStore = await startDevStore({
    port: 0,
    apiKey: "inbox-key",
    apiSecret: "inbox-secret",
    clock,
    bucket: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 },
  });
  devStore.addShop(SHOP);
  devStore.webhooks.mode = "record";
  const random = rng(42);
  const customers = Array.from({ length: 400 }, (_, i) =>
    devStore.createCustomer(SHOP, {
      email: `c${i}@example.com`,
      emailMarketingState: random() < 0.3 ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
    }),
  );
  const orders: number[] = [];
  while (devStore.webhooks.recorded().length < 9_000) {
    const roll = random();
    const customer = customers[Math.floor(random() * customers.length)];
    if (roll < 0.55 || orders.length === 0) {
      const order = devStore.createOrder(SHOP, {
        customerId: customer.id,
        createdAt: START - Math.floor(random() * 700) * DAY,
        total: (5 + random() * 200).toFixed(2),
      });
      orders.push(order.id);
    } else if (roll < 0.65) {
      devStore.cancelOrder(SHOP, orders[Math.floor(random() * orders.length)]);
    } else if (roll < 0.72) {
      devStore.refundOrder(SHOP, orders[Math.floor(random() * orders.length)], { full: random() < 0.5 });
    } else if (roll < 0.9) {
      devStore.setEmailMarketingState(customer.id, random() < 0.5 ? "SUBSCRIBED" : "UNSUBSCRIBED");
    } else if (roll < 0.93) {
      const id = orders.splice(Math.floor(random() * orders.length), 1)[0];
      devStore.deleteOrder(SHOP, id);
    } else {
      devStore.updateCustomer(customer.id, { note: `note ${roll}` });
    }
  }
  deliveries = devStore.webhooks.recorded().filter((d) => d.shop === SHOP);
  evaluatedAt = clockMs + DAY;
}, 900_000);

afterAll(async () => {
  await devStore?.close();
});

/** Stores the deliveries as the webhook route would and runs the app's own inbox processor until it is empty. */
async function ingest(testDb: TestDb, list: readonly WebhookDelivery[]) {
  const app = appUnderTest(testDb.db, devStore);
  await app.install(SHOP);
  await app.receive(list);
  await app.processInbox(new Date(evaluatedAt));
  const failed = await testDb.db.webhookDelivery.findMany({
    where: { OR: [{ attempts: { gt: 0 } }, { processedAt: null }] },
    select: { topic: true, lastError: true },
  });
  expect(failed).toEqual([]);
}

async function snapshot(testDb: TestDb) {
  const customers = await testDb.db.customer.findMany({
    where: { shop: SHOP },
    orderBy: { gid: "asc" },
    select: {
      gid: true,
      stage: true,
      winbackTier: true,
      emailMarketingState: true,
      qualifyingOrders: true,
      netSpentMinor: true,
      deletedAt: true,
    },
  });
  const orders = await testDb.db.order.findMany({
    where: { shop: SHOP },
    orderBy: { gid: "asc" },
    select: {
      gid: true,
      customerGid: true,
      totalMinor: true,
      refundedMinor: true,
      cancelled: true,
      fullyRefunded: true,
      deletedAt: true,
    },
  });
  // A deleted row is a tombstone: only that it is deleted matters, not what it held before (a delete that
  // arrives before the create leaves an empty tombstone).
  return {
    customers: customers.map((c) =>
      c.deletedAt ? { gid: c.gid, deleted: true } : { ...c, deletedAt: undefined, deleted: false },
    ),
    orders: orders.map((o) =>
      o.deletedAt ? { gid: o.gid, deleted: true } : { ...o, deletedAt: undefined, deleted: false },
    ),
  };
}

function shuffledWithDuplicates(
  list: readonly WebhookDelivery[],
  duplicateShare: number,
  seed: number,
): WebhookDelivery[] {
  const random = rng(seed);
  const out = [...list, ...list.filter(() => random() < duplicateShare)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describeEachDatabase("webhook inbox", (database) => {
  it("10,000 deliveries with 10% duplicates in shuffled order end in the same state as in order, each event processed once", async () => {
    const ordered = await database.create();
    const shuffled = await database.create();
    try {
      await ingest(ordered, deliveries);
      const chaos = shuffledWithDuplicates(deliveries, 0.1, 7);
      expect(chaos.length).toBeGreaterThanOrEqual(9_800);
      await ingest(shuffled, chaos);

      // The facts converge as soon as the inbox is drained...
      const facts = (snap: Awaited<ReturnType<typeof snapshot>>) => ({
        orders: snap.orders,
        customers: snap.customers.map((c) => ("stage" in c ? { ...c, stage: undefined, winbackTier: undefined } : c)),
      });
      expect(facts(await snapshot(shuffled))).toEqual(facts(await snapshot(ordered)));
      // ...and the stages once both runs share the shop threshold Q, a per-run statistic the daily job refreshes
      // (between two daily runs, webhook-driven re-classification uses the Q of the last run).
      await runDailyEvaluation(ordered.db, SHOP, new Date(evaluatedAt), null);
      await runDailyEvaluation(shuffled.db, SHOP, new Date(evaluatedAt), null);
      const a = await snapshot(ordered);
      const b = await snapshot(shuffled);
      expect(b).toEqual(a);

      // Each event stored and processed exactly once, whatever the duplicates.
      const uniqueEvents = new Set(deliveries.map((d) => d.eventId)).size;
      expect(await shuffled.db.webhookDelivery.count()).toBe(uniqueEvents);
      expect(await shuffled.db.webhookDelivery.count({ where: { processedAt: null } })).toBe(0);

      // And the converged state is what the model says about the store as it is now.
      const expected = expectedByModel(devStore.shops.get(SHOP)!, evaluatedAt);
      const live = a.customers.filter((c) => !c.deleted) as Array<{ gid: string; stage: string | null }>;
      expect(live.length).toBe(expected.size);
      expect(live.filter((c) => c.stage !== expected.get(c.gid)?.stage)).toEqual([]);
    } finally {
      await ordered.close();
      await shuffled.close();
    }
  }, 1_800_000);
});
