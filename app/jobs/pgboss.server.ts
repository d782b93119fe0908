import os from "node:os";
import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import pg from "pg";
import type { Db } from "../db.server";
import { MAX_DELIVERY_ATTEMPTS } from "../models/inbox.server";
import { setJobBackend, type EnqueueOptions, type JobBackend, type JobName } from "./queue.server";
import { setWakeHandler, type JobHandler, type Worker, type WorkerContext } from "./worker.server";

/**
 * The job runner on PostgreSQL: pg-boss, so any number of worker processes share the work.
 *
 * Every job belongs to a shop, and a shop's jobs run one at a time cluster-wide: a worker takes the shop's
 * advisory lock before it starts one, and puts the job back for a moment when another worker holds it. So a
 * shop's tag writes come from one process at a time, against one model of its rate-limit bucket, and inbox
 * processing, backfill and the daily evaluation of one shop never interleave; different shops run in parallel.
 * (pg-boss's own "singleton" policy gates the whole queue behind the oldest waiting job, so it is not used.)
 */
export const SHOP_QUEUE = "lifecycle-shop";
/** Fires once per cron slot cluster-wide (pg-boss's scheduler) and queues each shop's daily evaluation. */
export const DAILY_SCHEDULE_QUEUE = "lifecycle-daily-schedule";

export type ShopJobKind = JobName | "inbox";

export interface ShopJob {
  kind: ShopJobKind;
  shop: string;
  data: Record<string, unknown>;
  /** The singleton key: while a job with this key waits, sending another is a no-op. */
  key: string;
}

// Advisory lock keys are (namespace, hashtext(shop)); the namespace keeps them apart from anyone else's locks.
const LOCK_NAMESPACE = 0x4c53;
/** How long a job may stay active: long enough for a large shop's backfill; a dead worker's job is reaped sooner. */
const EXPIRE_SECONDS: Record<ShopJobKind, number> = { inbox: 900, segments: 900, campaigns: 900, reclassify: 4 * 3600, daily: 4 * 3600, backfill: 12 * 3600 };
const BUSY_RETRY_SECONDS = 2;
/** An active job whose shop lock nobody holds after this long belonged to a worker that died. */
const ORPHAN_AFTER_SECONDS = 30;

function newBoss(url: string, worker: boolean): PgBoss {
  return new PgBoss({
    connectionString: url,
    application_name: worker ? "lifecycle-worker" : "lifecycle-web",
    max: worker ? 4 : 2,
    // Cron and maintenance run in workers only; a web process just sends.
    schedule: worker,
    supervise: worker,
    migrate: true,
  });
}

/** pg-boss behind the app's job interface (see queue.server.ts). */
export class PgBossQueue implements JobBackend {
  private constructor(readonly boss: PgBoss) {}

  static async open(url: string, options: { worker: boolean; log?: (message: string) => void }): Promise<PgBossQueue> {
    const boss = newBoss(url, options.worker);
    // pg-boss emits errors (a lost connection, a failed maintenance run) as events; unheard, they would crash the process.
    boss.on("error", (error) => (options.log ?? console.error)(`[pg-boss] ${error instanceof Error ? error.message : String(error)}`));
    await boss.start();
    await boss.createQueue(SHOP_QUEUE, { name: SHOP_QUEUE, policy: "short", retryLimit: 5, retryDelay: 30, retryBackoff: true });
    await boss.createQueue(DAILY_SCHEDULE_QUEUE, { name: DAILY_SCHEDULE_QUEUE, policy: "short", retryLimit: 3, retryDelay: 60 });
    return new PgBossQueue(boss);
  }

  async enqueue(name: JobName, data: Record<string, unknown>, options: EnqueueOptions): Promise<boolean> {
    if (!options.shop) throw new Error(`The job "${name}" needs a shop`);
    // Without a key every job is distinct (a second settings change must not be merged into the first).
    const key = options.singletonKey ?? `${name}:${options.shop}:${randomUUID()}`;
    return this.send({ kind: name, shop: options.shop, data, key }, options.runAt);
  }

  /** Asks for the shop's inbox to be processed; free when a request is already waiting. */
  nudgeInbox(shop: string): Promise<boolean> {
    return this.send({ kind: "inbox", shop, data: {}, key: `inbox:${shop}` });
  }

  /** Puts a job back to run shortly (its shop is busy elsewhere). */
  defer(job: ShopJob): Promise<boolean> {
    return this.send(job, new Date(Date.now() + BUSY_RETRY_SECONDS * 1000));
  }

  private async send(job: ShopJob, startAfter?: Date): Promise<boolean> {
    const id = await this.boss.send(SHOP_QUEUE, job, {
      singletonKey: job.key,
      expireInSeconds: EXPIRE_SECONDS[job.kind],
      ...(startAfter ? { startAfter } : {}),
    });
    return id !== null;
  }

  stop(): Promise<void> {
    return this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}

const senders = new Map<string, Promise<PgBossQueue>>();

/** The sending side for a process that runs no worker (a web process), one per database. */
export function pgBossQueue(url: string): Promise<PgBossQueue> {
  let queue = senders.get(url);
  if (!queue) {
    queue = PgBossQueue.open(url, { worker: false });
    queue.catch(() => senders.delete(url));
    senders.set(url, queue);
  }
  return queue;
}

/** Closes the sending side (tests, and processes shutting down cleanly). */
export async function stopPgBossQueues(): Promise<void> {
  const open = [...senders.values()];
  senders.clear();
  await Promise.all(open.map(async (queue) => (await queue.catch(() => null))?.stop()));
}

export interface PgBossWorkerOptions {
  db: Db;
  url: string;
  handlers: Record<JobName, JobHandler>;
  /** Applies a batch of one shop's inbox deliveries; returns how many it handled (0 = none left). */
  processShopInbox: (ctx: WorkerContext, shop: string) => Promise<number>;
  /** Queues every installed shop's daily evaluation (the cron job). */
  scheduleDaily: (now: Date) => Promise<number>;
  dailyCron?: string;
  /** Jobs this process runs at once (each of a different shop). */
  concurrency?: number;
  /** How often this worker looks for shops with unprocessed deliveries (and for jobs of dead workers). */
  sweepMs?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

export async function startPgBossWorker(options: PgBossWorkerOptions): Promise<Worker> {
  const log = options.log ?? ((message: string) => console.log(`[jobs] ${message}`));
  const ctx: WorkerContext = { db: options.db, now: options.now ?? (() => new Date()) };
  const concurrency = options.concurrency ?? 2;
  const queue = await PgBossQueue.open(options.url, { worker: true, log });
  const { boss } = queue;
  const locks = new pg.Pool({ connectionString: options.url, max: concurrency + 1, application_name: "lifecycle-shop-locks" });
  locks.on("error", (error) => log(`shop lock connection: ${error.message}`));
  const workerName = `${os.hostname()}:${process.pid}`;

  async function runShopJob(job: PgBoss.Job<ShopJob>): Promise<void> {
    const { kind, shop, data } = job.data;
    const lock = await locks.connect();
    let broken = false;
    try {
      const { rows } = await lock.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [LOCK_NAMESPACE, shop]);
      if (!rows[0]?.ok) {
        await queue.defer(job.data);
        return;
      }
      try {
        if (kind !== "inbox" && !(await isInstalled(shop))) {
          // app/uninstalled retires a shop's queued work; its inbox still runs (shop/redact arrives after it).
          log(`${kind} job for ${shop} dropped: the app is not installed there`);
        } else if (kind === "inbox") {
          while ((await options.processShopInbox(ctx, shop)) > 0);
        } else {
          const handler = options.handlers[kind];
          if (!handler) throw new Error(`No handler for job "${kind}"`);
          await handler(ctx, { shop, data });
        }
      } finally {
        await lock.query("SELECT pg_advisory_unlock($1, hashtext($2))", [LOCK_NAMESPACE, shop]).catch(() => {
          broken = true;
        });
      }
    } catch (error) {
      log(`${kind} job for ${shop} failed on ${workerName}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      throw error;
    } finally {
      // A connection whose unlock failed may still hold the lock: close it rather than hand it to the next job.
      lock.release(broken);
    }
  }

  async function isInstalled(shop: string): Promise<boolean> {
    const row = await options.db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
    return row !== null && row.uninstalledAt === null;
  }

  for (let i = 0; i < concurrency; i++) {
    await boss.work<ShopJob>(SHOP_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (job) await runShopJob(job);
    });
  }
  await boss.work(DAILY_SCHEDULE_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
    log(`daily evaluations queued for ${await options.scheduleDaily(ctx.now())} shop(s)`);
  });
  await boss.schedule(DAILY_SCHEDULE_QUEUE, options.dailyCron ?? "0 3 * * *", {}, { tz: "UTC" });

  // Deliveries arrive in the inbox table (the web process writes nothing else); the sweep turns shops with
  // unprocessed deliveries into inbox jobs. Any number of workers sweep: the singleton key keeps one waiting job per shop.
  async function sweep(): Promise<void> {
    const shops = await options.db.webhookDelivery.groupBy({
      by: ["shop"],
      where: { processedAt: null, attempts: { lt: MAX_DELIVERY_ATTEMPTS } },
    });
    for (const { shop } of shops) await queue.nudgeInbox(shop);
    await reapOrphans();
  }

  /** Jobs left active by a worker that died (kill -9, lost machine) go back to the queue without waiting for expiry. */
  async function reapOrphans(): Promise<void> {
    const { rows } = await boss.getDb().executeSql(
      `SELECT j.id FROM pgboss.job j
        WHERE j.name = $1 AND j.state = 'active' AND j.started_on < now() - make_interval(secs => $2)
          AND NOT EXISTS (
            SELECT 1 FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = $3
               AND l.objid::bigint = (hashtext(j.data->>'shop')::bigint & 4294967295))`,
      [SHOP_QUEUE, ORPHAN_AFTER_SECONDS, LOCK_NAMESPACE],
    );
    if (rows.length === 0) return;
    log(`re-queueing ${rows.length} job(s) of a worker that stopped`);
    await boss.fail(SHOP_QUEUE, rows.map((r: { id: string }) => r.id));
  }

  let stopped = false;
  let sweeping: Promise<void> | null = null;
  let again = false;
  const runSweep = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (sweeping) {
      again = true;
      return sweeping;
    }
    sweeping = (async () => {
      do {
        again = false;
        try {
          await sweep();
        } catch (error) {
          log(`inbox sweep failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      } while (again && !stopped);
    })().finally(() => {
      sweeping = null;
    });
    return sweeping;
  };
  const timer = setInterval(() => void runSweep(), options.sweepMs ?? 1000);
  setWakeHandler(() => void runSweep());
  setJobBackend(options.db, queue);
  void runSweep();

  async function outstanding(): Promise<number> {
    const pendingDeliveries = await options.db.webhookDelivery.count({ where: { processedAt: null, attempts: { lt: MAX_DELIVERY_ATTEMPTS } } });
    // A job waiting for a retry far ahead is not outstanding work.
    const { rows } = await boss.getDb().executeSql(
      `SELECT count(*)::int AS n FROM pgboss.job
        WHERE name = $1 AND (state IN ('created', 'active') OR (state = 'retry' AND start_after < now() + interval '10 seconds'))`,
      [SHOP_QUEUE],
    );
    return pendingDeliveries + (rows[0] as { n: number }).n;
  }

  return {
    async drain() {
      for (;;) {
        await runSweep();
        if ((await outstanding()) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      setWakeHandler(null);
      setJobBackend(options.db, null);
      await sweeping;
      await queue.stop();
      await locks.end();
    },
  };
}
