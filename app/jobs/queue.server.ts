import { databaseProvider, databaseUrlOf, type Db } from "../db.server";
import { isUniqueViolation } from "../models/inbox.server";

export type JobName = "backfill" | "daily" | "reclassify" | "segments" | "campaigns";

export interface EnqueueOptions {
  shop?: string;
  runAt?: Date;
  /** At most one waiting job per key: enqueueing again while one waits is a no-op. */
  singletonKey?: string;
}

/** Where jobs go: the Job table (SQLite, the in-process runner) or pg-boss (PostgreSQL). */
export interface JobBackend {
  enqueue(name: JobName, data: Record<string, unknown>, options: EnqueueOptions): Promise<boolean>;
}

const backends = new WeakMap<Db, JobBackend>();

/** A runner started in this process registers its queue for its database (tests pass their own databases). */
export function setJobBackend(db: Db, backend: JobBackend | null): void {
  if (backend) backends.set(db, backend);
  else backends.delete(db);
}

/**
 * The one job interface the app enqueues through, whatever runs the jobs. On PostgreSQL a process that runs no
 * worker (a web process) still enqueues into pg-boss; the workers pick the job up. Returns false when a job with
 * the same singleton key is already waiting.
 */
export async function enqueueJob(db: Db, name: JobName, data: Record<string, unknown>, options: EnqueueOptions = {}): Promise<boolean> {
  const backend = backends.get(db);
  if (backend) return backend.enqueue(name, data, options);
  const url = databaseUrlOf(db);
  if (databaseProvider(db) === "postgresql" && url) {
    const { pgBossQueue } = await import("./pgboss.server");
    return (await pgBossQueue(url)).enqueue(name, data, options);
  }
  return enqueueTableJob(db, name, data, options);
}

async function enqueueTableJob(db: Db, name: JobName, data: Record<string, unknown>, options: EnqueueOptions): Promise<boolean> {
  try {
    await db.job.create({
      data: {
        name,
        shop: options.shop ?? null,
        data: JSON.stringify(data),
        runAt: options.runAt ?? new Date(),
        singletonKey: options.singletonKey ?? null,
      },
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

const STALE_LOCK_MS = 10 * 60 * 1000;

/** Claims the next due job; a lock older than STALE_LOCK_MS belonged to a worker that died and is taken over. */
export async function claimNextJob(db: Db, workerId: string, now: Date) {
  const staleBefore = new Date(now.getTime() - STALE_LOCK_MS);
  const candidate = await db.job.findFirst({
    where: {
      doneAt: null,
      runAt: { lte: now },
      OR: [{ lockedAt: null }, { lockedAt: { lt: staleBefore } }],
    },
    orderBy: [{ runAt: "asc" }, { id: "asc" }],
  });
  if (!candidate) return null;
  const claimed = await db.job.updateMany({
    where: { id: candidate.id, lockedAt: candidate.lockedAt },
    data: { lockedAt: now, lockedBy: workerId, attempts: { increment: 1 } },
  });
  return claimed.count === 1 ? candidate : null;
}

export async function completeJob(db: Db, id: number, now: Date) {
  // The singleton key is released so the same kind of job can be enqueued again.
  await db.job.update({ where: { id }, data: { doneAt: now, lockedAt: null, singletonKey: null, lastError: null } });
}

export const MAX_JOB_ATTEMPTS = 5;

export async function failJob(db: Db, id: number, attempts: number, error: unknown, now: Date) {
  const message = error instanceof Error ? error.message : String(error);
  const giveUp = attempts >= MAX_JOB_ATTEMPTS;
  const backoffMs = Math.min(60_000 * 2 ** attempts, 3_600_000);
  await db.job.update({
    where: { id },
    data: giveUp
      ? { lockedAt: null, lastError: message, doneAt: now, singletonKey: null }
      : { lockedAt: null, lastError: message, runAt: new Date(now.getTime() + backoffMs) },
  });
}
