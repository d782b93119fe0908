import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildDeliveryHeaders, startDevStore, type DevStore, type WebhookDelivery } from "../devstore/server";
import { freePort } from "../demo/harness";
import { appUnderTest } from "../support/app-under-test";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { startWebApp, waitFor, type Child } from "./processes";
import { withCpuLoad } from "../support/cpu-load";

// Two busy CPU-bound processes beside the suite, as on a loaded production box.
withCpuLoad();

const SHOP = "kill-web.myshopify.com";
const KEY = "kill-web-key";
const SECRET = "kill-web-secret";
const IN_FLIGHT = 16;
const DAY = 86_400_000;

describeEachDatabase("kill -9 of the web process while webhooks arrive", (database) => {
  let devStore: DevStore;
  let testDb: TestDb;
  let deliveries: WebhookDelivery[];
  const children: Child[] = [];

  beforeAll(async () => {
    devStore = await startDevStore({ port: 0, apiKey: KEY, apiSecret: SECRET });
    devStore.webhooks.mode = "record";
    devStore.addShop(SHOP);
    const customers = Array.from({ length: 100 }, (_, i) =>
      devStore.createCustomer(SHOP, { email: `w${i}@example.com` }),
    );
    for (let i = 0; i < 1500; i++)
      devStore.createOrder(SHOP, {
        customerId: customers[i % 100].id,
        createdAt: Date.now() - (i % 400) * DAY,
        total: 12,
      });
    deliveries = devStore.webhooks.recorded().filter((d) => d.topic === "orders/create");
    testDb = await database.create();
    // The app stores deliveries only for shops that installed it (the Shop row install writes).
    await testDb.db.shop.create({ data: { domain: SHOP } });
  }, 900_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await testDb?.close();
    await devStore?.close();
  });

  /** Posts one delivery as Shopify does (a new webhook id per attempt, the same event id); true when answered 200. */
  async function post(url: string, d: WebhookDelivery): Promise<boolean> {
    try {
      const headers = buildDeliveryHeaders({
        topic: d.topic,
        shop: d.shop,
        body: d.body,
        secret: SECRET,
        webhookId: crypto.randomUUID(),
        eventId: d.eventId,
        triggeredAt: d.triggeredAt,
      });
      const response = await fetch(`${url}/webhooks/${d.topic}`, {
        method: "POST",
        headers,
        body: d.body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false; // reset, refused or timed out: Shopify would retry
    }
  }

  /** Sends the list IN_FLIGHT at a time until told to stop; returns the event ids answered 200. */
  async function send(
    url: string,
    list: readonly WebhookDelivery[],
    stopWhen: () => boolean = () => false,
  ): Promise<Set<string>> {
    const acknowledged = new Set<string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < list.length && !stopWhen()) {
          const d = list[next++];
          if (await post(url, d)) acknowledged.add(d.eventId);
        }
      }),
    );
    return acknowledged;
  }

  it("no acknowledged delivery is lost, none is stored twice or half, and all are processed", async () => {
    const port = await freePort();
    const env = { DATABASE_URL: testDb.url, SHOPIFY_API_KEY: KEY, SHOPIFY_API_SECRET: SECRET };
    const acknowledged = new Set<string>();
    const kills: number[] = [];

    // Two crashes while deliveries are in flight; after each, the app comes back on the same address.
    let remaining = [...deliveries];
    for (let crash = 0; crash < 2; crash++) {
      const web = await startWebApp(env, { port });
      children.push(web);
      let answered = 0;
      const sending = send(web.url, remaining, () => web.process.exitCode !== null || web.process.signalCode !== null);
      await waitFor(
        "some deliveries to be acknowledged",
        async () => (answered = await testDb.db.webhookDelivery.count()) >= (crash + 1) * 300,
        120_000,
        5,
      );
      await web.killHard();
      kills.push(answered);
      for (const id of await sending) acknowledged.add(id);
      remaining = remaining.filter((d) => !acknowledged.has(d.eventId));
    }
    expect(remaining.length, "the crashes happened before everything was sent").toBeGreaterThan(0);

    // Shopify retries what was not acknowledged, and redelivers some that were.
    const web = await startWebApp(env, { port });
    children.push(web);
    const redelivered = deliveries.filter((d) => acknowledged.has(d.eventId)).slice(0, 100);
    const retried = await send(web.url, [...remaining, ...redelivered]);
    expect(retried.size).toBe(remaining.length + redelivered.length);
    await web.stop();

    const inbox = await testDb.db.webhookDelivery.findMany({ where: { shop: SHOP } });
    expect(inbox).toHaveLength(deliveries.length);
    const sent = new Map(deliveries.map((d) => [d.eventId, d.body]));
    expect(inbox.filter((row) => sent.get(row.eventId) !== row.payload).map((row) => row.eventId)).toEqual([]);

    const app = appUnderTest(testDb.db, devStore);
    await app.install(SHOP);
    await app.processInbox();
    const processed = await testDb.db.webhookDelivery.findMany({ where: { shop: SHOP } });
    expect(processed.filter((row) => row.processedAt === null || row.attempts > 0)).toEqual([]);
    expect(await testDb.db.order.count({ where: { shop: SHOP } })).toBe(deliveries.length);
    console.log(
      `[kill-web ${database.kind}] ${deliveries.length} deliveries; killed with ${kills.join(" and ")} stored; ${remaining.length} retried, ${redelivered.length} redelivered`,
    );
  }, 300_000);
});
