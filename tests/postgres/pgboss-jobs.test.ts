import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueueJob, listParkedJobs, retryParkedJob } from "../../app/queue/queue.server";
import { startPgBossWorker } from "../../app/jobs/pgboss.server";
import { stopPgBossQueues, SHOP_QUEUE } from "../../app/queue/pgboss-queue.server";
import { jobHandlers, jobRuntime, type HandlerDeps } from "../../app/jobs/handlers.server";
import { createThreadExecutor, inProcessExecutor } from "../../app/jobs/executor.server";
import { MAX_JOB_ATTEMPTS } from "../../app/queue/kinds";
import { waitFor } from "../faults/processes";
import { scheduleDailyEvaluations } from "../../app/sync/daily-schedule.server";
import type { JobHandler, JobName, Worker } from "../../app/queue/kinds";
import { recordDelivery } from "../../app/models/inbox.server";
import { AdminClient } from "../../app/shopify/admin-client.server";
import { createDatabase, stopPostgresCluster, type TestDb } from "../support/databases";
import { postgresSkipReason } from "../support/postgres";
import { startDevStore, type DevStore } from "../devstore/server";
import path from "node:path";

const MISBEHAVING_RUNTIME = path.join(import.meta.dirname, "../jobs/fixtures/misbehaving-runtime.ts");

const SHOPS = ["boss-a.myshopify.com", "boss-b.myshopify.com", "boss-c.myshopify.com"];

interface Run {
  kind: string;
  shop: string;
  worker: number;
  start: number;
  end: number;
  data: Record<string, unknown>;
}

const noClient = (): never => {
  throw new Error("these handlers call no Admin API");
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Handlers that only record when they ran, where, for which shop. */
function recordingHandlers(runs: Run[], worker: number, workMs: number): Record<JobName, JobHandler> {
  const record =
    (kind: string): JobHandler =>
    async (_ctx, job) => {
      const start = performance.now();
      await sleep(workMs);
      runs.push({ kind, shop: job.shop!, worker, start, end: performance.now(), data: job.data });
    };
  return {
    backfill: record("backfill"),
    daily: record("daily"),
    reclassify: record("reclassify"),
    segments: record("segments"),
    campaigns: record("campaigns"),
  };
}

describe.skipIf(postgresSkipReason() !== null)(
  `pg-boss runner${postgresSkipReason() ? ` [${postgresSkipReason()}]` : ""}`,
  () => {
    let testDb: TestDb;
    const workers: Worker[] = [];

    beforeAll(async () => {
      testDb = await createDatabase("postgres");
      for (const domain of SHOPS) await testDb.db.shop.create({ data: { domain } });
    });

    afterAll(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await stopPgBossQueues();
      await testDb?.close();
      await stopPostgresCluster();
    });

    async function startWorkers(count: number, make: (index: number) => Parameters<typeof startPgBossWorker>[0]) {
      const started = await Promise.all(Array.from({ length: count }, (_, i) => startPgBossWorker(make(i))));
      workers.push(...started);
      return started;
    }

    async function stopAll() {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    }

    // A test that fails before its own stopAll() must not leave workers running into the next test.
    afterEach(stopAll);

    it("enqueueJob on PostgreSQL goes to pg-boss; a waiting job with the same key is not queued twice", async () => {
      expect(
        await enqueueJob(testDb.db, "backfill", {}, { shop: SHOPS[0], singletonKey: `backfill:${SHOPS[0]}` }),
      ).toBe(true);
      expect(
        await enqueueJob(testDb.db, "backfill", {}, { shop: SHOPS[0], singletonKey: `backfill:${SHOPS[0]}` }),
      ).toBe(false);
      // Jobs without a key are never merged (two settings changes are two re-classifications).
      expect(await enqueueJob(testDb.db, "reclassify", { retiredPrefix: "a:" }, { shop: SHOPS[0] })).toBe(true);
      expect(await enqueueJob(testDb.db, "reclassify", { retiredPrefix: "b:" }, { shop: SHOPS[0] })).toBe(true);
      // The Job table of the in-process runner is not used on PostgreSQL.
      expect(await testDb.db.job.count()).toBe(0);

      const runs: Run[] = [];
      const [worker] = await startWorkers(1, () => ({
        db: testDb.db,
        url: testDb.url,
        executor: inProcessExecutor(jobRuntime({ clientFor: noClient }, testDb.db, recordingHandlers(runs, 0, 0))),
        scheduleDaily: async () => 0,
      }));
      await worker.drain();
      expect(runs.map((r) => r.kind).sort()).toEqual(["backfill", "reclassify", "reclassify"]);
      expect(
        runs
          .filter((r) => r.kind === "reclassify")
          .map((r) => r.data.retiredPrefix)
          .sort(),
      ).toEqual(["a:", "b:"]);
      await stopAll();
    });

    it("three workers share the jobs; a shop's jobs never overlap, and each job runs once", async () => {
      const runs: Run[] = [];
      const perShop = 12;
      for (let i = 0; i < perShop; i++) {
        for (const shop of SHOPS) await enqueueJob(testDb.db, "segments", { n: i }, { shop });
      }
      const started = await startWorkers(3, (index) => ({
        db: testDb.db,
        url: testDb.url,
        executor: inProcessExecutor(jobRuntime({ clientFor: noClient }, testDb.db, recordingHandlers(runs, index, 40))),
        scheduleDaily: async () => 0,
        concurrency: 3,
      }));
      await Promise.all(started.map((w) => w.drain()));

      expect(runs).toHaveLength(perShop * SHOPS.length);
      for (const shop of SHOPS) {
        const ofShop = runs.filter((r) => r.shop === shop).sort((a, b) => a.start - b.start);
        expect(ofShop.map((r) => r.data.n).sort((a, b) => Number(a) - Number(b))).toEqual(
          Array.from({ length: perShop }, (_, i) => i),
        );
        for (let i = 1; i < ofShop.length; i++)
          expect(ofShop[i].start, `${shop}: two jobs at once`).toBeGreaterThanOrEqual(ofShop[i - 1].end);
      }
      // More than one process did the work (the point of pg-boss).
      expect(new Set(runs.map((r) => r.worker)).size).toBeGreaterThan(1);
      await stopAll();
    });

    it("however many schedulers fire, each shop is evaluated once per day (and its campaigns are refreshed)", async () => {
      // The scheduler also queues each shop's campaigns refresh, which reads the Admin API: a dev store answers it.
      const devStore: DevStore = await startDevStore({ port: 0, apiKey: "boss-key", apiSecret: "boss-secret" });
      const tokens = new Map(SHOPS.map((shop) => [shop, (devStore.addShop(shop), devStore.issueOfflineToken(shop))]));
      const evaluated: string[] = [];
      const refreshed: string[] = [];
      const deps: HandlerDeps = {
        clientFor: (shop) =>
          new AdminClient({
            shop,
            endpoint: `${devStore.origin}/admin/api/2026-10/graphql.json`,
            accessToken: async () => tokens.get(shop)!,
          }),
        log: (line) => {
          const shop = line.split(":")[0];
          if (line.includes("daily evaluation {")) evaluated.push(shop);
          if (line.includes("campaigns refreshed {")) refreshed.push(shop);
        },
      };
      const now = new Date();
      const started = await startWorkers(3, () => ({
        db: testDb.db,
        url: testDb.url,
        executor: inProcessExecutor(jobRuntime(deps, testDb.db, jobHandlers(deps))),
        scheduleDaily: (at) => scheduleDailyEvaluations(at, testDb.db),
        concurrency: 2,
      }));
      // Every worker's scheduler fires, twice; then once more after the first round has run.
      await Promise.all(
        started.flatMap(() => [scheduleDailyEvaluations(now, testDb.db), scheduleDailyEvaluations(now, testDb.db)]),
      );
      await Promise.all(started.map((w) => w.drain()));
      await Promise.all(started.map(() => scheduleDailyEvaluations(now, testDb.db)));
      await Promise.all(started.map((w) => w.drain()));

      expect(evaluated.sort()).toEqual([...SHOPS].sort());
      // A refresh is an idempotent re-import, so a second one after the first has run is harmless.
      expect([...new Set(refreshed)].sort()).toEqual([...SHOPS].sort());
      const shops = await testDb.db.shop.findMany({ where: { domain: { in: SHOPS } } });
      expect(shops.every((s) => s.lastDailyRunAt !== null)).toBe(true);
      await stopAll();
      await devStore.close();
    });

    it("processes each shop's inbox (deliveries of several shops, several workers) exactly once", async () => {
      const devStore: DevStore = await startDevStore({ port: 0, apiKey: "boss-key", apiSecret: "boss-secret" });
      try {
        const payloads: Array<{ shop: string; topic: string; body: string; eventId: string }> = [];
        const tokens = new Map<string, string>();
        devStore.webhooks.mode = "record";
        for (const shop of SHOPS) {
          devStore.addShop(shop);
          tokens.set(shop, devStore.issueOfflineToken(shop));
          // Installed: deliveries of a shop without an offline session wait for one (app/sync/inbox.server.ts).
          await testDb.db.session.create({
            data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: tokens.get(shop)! },
          });
          for (let c = 0; c < 5; c++) {
            const customer = devStore.createCustomer(shop, { email: `c${c}@example.com` });
            for (let o = 0; o < 4; o++)
              devStore.createOrder(shop, {
                customerId: customer.id,
                createdAt: Date.now() - (o + 1) * 40 * 86_400_000,
                total: 25,
              });
          }
        }
        const topics = ["customers/create", "orders/create", "customers/purchasing_summary"];
        for (const d of devStore.webhooks.recorded()) {
          if (topics.includes(d.topic))
            payloads.push({ shop: d.shop, topic: d.topic, body: d.body, eventId: d.eventId });
        }
        for (const p of payloads) {
          await recordDelivery(testDb.db, {
            shop: p.shop,
            topic: p.topic,
            eventId: p.eventId,
            webhookId: null,
            apiVersion: "2026-10",
            triggeredAt: new Date(),
            payload: p.body,
          });
        }
        const clients = new Map<string, AdminClient>();
        const deps: HandlerDeps = {
          clientFor: (shop) => {
            let client = clients.get(shop);
            if (!client) {
              client = new AdminClient({
                shop,
                endpoint: `${devStore.origin}/admin/api/2026-10/graphql.json`,
                accessToken: async () => tokens.get(shop)!,
              });
              clients.set(shop, client);
            }
            return client;
          },
        };
        const started = await startWorkers(2, () => ({
          db: testDb.db,
          url: testDb.url,
          executor: inProcessExecutor(jobRuntime(deps, testDb.db)),
          scheduleDaily: async () => 0,
          concurrency: 2,
          sweepMs: 200,
        }));
        await Promise.all(started.map((w) => w.drain()));

        const deliveries = await testDb.db.webhookDelivery.findMany({ where: { shop: { in: SHOPS } } });
        expect(deliveries).toHaveLength(payloads.length);
        expect(deliveries.every((d) => d.processedAt !== null && d.attempts === 0)).toBe(true);
        for (const shop of SHOPS) {
          expect(await testDb.db.order.count({ where: { shop } })).toBe(20);
          const customers = await testDb.db.customer.findMany({ where: { shop } });
          expect(customers).toHaveLength(5);
          expect(
            customers.every((c) => c.stage === "regular-buyer" || c.stage === "repeat-buyer" || c.stage === "lapsed"),
          ).toBe(true);
          // No stage change was recorded twice.
          const changes = await testDb.db.stageChange.findMany({ where: { shop } });
          expect(new Set(changes.map((c) => `${c.customerGid} ${c.fromStage} ${c.toStage}`)).size).toBe(changes.length);
        }
        const jobs = await testDb.db.$queryRawUnsafe<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'kind' = 'inbox' AND state NOT IN ('completed')`,
          SHOP_QUEUE,
        );
        expect(jobs[0].n).toBe(0);
        await stopAll();
      } finally {
        await devStore.close();
      }
    });
    it("a job stuck in a loop is stopped in its thread, retried with backoff and left failed with its reason; Retry runs it again; other shops go on", async () => {
      const [looping, healthy] = SHOPS;
      const ran = (shop: string) => testDb.db.shopSegment.count({ where: { shop, stage: "ran" } });
      await startWorkers(1, () => ({
        db: testDb.db,
        url: testDb.url,
        executor: createThreadExecutor({
          size: 2,
          runtimeModule: MISBEHAVING_RUNTIME,
          stallMs: 1500,
          env: { ...process.env, DATABASE_URL: testDb.url },
        }),
        scheduleDaily: async () => 0,
        concurrency: 2,
        retryBaseSeconds: 1,
        log: () => undefined,
      }));
      await enqueueJob(testDb.db, "reclassify", { misbehave: "loop" }, { shop: looping });
      await enqueueJob(testDb.db, "segments", { misbehave: "mark" }, { shop: healthy });

      // Each stopped attempt costs a fresh thread, which loads the app again: many seconds on a loaded machine.
      const parked = await waitFor(
        "the looping job to fail for good",
        async () => {
          const list = await listParkedJobs(testDb.db, looping);
          return list.total > 0 ? list : null;
        },
        600_000,
        250,
      );
      expect(parked.total).toBe(1);
      expect(parked.jobs[0]).toMatchObject({ name: "reclassify", attempts: MAX_JOB_ATTEMPTS, errorKind: "stopped" });
      expect(parked.jobs[0].error).toMatch(/blocked for more than \d+ s/);
      expect(await ran(healthy)).toBe(1);
      expect(await listParkedJobs(testDb.db, healthy)).toEqual({ total: 0, jobs: [] });

      // The cause is gone (the payload no longer loops); Retry from the right shop runs it once more.
      const id = parked.jobs[0].id;
      await testDb.db.$executeRawUnsafe(
        `UPDATE pgboss.job SET data = jsonb_set(data, '{data,misbehave}', '"mark"') WHERE id = $1::uuid`,
        id,
      );
      expect(await retryParkedJob(testDb.db, healthy, id)).toBe(false);
      expect(await retryParkedJob(testDb.db, looping, id)).toBe(true);
      await waitFor("the retried job to run", async () => (await ran(looping)) === 1, 300_000, 250);
      await waitFor(
        "the card to clear",
        async () => (await listParkedJobs(testDb.db, looping)).total === 0,
        60_000,
        250,
      );
      await stopAll();
    }, 1_200_000);
  },
);
