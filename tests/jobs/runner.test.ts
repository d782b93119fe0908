import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createThreadExecutor } from "../../app/jobs/executor.server";
import { insertJob } from "../../app/queue/job-table.server";
import { MAX_JOB_ATTEMPTS, type JobName, type Worker } from "../../app/queue/kinds";
import { listParkedJobs, retryParkedJob } from "../../app/queue/queue.server";
import { startTableRunner, type TableRunnerOptions } from "../../app/jobs/worker.server";
import { startDevStore, type DevStore, type WebhookDelivery } from "../devstore/server";
import { appUnderTest, type AppUnderTest } from "../support/app-under-test";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/app-env";
import { createTestDb, type TestDb } from "../support/test-db";
import { waitFor } from "../faults/processes";

const MISBEHAVING_RUNTIME = path.join(import.meta.dirname, "fixtures/misbehaving-runtime.ts");
const A = "runner-a.myshopify.com";
const B = "runner-b.myshopify.com";
const C = "runner-c.myshopify.com";
const D = "runner-d.myshopify.com";
const DAY = 86_400_000;

describe("the SQLite job runner: jobs in threads, stopped, counted and parked; one shop never holds another", () => {
  let devStore: DevStore;
  let testDb: TestDb;
  let app: AppUnderTest;
  let deliveriesOfB: WebhookDelivery[];
  const runners: Worker[] = [];

  beforeAll(async () => {
    devStore = await startDevStore({
      port: 0,
      apiKey: TEST_API_KEY,
      apiSecret: TEST_API_SECRET,
      bucket: { maximumAvailable: 1_000_000, restoreRate: 100_000 },
    });
    testDb = createTestDb();
    app = appUnderTest(testDb.db, devStore);
    for (const shop of [A, B, C, D]) await app.install(shop);
    devStore.webhooks.mode = "record";
    const customers = Array.from({ length: 20 }, (_, i) => devStore.createCustomer(B, { email: `b${i}@example.com` }));
    for (let i = 0; i < 120; i++)
      devStore.createOrder(B, {
        customerId: customers[i % 20].id,
        createdAt: Date.now() - (i % 300) * DAY,
        total: "20.00",
      });
    deliveriesOfB = devStore.webhooks
      .recorded()
      .filter((d) => d.shop === B && (d.topic === "orders/create" || d.topic === "customers/create"));
    devStore.webhooks.clear();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });

  afterAll(async () => {
    await testDb?.close();
    await devStore?.close();
  });

  function start(options: Partial<TableRunnerOptions> & { stallMs?: number } = {}): Worker {
    const lanes = options.lanes ?? 2;
    const executor = createThreadExecutor({
      size: lanes,
      runtimeModule: MISBEHAVING_RUNTIME,
      stallMs: options.stallMs,
      env: { ...process.env, DATABASE_URL: testDb.url, SHOPIFY_ADMIN_API_ORIGIN: devStore.origin },
    });
    const runner = startTableRunner({
      db: testDb.db,
      executor,
      lanes,
      idleMs: 100,
      retryBaseSeconds: 0.25,
      stopGraceMs: 500,
      log: () => undefined,
      ...options,
    });
    runners.push(runner);
    return runner;
  }

  const enqueue = (name: JobName, shop: string, data: Record<string, unknown>) =>
    insertJob(testDb.db, name, data, { shop });
  const job = (shop: string, name: JobName) =>
    testDb.db.job.findFirstOrThrow({ where: { shop, name }, orderBy: { id: "desc" } });
  const ran = (shop: string) => testDb.db.shopSegment.count({ where: { shop, stage: "ran" } });

  it("a job that never finishes holds one lane: another shop's webhooks and jobs are all applied meanwhile", async () => {
    await enqueue("reclassify", A, { misbehave: "never" });
    start({ lanes: 2 });
    await waitFor("shop A's job to start", async () => (await job(A, "reclassify")).lockedAt !== null, 60_000);

    await app.receive(deliveriesOfB);
    await enqueue("reclassify", B, {});
    await enqueue("segments", B, { misbehave: "mark" });
    await waitFor(
      "shop B's inbox and jobs",
      async () =>
        (await testDb.db.webhookDelivery.count({ where: { shop: B, processedAt: null } })) === 0 &&
        // A job B's new orders queued minutes ahead (their journeys' read, once Shopify has them) is not due yet.
        (await testDb.db.job.count({ where: { shop: B, doneAt: null, runAt: { lte: new Date() } } })) === 0,
      180_000,
      100,
    );

    // B's facts are all in, classified (the real pipeline ran in the threads), and nothing of B failed.
    const state = devStore.shops.get(B)!;
    expect(await testDb.db.order.count({ where: { shop: B } })).toBe(state.orders.size);
    expect(await testDb.db.customer.count({ where: { shop: B, stage: { not: null } } })).toBe(state.customers.size);
    expect(await testDb.db.webhookDelivery.count({ where: { shop: B, attempts: { gt: 0 } } })).toBe(0);
    expect((await job(B, "reclassify")).lastError).toBeNull();
    expect(await ran(B)).toBe(1);
    // A's job is still on its first attempt, running: it delayed nobody.
    expect(await job(A, "reclassify")).toMatchObject({ attempts: 1, doneAt: null, failedAt: null });
    expect((await job(A, "reclassify")).lockedAt).not.toBeNull();

    // Shutting down gives the job back without counting the attempt (not the job's failure).
    await runners.pop()!.stop();
    expect(await job(A, "reclassify")).toMatchObject({ attempts: 0, lockedAt: null, doneAt: null, failedAt: null });
    await testDb.db.job.deleteMany();
  }, 300_000);

  it("a job stuck in a loop is stopped, counted and parked after its attempts, and a new runner does not take it again", async () => {
    await enqueue("reclassify", A, { misbehave: "loop" });
    await enqueue("segments", B, { misbehave: "mark" });
    start({ lanes: 2, stallMs: 1500 });
    // Each stopped attempt costs a fresh thread, which loads the app again: many seconds on a loaded machine.
    const parked = await waitFor(
      "the looping job to be parked",
      async () => {
        const row = await job(A, "reclassify");
        return row.failedAt ? row : null;
      },
      600_000,
      100,
    );
    expect(parked.attempts).toBe(MAX_JOB_ATTEMPTS);
    expect(parked.lastError).toMatch(/blocked for more than \d+ s/);
    expect(await ran(B)).toBeGreaterThanOrEqual(1);
    expect(await listParkedJobs(testDb.db, A)).toMatchObject({ total: 1, jobs: [{ name: "reclassify", attempts: 5 }] });

    // A restart: the parked job stays parked; the shop's other work runs.
    await runners.pop()!.stop();
    const restarted = start({ lanes: 2, stallMs: 1500 });
    await enqueue("segments", A, { misbehave: "mark" });
    await restarted.drain();
    expect(await ran(A)).toBe(1);
    expect(await job(A, "reclassify")).toMatchObject({
      attempts: MAX_JOB_ATTEMPTS,
      failedAt: parked.failedAt,
      lockedAt: null,
    });
    await testDb.db.job.deleteMany();
    await testDb.db.shopSegment.deleteMany({ where: { stage: "ran" } });
  }, 900_000);

  it("a crash, a failure, Shopify's refusal and a deadline each count; after the last attempt each is parked with its reason and kind, and Retry runs it again", async () => {
    await enqueue("reclassify", A, { misbehave: "crash" });
    await enqueue("reclassify", B, { misbehave: "throw" });
    await enqueue("reclassify", C, { misbehave: "never" });
    await enqueue("reclassify", D, { misbehave: "denied" });
    start({ lanes: 4, deadlineSeconds: { reclassify: 5 } });
    await waitFor(
      "all four jobs to be parked",
      async () => (await testDb.db.job.count({ where: { failedAt: { not: null } } })) === 4,
      600_000,
      100,
    );

    const parked = Object.fromEntries(
      await Promise.all([A, B, C, D].map(async (shop) => [shop, await job(shop, "reclassify")])),
    );
    expect(parked[A].lastError).toMatch(/thread (crashed|exited)/);
    expect(parked[B].lastError).toBe("told to fail");
    expect(parked[C].lastError).toMatch(/ran past its limit of 5 s/);
    expect(parked[D].lastError).toBe("ShopQuery: HTTP 401");
    // The kind the card words it by: told apart by class in the thread, carried across to the table.
    expect([A, B, C, D].map((shop) => parked[shop].errorKind)).toEqual(["stopped", "other", "stopped", "access"]);
    for (const shop of [A, B, C, D]) expect(parked[shop].attempts).toBe(MAX_JOB_ATTEMPTS);

    // The cause is gone (here: the payload no longer misbehaves); the merchant presses Retry.
    const parkedOfB = await job(B, "reclassify");
    await testDb.db.job.update({ where: { id: parkedOfB.id }, data: { data: JSON.stringify({ misbehave: "mark" }) } });
    expect(await retryParkedJob(testDb.db, A, String(parkedOfB.id))).toBe(false);
    expect(await retryParkedJob(testDb.db, B, String(parkedOfB.id))).toBe(true);
    await waitFor("the retried job to finish", async () => (await job(B, "reclassify")).doneAt !== null, 120_000, 100);
    expect(await ran(B)).toBe(1);
    expect(await listParkedJobs(testDb.db, B)).toEqual({ total: 0, jobs: [] });
    expect((await listParkedJobs(testDb.db, A)).total).toBe(1);
  }, 900_000);
});
