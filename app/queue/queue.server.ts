import { databaseProvider, databaseUrlOf, type Db } from "../db.server";
import { insertJob, listParkedTableJobs, retryParkedTableJob, type EnqueueOptions } from "./job-table.server";
import type { JobName, ParkedJob } from "./kinds";
import { wakeWorker } from "./wake.server";

export type { EnqueueOptions } from "./job-table.server";
export type { JobName, ParkedJob } from "./kinds";

/**
 * The one job interface the app uses, whatever runs the jobs: the Job table on SQLite, pg-boss on PostgreSQL
 * (chosen by the database the client talks to). A web process that runs no worker still enqueues; the runner
 * picks the job up, woken at once where it listens (wake.server.ts).
 */
async function pgBossQueueOf(db: Db) {
  const url = databaseUrlOf(db);
  if (databaseProvider(db) !== "postgresql" || !url) return null;
  // Loaded only on PostgreSQL, so a SQLite install never opens pg-boss.
  const { pgBossQueue } = await import("./pgboss-queue.server");
  return pgBossQueue(url);
}

/** Returns false when a job with the same singleton key is already waiting. */
export async function enqueueJob(
  db: Db,
  name: JobName,
  data: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<boolean> {
  const boss = await pgBossQueueOf(db);
  const queued = boss ? await boss.enqueue(name, data, options) : await insertJob(db, name, data, options);
  if (queued) wakeWorker();
  return queued;
}

/** The shop's jobs that used all their attempts, newest first (at most PARKED_JOBS_SHOWN), and how many there are. */
export async function listParkedJobs(db: Db, shop: string): Promise<{ jobs: ParkedJob[]; total: number }> {
  const boss = await pgBossQueueOf(db);
  return boss ? boss.listParked(shop) : listParkedTableJobs(db, shop);
}

/** One more attempt for a parked job of this shop; false when the id is not a parked job of the shop. */
export async function retryParkedJob(db: Db, shop: string, id: string, now: Date = new Date()): Promise<boolean> {
  const boss = await pgBossQueueOf(db);
  let retried: boolean;
  if (boss) retried = await boss.retryParked(shop, id);
  else retried = /^\d{1,15}$/.test(id) && (await retryParkedTableJob(db, shop, Number(id), now));
  if (retried) wakeWorker();
  return retried;
}
