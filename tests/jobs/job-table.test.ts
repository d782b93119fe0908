import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  claimNextJob,
  completeJob,
  failJob,
  insertJob,
  listParkedTableJobs,
  recoverStaleJobs,
  releaseJob,
  retryParkedTableJob,
} from "../../app/queue/job-table.server";
import { MAX_JOB_ATTEMPTS, STOPPED_WORKER_ERROR, TaskStoppedError } from "../../app/queue/kinds";
import { AccessDeniedError, NetworkError, ThrottledError, TransientHttpError } from "../../app/shopify/errors";
import { createTestDb, type TestDb } from "../support/test-db";

const A = "table-a.myshopify.com";
const B = "table-b.myshopify.com";
const T0 = new Date("2026-11-23T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe("the Job table: attempts, backoff, parking and Retry", () => {
  let testDb: TestDb;
  beforeAll(() => {
    testDb = createTestDb();
  });
  afterAll(async () => {
    await testDb.close();
  });
  beforeEach(async () => {
    await testDb.db.job.deleteMany();
  });

  /** Claims the job and fails it, as the runner does after a failed attempt; returns the job as stored after. */
  async function claimAndFail(now: Date, error = "boom") {
    const job = await claimNextJob(testDb.db, "w1", now);
    expect(job, `a job is due at ${now.toISOString()}`).not.toBeNull();
    const outcome = await failJob(testDb.db, job!, new Error(error), now, { workerId: "w1" });
    return { outcome, stored: await testDb.db.job.findUniqueOrThrow({ where: { id: job!.id } }) };
  }

  it("each failure doubles the wait (60 s, 2, 4, 8 min) and the fifth parks the job with its reason", async () => {
    await insertJob(testDb.db, "reclassify", {}, { shop: A, runAt: T0 });
    // Hand-worked: attempt n fails at t, the next is due at t + 60 s × 2^(n-1).
    const expectedWaits = [60, 120, 240, 480];
    let now = T0;
    for (const [i, wait] of expectedWaits.entries()) {
      const { outcome, stored } = await claimAndFail(now, `failure ${i + 1}`);
      expect(outcome).toBe("retry");
      expect(stored.attempts).toBe(i + 1);
      expect((stored.runAt.getTime() - now.getTime()) / 1000).toBe(wait);
      expect(stored.lastError).toBe(`failure ${i + 1}`);
      // Not due a second before its time.
      expect(await claimNextJob(testDb.db, "w1", new Date(stored.runAt.getTime() - 1000))).toBeNull();
      now = stored.runAt;
    }
    const { outcome, stored } = await claimAndFail(now, "failure 5");
    expect(outcome).toBe("parked");
    expect(stored.attempts).toBe(MAX_JOB_ATTEMPTS);
    expect(stored.failedAt).toEqual(now);
    expect(stored.doneAt).toBeNull();
    // Parked: never taken again, however late.
    expect(await claimNextJob(testDb.db, "w1", at(365 * 86_400))).toBeNull();
    expect(await listParkedTableJobs(testDb.db, A)).toEqual({
      total: 1,
      jobs: [
        {
          id: String(stored.id),
          name: "reclassify",
          attempts: 5,
          error: "failure 5",
          errorKind: "other",
          failedAt: now.toISOString(),
        },
      ],
    });
    expect(await listParkedTableJobs(testDb.db, B)).toEqual({ total: 0, jobs: [] });
  });

  it("a lock nobody renews counts as a failed attempt, so a job that kills its worker every time is parked, not retaken forever", async () => {
    await insertJob(testDb.db, "reclassify", {}, { shop: A, runAt: T0 });
    let now = T0;
    for (let attempt = 1; attempt <= MAX_JOB_ATTEMPTS; attempt++) {
      const job = await claimNextJob(testDb.db, `worker-${attempt}`, now);
      expect(job?.attempts).toBe(attempt);
      // The worker dies (kill -9): nothing reports back. A minute later the lock is not stale yet...
      expect(await recoverStaleJobs(testDb.db, new Date(now.getTime() + 60_000), 120_000)).toBe(0);
      // ...two minutes later it is.
      now = new Date(now.getTime() + 121_000);
      expect(await recoverStaleJobs(testDb.db, now, 120_000)).toBe(1);
      const stored = await testDb.db.job.findUniqueOrThrow({ where: { id: job!.id } });
      expect(stored.lastError).toBe(STOPPED_WORKER_ERROR);
      expect(stored.errorKind).toBe("stopped");
      expect(stored.lockedAt).toBeNull();
      if (attempt < MAX_JOB_ATTEMPTS) {
        expect(stored.failedAt).toBeNull();
        expect((stored.runAt.getTime() - now.getTime()) / 1000).toBe(60 * 2 ** (attempt - 1));
        now = stored.runAt;
      } else {
        expect(stored.failedAt).toEqual(now);
      }
    }
    expect(await claimNextJob(testDb.db, "worker-6", at(365 * 86_400))).toBeNull();
  });

  it("a renewed lock is never taken over; the runner's own running jobs are left alone", async () => {
    await insertJob(testDb.db, "daily", {}, { shop: A, runAt: T0 });
    const job = await claimNextJob(testDb.db, "w1", T0);
    expect(await recoverStaleJobs(testDb.db, at(600), 120_000, { exceptIds: [job!.id] })).toBe(0);
    expect((await testDb.db.job.findUniqueOrThrow({ where: { id: job!.id } })).lockedBy).toBe("w1");
  });

  it("a job given back at shutdown does not lose an attempt", async () => {
    await insertJob(testDb.db, "backfill", {}, { shop: A, runAt: T0, singletonKey: `backfill:${A}` });
    const job = await claimNextJob(testDb.db, "w1", T0);
    expect(job!.attempts).toBe(1);
    await releaseJob(testDb.db, job!.id, "w1");
    const again = await claimNextJob(testDb.db, "w2", T0);
    expect(again?.id).toBe(job!.id);
    expect(again?.attempts).toBe(1);
  });

  it("a shop's jobs wait while the shop is busy; other shops' jobs are claimed", async () => {
    await insertJob(testDb.db, "daily", {}, { shop: A, runAt: T0 });
    await insertJob(testDb.db, "daily", {}, { shop: B, runAt: at(1) });
    expect((await claimNextJob(testDb.db, "w1", at(2), [A]))?.shop).toBe(B);
    expect(await claimNextJob(testDb.db, "w1", at(2), [A, B])).toBeNull();
  });

  it("Retry re-queues a parked job of the shop for one more attempt, under its key; another shop's id is refused", async () => {
    await insertJob(testDb.db, "backfill", {}, { shop: A, runAt: T0, singletonKey: `backfill:${A}` });
    let now = T0;
    for (let i = 0; i < MAX_JOB_ATTEMPTS; i++) {
      const { stored } = await claimAndFail(now);
      now = stored.failedAt ?? stored.runAt;
    }
    const parked = await testDb.db.job.findFirstOrThrow({ where: { shop: A } });
    expect(parked.failedAt).not.toBeNull();
    expect(parked.singletonKey).toBeNull();

    expect(await retryParkedTableJob(testDb.db, B, parked.id, at(9000))).toBe(false);
    expect(await retryParkedTableJob(testDb.db, A, parked.id, at(9000))).toBe(true);
    const retried = await testDb.db.job.findUniqueOrThrow({ where: { id: parked.id } });
    expect(retried).toMatchObject({ failedAt: null, singletonKey: `backfill:${A}`, attempts: 5, maxAttempts: 6 });
    // The key is held again: a second request for the same job waits behind it instead of queueing twice.
    expect(await insertJob(testDb.db, "backfill", {}, { shop: A, singletonKey: `backfill:${A}` })).toBe(false);
    // One attempt: it fails once more and is parked again.
    const { outcome } = await claimAndFail(at(9000));
    expect(outcome).toBe("parked");
    expect(await retryParkedTableJob(testDb.db, A, parked.id + 1000, at(9000))).toBe(false);
  });

  it("Retry while an equal job already waits closes the parked one instead of queueing it twice", async () => {
    await insertJob(testDb.db, "backfill", {}, { shop: A, runAt: T0, singletonKey: `backfill:${A}` });
    let now = T0;
    for (let i = 0; i < MAX_JOB_ATTEMPTS; i++) now = (await claimAndFail(now)).stored.runAt;
    const parked = await testDb.db.job.findFirstOrThrow({ where: { shop: A } });
    expect(
      await insertJob(testDb.db, "backfill", {}, { shop: A, runAt: at(9000), singletonKey: `backfill:${A}` }),
    ).toBe(true);
    expect(await retryParkedTableJob(testDb.db, A, parked.id, at(9000))).toBe(true);
    expect((await testDb.db.job.findUniqueOrThrow({ where: { id: parked.id } })).doneAt).toEqual(at(9000));
    expect(await testDb.db.job.count({ where: { shop: A, doneAt: null, failedAt: null } })).toBe(1);
  });

  it("a later success of the same job makes a parked one moot, except a re-classification that retires another prefix", async () => {
    const park = async (name: "daily" | "reclassify", data: Record<string, unknown>) => {
      await insertJob(testDb.db, name, data, { shop: A, runAt: T0 });
      const job = await claimNextJob(testDb.db, "w1", T0);
      await testDb.db.job.update({ where: { id: job!.id }, data: { maxAttempts: 1 } });
      await failJob(testDb.db, { ...job!, maxAttempts: 1 }, new Error("x"), T0);
    };
    await park("daily", { day: "2026-11-22" });
    await park("reclassify", {});
    await park("reclassify", { retiredPrefix: "old:" });
    await insertJob(testDb.db, "reclassify", {}, { shop: A, runAt: at(10) });
    await insertJob(testDb.db, "daily", { day: "2026-11-23" }, { shop: A, runAt: at(10) });
    for (let i = 0; i < 2; i++) {
      const job = await claimNextJob(testDb.db, "w1", at(20));
      await completeJob(testDb.db, job!, at(30));
    }
    const still = await listParkedTableJobs(testDb.db, A);
    expect(still.jobs.map((j) => j.name)).toEqual(["reclassify"]);
    expect(still.total).toBe(1);
  });

  it("each failure stores its kind, told apart by class: Shopify's refusals, a stopped attempt, anything else", async () => {
    const kinds: Array<[Error, string]> = [
      [new AccessDeniedError("ShopQuery: HTTP 401", { operation: "ShopQuery", status: 401 }), "access"],
      [new ThrottledError("still throttled", { operation: "TagsBatchMutation" }), "throttled"],
      [new TransientHttpError("HTTP 503", { operation: "ShopQuery", status: 503 }), "unavailable"],
      [new NetworkError("fetch failed", { operation: "ShopQuery" }), "network"],
      [new TaskStoppedError("its thread was blocked for more than 120 s"), "stopped"],
      // A message that reads like one of them is still "other": the class decides, not the words.
      [new Error("HTTP 401 access denied, throttled, timed out"), "other"],
    ];
    for (const [error, kind] of kinds) {
      await testDb.db.job.deleteMany();
      await insertJob(testDb.db, "daily", {}, { shop: A, runAt: T0 });
      const job = await claimNextJob(testDb.db, "w1", T0);
      await failJob(testDb.db, job!, error, T0);
      expect((await testDb.db.job.findUniqueOrThrow({ where: { id: job!.id } })).errorKind, error.message).toBe(kind);
    }
  });

  it("stored reasons are bounded", async () => {
    await insertJob(testDb.db, "daily", {}, { shop: A, runAt: T0 });
    const { stored } = await claimAndFail(T0, "x".repeat(100_000));
    expect(stored.lastError!.length).toBe(2000);
  });
});
