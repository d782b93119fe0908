import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import type { EnqueueOptions } from "./job-table.server";
import {
  errorText,
  isJobErrorKind,
  MAX_JOB_ATTEMPTS,
  PARKED_JOBS_SHOWN,
  RETRY_BASE_SECONDS,
  supersedes,
  TASK_DEADLINE_SECONDS,
  type JobErrorKind,
  type JobName,
  type ParkedJob,
  type TaskKind,
} from "./kinds";
import { logger } from "../logger.server";

/**
 * The pg-boss queue on PostgreSQL, the sending side (web and worker processes alike). Every job belongs to a shop
 * and goes into one queue; the runner (pgboss.server.ts) runs a shop's jobs one at a time.
 */
export const SHOP_QUEUE = "lifecycle-shop";
/** Fires once per cron slot cluster-wide (pg-boss's scheduler) and queues each shop's daily evaluation. */
export const DAILY_SCHEDULE_QUEUE = "lifecycle-daily-schedule";

export interface ShopJob {
  kind: TaskKind;
  shop: string;
  data: Record<string, unknown>;
  /** The singleton key: while a job with this key waits, sending another is a no-op. */
  key: string;
}

const BUSY_RETRY_SECONDS = 2;
/** pg-boss expires an active job a little after our own deadline, which stops it first (executor.server.ts). */
const EXPIRE_MARGIN_SECONDS = 120;
/** A failed (parked) job stays in the queue table, on the merchant's card, this long unless retried. */
const PARKED_KEEP_SECONDS = 30 * 86_400;

export interface PgBossQueueOptions {
  worker: boolean;
  retryBaseSeconds?: number;
  log?: (message: string) => void;
}

function newBoss(url: string, worker: boolean): PgBoss {
  return new PgBoss({
    connectionString: url,
    application_name: worker ? "lifecycle-worker" : "lifecycle-web",
    max: worker ? 4 : 2,
    // Cron and maintenance run in workers only; a web process just sends.
    schedule: worker,
    supervise: worker,
    migrate: true,
    archiveFailedAfterSeconds: PARKED_KEEP_SECONDS,
  });
}

/** pg-boss behind the app's job interface (queue.server.ts). */
export class PgBossQueue {
  private constructor(readonly boss: PgBoss) {}

  static async open(url: string, options: PgBossQueueOptions): Promise<PgBossQueue> {
    const boss = newBoss(url, options.worker);
    // pg-boss emits errors (a lost connection, a failed maintenance run) as events; unheard, they would crash the process.
    boss.on("error", (error) =>
      options.log
        ? options.log(`[pg-boss] ${error instanceof Error ? error.message : String(error)}`)
        : logger.error({ component: "pg-boss", err: error }, "pg-boss error"),
    );
    await boss.start();
    // The same attempts and backoff as the Job table (kinds.ts): retryLimit counts the retries after the first
    // attempt. Jobs take them from the queue, whose settings the workers own (a web process only creates it).
    const shopQueue = {
      name: SHOP_QUEUE,
      policy: "short" as const,
      retryLimit: MAX_JOB_ATTEMPTS - 1,
      retryDelay: Math.max(1, Math.round(options.retryBaseSeconds ?? RETRY_BASE_SECONDS)),
      retryBackoff: true,
    };
    await boss.createQueue(SHOP_QUEUE, shopQueue);
    if (options.worker) await boss.updateQueue(SHOP_QUEUE, shopQueue);
    await boss.createQueue(DAILY_SCHEDULE_QUEUE, {
      name: DAILY_SCHEDULE_QUEUE,
      policy: "short",
      retryLimit: 3,
      retryDelay: 60,
    });
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

  /** Puts a job back to run shortly (its shop is busy elsewhere); not an attempt. */
  defer(job: ShopJob): Promise<boolean> {
    return this.send(job, new Date(Date.now() + BUSY_RETRY_SECONDS * 1000));
  }

  /** Puts a job back at once, its attempts not counted: this worker is shutting down, which is not the job's failure. */
  giveBack(job: ShopJob): Promise<boolean> {
    return this.send(job);
  }

  private async send(job: ShopJob, startAfter?: Date): Promise<boolean> {
    const id = await this.boss.send(SHOP_QUEUE, job, {
      singletonKey: job.key,
      expireInSeconds: TASK_DEADLINE_SECONDS[job.kind] + EXPIRE_MARGIN_SECONDS,
      ...(startAfter ? { startAfter } : {}),
    });
    return id !== null;
  }

  /** The shop's jobs that used their attempts (pg-boss state "failed"), newest first. Inbox requests are not jobs. */
  async listParked(shop: string): Promise<{ jobs: ParkedJob[]; total: number }> {
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT id, data->>'kind' AS kind, retry_count, output, completed_on, count(*) OVER () AS total
         FROM pgboss.job
        WHERE name = $1 AND state = 'failed' AND data->>'shop' = $2 AND data->>'kind' <> 'inbox'
        ORDER BY completed_on DESC, id
        LIMIT $3`,
      [SHOP_QUEUE, shop, PARKED_JOBS_SHOWN],
    );
    const typed = rows as Array<{
      id: string;
      kind: JobName;
      retry_count: number;
      output: unknown;
      completed_on: Date;
      total: string;
    }>;
    return {
      total: typed.length > 0 ? Number(typed[0].total) : 0,
      jobs: typed.map((row) => ({
        id: row.id,
        name: row.kind,
        attempts: row.retry_count + 1,
        error: failureMessage(row.output),
        errorKind: failureKind(row.output),
        failedAt: new Date(row.completed_on).toISOString(),
      })),
    };
  }

  /** One more attempt for a parked job of this shop, now (pg-boss's retry raises its limit by one). */
  async retryParked(shop: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
    const { rows } = await this.boss
      .getDb()
      .executeSql(`SELECT 1 FROM pgboss.job WHERE name = $1 AND id = $2 AND state = 'failed' AND data->>'shop' = $3`, [
        SHOP_QUEUE,
        id,
        shop,
      ]);
    if (rows.length === 0) return false;
    await this.boss
      .getDb()
      .executeSql(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND id = $2 AND state = 'failed'`, [
        SHOP_QUEUE,
        id,
      ]);
    await this.boss.retry(SHOP_QUEUE, id);
    return true;
  }

  /** After a success, the shop's parked jobs it made moot (kinds.ts supersedes) leave the card. */
  async resolveSuperseded(succeeded: ShopJob): Promise<void> {
    if (succeeded.kind === "inbox") return;
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `SELECT id, data FROM pgboss.job WHERE name = $1 AND state = 'failed' AND data->>'shop' = $2 AND data->>'kind' = $3`,
        [SHOP_QUEUE, succeeded.shop, succeeded.kind],
      );
    const moot = (rows as Array<{ id: string; data: ShopJob }>)
      .filter((row) =>
        supersedes({ name: succeeded.kind, data: succeeded.data }, { name: row.data.kind, data: row.data.data }),
      )
      .map((row) => row.id);
    if (moot.length > 0) await this.boss.deleteJob(SHOP_QUEUE, moot);
  }

  stop(): Promise<void> {
    return this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}

/** pg-boss stores a failed job's error serialized into `output`. */
function failureMessage(output: unknown): string {
  if (output && typeof output === "object" && "message" in output && typeof output.message === "string")
    return errorText(output.message);
  if (output && typeof output === "object" && "value" in output) return errorText(String(output.value));
  return "";
}

/** The kind the executor attached to the error (serialized with it), or the reaper's "stopped". */
function failureKind(output: unknown): JobErrorKind {
  const kind = output && typeof output === "object" && "kind" in output ? output.kind : null;
  return typeof kind === "string" && isJobErrorKind(kind) ? kind : "other";
}

const senders = new Map<string, Promise<PgBossQueue>>();

/** The sending side for a database, one per process (web processes, and handlers that queue jobs). */
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
