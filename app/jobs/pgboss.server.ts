import os from "node:os";
import type PgBoss from "pg-boss";
import pg from "pg";
import type { Db } from "../db.server";
import { inboxWorkDue, shopsWithInboxWork } from "../models/inbox.server";
import type { JobExecutor } from "./executor.server";
import {
  errorText,
  STOPPED_WORKER_ERROR,
  TaskStoppedError,
  TASK_DEADLINE_SECONDS,
  type TaskKind,
  type Worker,
} from "../queue/kinds";
import { DAILY_SCHEDULE_QUEUE, PgBossQueue, SHOP_QUEUE, type ShopJob } from "../queue/pgboss-queue.server";
import { messageLog } from "../logger.server";
import { onWake } from "../queue/wake.server";

/**
 * The job runner on PostgreSQL: pg-boss, so any number of worker processes share the work.
 *
 * Every job belongs to a shop, and a shop's jobs run one at a time cluster-wide: a worker takes the shop's
 * advisory lock before it starts one, and puts the job back for a moment when another worker holds it. So a
 * shop's tag writes come from one process at a time, against one model of its rate-limit bucket, and inbox
 * processing, backfill and the daily evaluation of one shop never interleave; different shops run in parallel.
 * (pg-boss's own "singleton" policy gates the whole queue behind the oldest waiting job, so it is not used.)
 * Each job runs in the executor (a thread per lane), which stops it at its deadline; pg-boss then counts the
 * failure, retries with backoff and, after the last attempt, leaves it "failed" for the merchant's Retry.
 */

// Advisory lock keys are (namespace, hashtext(shop)); the namespace keeps them apart from anyone else's locks.
const LOCK_NAMESPACE = 0x4c53;
/** An active job whose shop lock nobody holds after this long belonged to a worker that died. */
const ORPHAN_AFTER_SECONDS = 30;
/** How long stop() lets running jobs finish before it stops their threads. */
const STOP_GRACE_MS = 10_000;

export interface PgBossWorkerOptions {
  db: Db;
  url: string;
  executor: JobExecutor;
  /** Queues every installed shop's daily evaluation (the cron job). */
  scheduleDaily: (now: Date) => Promise<number>;
  dailyCron?: string;
  /** Jobs this process runs at once (each of a different shop); the executor should have as many threads. */
  concurrency?: number;
  /** The first retry's wait (doubling after), the queue's retryDelay. */
  retryBaseSeconds?: number;
  /** Deadlines other than kinds.ts TASK_DEADLINE_SECONDS (tests). */
  deadlineSeconds?: Partial<Record<TaskKind, number>>;
  /** How often this worker looks for shops with unprocessed deliveries (and for jobs of dead workers). */
  sweepMs?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

export async function startPgBossWorker(options: PgBossWorkerOptions): Promise<Worker> {
  const log = options.log ?? messageLog("jobs");
  const concurrency = options.concurrency ?? 2;
  const queue = await PgBossQueue.open(options.url, { worker: true, log, retryBaseSeconds: options.retryBaseSeconds });
  const runner = new PgBossRunner(options, queue, concurrency, log);
  await runner.start();
  return runner;
}

class PgBossRunner implements Worker {
  private readonly boss: PgBoss;
  private readonly locks: pg.Pool;
  private readonly workerName = `${os.hostname()}:${process.pid}`;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private stopListening: () => void = () => undefined;
  private stopped = false;
  private sweeping: Promise<void> | null = null;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: PgBossWorkerOptions,
    private readonly queue: PgBossQueue,
    private readonly concurrency: number,
    private readonly log: (message: string) => void,
  ) {
    this.boss = queue.boss;
    this.now = options.now ?? (() => new Date());
    this.locks = new pg.Pool({
      connectionString: options.url,
      max: concurrency + 1,
      application_name: "lifecycle-shop-locks",
    });
    this.locks.on("error", (error) => log(`shop lock connection: ${error.message}`));
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.concurrency; i++) {
      await this.boss.work<ShopJob>(SHOP_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
        if (!job) return;
        const running = this.runShopJob(job);
        this.inFlight.add(running);
        await running.finally(() => this.inFlight.delete(running));
      });
    }
    await this.boss.work(DAILY_SCHEDULE_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
      this.log(`daily evaluations queued for ${await this.options.scheduleDaily(this.now())} shop(s)`);
    });
    await this.boss.schedule(DAILY_SCHEDULE_QUEUE, this.options.dailyCron ?? "0 3 * * *", {}, { tz: "UTC" });
    this.timer = setInterval(() => void this.runSweep(), this.options.sweepMs ?? 1000);
    this.stopListening = onWake(() => void this.runSweep());
    void this.runSweep();
  }

  async drain(): Promise<void> {
    for (;;) {
      await this.runSweep();
      if ((await this.outstanding()) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Lets running jobs finish for up to 10 s, then stops their threads and gives them back without counting the
   * attempt (a deploy is not the job's failure), before pg-boss itself stops.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.stopListening();
    // No new jobs: one fetched meanwhile is given back at once (runShopJob).
    await this.boss.offWork(SHOP_QUEUE);
    await this.sweeping;
    const grace = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    await this.options.executor.close();
    await Promise.allSettled([...this.inFlight]);
    await this.queue.stop();
    await this.locks.end();
  }

  /** Runs a job under its shop's advisory lock, or puts it back for a moment when another worker holds the shop. */
  private async runShopJob(job: PgBoss.Job<ShopJob>): Promise<void> {
    const { kind, shop, data } = job.data;
    if (this.stopped) {
      await this.queue.giveBack(job.data);
      return;
    }
    const lock = await this.locks.connect();
    let broken = false;
    try {
      const { rows } = await lock.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [
        LOCK_NAMESPACE,
        shop,
      ]);
      if (!rows[0]?.ok) {
        await this.queue.defer(job.data);
        return;
      }
      try {
        await this.options.executor.run(
          { kind, shop, data },
          { deadlineMs: (this.options.deadlineSeconds?.[kind] ?? TASK_DEADLINE_SECONDS[kind]) * 1000 },
        );
      } finally {
        await lock.query("SELECT pg_advisory_unlock($1, hashtext($2))", [LOCK_NAMESPACE, shop]).catch(() => {
          broken = true;
        });
      }
      await this.queue
        .resolveSuperseded(job.data)
        .catch((error: unknown) => this.log(`parked jobs of ${shop} not resolved: ${errorText(error)}`));
    } catch (error) {
      if (this.stopped && error instanceof TaskStoppedError) {
        await this.queue.giveBack(job.data);
        return;
      }
      this.log(`${kind} job for ${shop} failed on ${this.workerName}: ${errorText(error)}`);
      throw error;
    } finally {
      // A connection whose unlock failed may still hold the lock: close it rather than hand it to the next job.
      lock.release(broken);
    }
  }

  /**
   * Deliveries arrive in the inbox table (the web process writes nothing else); the sweep turns shops with
   * unprocessed deliveries into inbox jobs. Any number of workers sweep: the singleton key keeps one waiting job per
   * shop. One sweep at a time; a wake during one runs another after it.
   */
  private runSweep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.sweeping) {
      this.again = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      do {
        this.again = false;
        try {
          for (const shop of await shopsWithInboxWork(this.options.db, this.now())) await this.queue.nudgeInbox(shop);
          await this.reapOrphans();
        } catch (error) {
          this.log(`inbox sweep failed: ${errorText(error)}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  /** Jobs left active by a worker that died (kill -9, lost machine) fail — an attempt — without waiting for expiry. */
  private async reapOrphans(): Promise<void> {
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT j.id FROM pgboss.job j
        WHERE j.name = $1 AND j.state = 'active' AND j.started_on < now() - make_interval(secs => $2)
          AND NOT EXISTS (
            SELECT 1 FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = $3
               AND l.objid::bigint = (hashtext(j.data->>'shop')::bigint & 4294967295))`,
      [SHOP_QUEUE, ORPHAN_AFTER_SECONDS, LOCK_NAMESPACE],
    );
    if (rows.length === 0) return;
    this.log(`failing ${rows.length} job(s) of a worker that stopped`);
    for (const { id } of rows as Array<{ id: string }>)
      await this.boss.fail(SHOP_QUEUE, id, { message: STOPPED_WORKER_ERROR, kind: "stopped" });
  }

  private async outstanding(): Promise<number> {
    // A job waiting for a retry, or scheduled, far ahead (a new order's journey read, minutes away) is not
    // outstanding work, as in the Job table runner (outstandingTableJobs).
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT count(*)::int AS n FROM pgboss.job
        WHERE name = $1 AND (state = 'active' OR (state IN ('created', 'retry') AND start_after < now() + interval '10 seconds'))`,
      [SHOP_QUEUE],
    );
    return (await inboxWorkDue(this.options.db, this.now())) + (rows[0] as { n: number }).n;
  }
}
