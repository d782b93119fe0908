import type { Job } from "@prisma/client";
import type { Db } from "../db.server";
import { isUniqueViolation } from "../models/inbox.server";
import {
  errorText,
  isJobErrorKind,
  jobErrorKind,
  PARKED_JOBS_SHOWN,
  STOPPED_WORKER_ERROR,
  retryDelayMs,
  supersedes,
  type JobName,
  type ParkedJob,
} from "./kinds";

/**
 * The Job table: the queue of the SQLite runner. A job is waiting (no lock, runAt due), running (locked, the lock
 * renewed by its runner), done (doneAt), or parked (failedAt: out of attempts, kept with its reason until Retry).
 * Attempts are counted when a job is claimed, so an attempt that never reports back (a crash, kill -9, a thread
 * stopped at its deadline) still counts.
 */

export interface EnqueueOptions {
  shop?: string;
  runAt?: Date;
  /** At most one waiting job per key: enqueueing again while one waits is a no-op. */
  singletonKey?: string;
}

export interface RetryPolicy {
  /** The first retry's wait; each further one doubles (kinds.ts retryDelayMs). */
  retryBaseSeconds?: number;
}

/** Returns false when a job with the same singleton key is already waiting. */
export async function insertJob(
  db: Db,
  name: JobName,
  data: Record<string, unknown>,
  options: EnqueueOptions,
): Promise<boolean> {
  try {
    await db.job.create({
      data: {
        name,
        shop: options.shop ?? null,
        data: JSON.stringify(data),
        runAt: options.runAt ?? new Date(),
        singletonKey: options.singletonKey ?? null,
        key: options.singletonKey ?? null,
      },
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * Claims the oldest due job of a shop that is not busy in this runner (a shop's jobs run one at a time, so a
 * shop's tag writes share one model of its rate-limit bucket). The claim counts an attempt.
 */
export async function claimNextJob(
  db: Db,
  workerId: string,
  now: Date,
  busyShops: readonly string[] = [],
): Promise<Job | null> {
  for (;;) {
    const candidate = await db.job.findFirst({
      where: {
        doneAt: null,
        failedAt: null,
        lockedAt: null,
        runAt: { lte: now },
        ...(busyShops.length > 0 ? { OR: [{ shop: null }, { shop: { notIn: [...busyShops] } }] } : {}),
      },
      orderBy: [{ runAt: "asc" }, { id: "asc" }],
    });
    if (!candidate) return null;
    const claimed = await db.job.updateMany({
      where: { id: candidate.id, lockedAt: null, doneAt: null, failedAt: null },
      data: { lockedAt: now, lockedBy: workerId, attempts: { increment: 1 } },
    });
    // Lost a race with another claimer (a second worker process, which SQLite deployments should not run): next one.
    if (claimed.count === 1)
      return { ...candidate, lockedAt: now, lockedBy: workerId, attempts: candidate.attempts + 1 };
  }
}

/** Who holds the locks of running jobs (runner ids), to find those of runners that are gone. */
export async function jobLockers(db: Db): Promise<string[]> {
  const rows = await db.job.findMany({
    where: { doneAt: null, failedAt: null, lockedAt: { not: null } },
    select: { lockedBy: true },
    distinct: ["lockedBy"],
  });
  return rows.flatMap((row) => (row.lockedBy ? [row.lockedBy] : []));
}

/** The runner renews the locks of the jobs it runs; a lock left unrenewed marks a job whose runner died. */
export async function renewJobLocks(db: Db, workerId: string, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.job.updateMany({
    where: { id: { in: [...ids] }, lockedBy: workerId, doneAt: null },
    data: { lockedAt: now },
  });
}

export async function completeJob(db: Db, job: Pick<Job, "id" | "shop" | "name" | "data">, now: Date): Promise<void> {
  // The singleton key is released so the same kind of job can be queued again.
  await db.job.update({
    where: { id: job.id },
    data: { doneAt: now, lockedAt: null, singletonKey: null, lastError: null, errorKind: null },
  });
  await resolveSupersededParkedJobs(db, job, now);
}

async function resolveSupersededParkedJobs(
  db: Db,
  job: Pick<Job, "id" | "shop" | "name" | "data">,
  now: Date,
): Promise<void> {
  const parked = await db.job.findMany({
    where: { shop: job.shop, name: job.name, failedAt: { not: null }, doneAt: null },
    select: { id: true, name: true, data: true },
  });
  const succeeded = { name: job.name, data: parseJobData(job.data) };
  const moot = parked
    .filter((p) => supersedes(succeeded, { name: p.name, data: parseJobData(p.data) }))
    .map((p) => p.id);
  if (moot.length > 0)
    await db.job.updateMany({ where: { id: { in: moot } }, data: { doneAt: now, lastError: null, errorKind: null } });
}

/**
 * Records a failed attempt: the job waits for its next attempt (exponential backoff), or is parked once it has
 * used its attempts. `workerId` guards against a runner that lost the job (its lock was taken over) overwriting it.
 */
export async function failJob(
  db: Db,
  job: Pick<Job, "id" | "attempts" | "maxAttempts">,
  error: unknown,
  now: Date,
  policy: RetryPolicy & { workerId?: string } = {},
): Promise<"retry" | "parked"> {
  const lastError = errorText(error);
  const errorKind = jobErrorKind(error);
  const park = job.attempts >= job.maxAttempts;
  await db.job.updateMany({
    where: { id: job.id, doneAt: null, failedAt: null, ...(policy.workerId ? { lockedBy: policy.workerId } : {}) },
    data: park
      ? { lockedAt: null, lastError, errorKind, failedAt: now, singletonKey: null }
      : {
          lockedAt: null,
          lastError,
          errorKind,
          runAt: new Date(now.getTime() + retryDelayMs(job.attempts, policy.retryBaseSeconds)),
        },
  });
  return park ? "parked" : "retry";
}

/**
 * Jobs whose lock nobody has renewed for `staleMs`, or held by a runner known to be dead, belonged to a runner that
 * died (or hung): each such attempt counts as failed, so a job that brings its runner down every time is parked
 * after its attempts instead of being taken again after every restart.
 */
export async function recoverStaleJobs(
  db: Db,
  now: Date,
  staleMs: number,
  policy: RetryPolicy & { exceptIds?: readonly number[]; deadLockers?: readonly string[] } = {},
): Promise<number> {
  const stale = await db.job.findMany({
    where: {
      doneAt: null,
      failedAt: null,
      OR: [
        { lockedAt: { lt: new Date(now.getTime() - staleMs) } },
        ...(policy.deadLockers?.length ? [{ lockedBy: { in: [...policy.deadLockers] } }] : []),
      ],
      ...(policy.exceptIds?.length ? { id: { notIn: [...policy.exceptIds] } } : {}),
    },
    select: { id: true, attempts: true, maxAttempts: true, lockedAt: true },
  });
  let recovered = 0;
  for (const job of stale) {
    const park = job.attempts >= job.maxAttempts;
    const { count } = await db.job.updateMany({
      where: { id: job.id, lockedAt: job.lockedAt, doneAt: null, failedAt: null },
      data: park
        ? { lockedAt: null, lastError: STOPPED_WORKER_ERROR, errorKind: "stopped", failedAt: now, singletonKey: null }
        : {
            lockedAt: null,
            lastError: STOPPED_WORKER_ERROR,
            errorKind: "stopped",
            runAt: new Date(now.getTime() + retryDelayMs(job.attempts, policy.retryBaseSeconds)),
          },
    });
    recovered += count;
  }
  return recovered;
}

/**
 * Gives a running job back without counting its attempt: the runner is shutting down (a deploy, Ctrl-C), which is
 * not the job's failure. Every job resumes or repeats safely (imports checkpoint, the rest are idempotent).
 */
export async function releaseJob(db: Db, id: number, workerId: string): Promise<void> {
  await db.job.updateMany({
    where: { id, lockedBy: workerId, doneAt: null, failedAt: null, attempts: { gt: 0 } },
    data: { lockedAt: null, attempts: { decrement: 1 } },
  });
}

export async function listParkedTableJobs(db: Db, shop: string): Promise<{ jobs: ParkedJob[]; total: number }> {
  const where = { shop, failedAt: { not: null }, doneAt: null };
  const [rows, total] = await Promise.all([
    db.job.findMany({ where, orderBy: [{ failedAt: "desc" }, { id: "desc" }], take: PARKED_JOBS_SHOWN }),
    db.job.count({ where }),
  ]);
  return {
    total,
    jobs: rows.map((row) => ({
      id: String(row.id),
      name: row.name as JobName,
      attempts: row.attempts,
      error: row.lastError ?? "",
      errorKind: row.errorKind && isJobErrorKind(row.errorKind) ? row.errorKind : "other",
      failedAt: row.failedAt!.toISOString(),
    })),
  };
}

/**
 * Queues a parked job of this shop for one more attempt, now. False when there is no such parked job (another
 * shop's id, or already retried). When a job with the same key is waiting meanwhile, that one will do the work:
 * the parked one is closed instead of queued twice.
 */
export async function retryParkedTableJob(db: Db, shop: string, id: number, now: Date): Promise<boolean> {
  const job = await db.job.findFirst({ where: { id, shop, failedAt: { not: null }, doneAt: null } });
  if (!job) return false;
  const requeue = { failedAt: null, lockedAt: null, lockedBy: null, runAt: now, maxAttempts: job.attempts + 1 };
  try {
    const { count } = await db.job.updateMany({
      where: { id, failedAt: { not: null }, doneAt: null },
      data: { ...requeue, singletonKey: job.key },
    });
    return count === 1;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const { count } = await db.job.updateMany({
      where: { id, failedAt: { not: null }, doneAt: null },
      data: { doneAt: now },
    });
    return count === 1;
  }
}

/** Jobs due now or running: what drain() waits for (a job waiting out its backoff is not outstanding). */
export function outstandingTableJobs(db: Db, now: Date): Promise<number> {
  return db.job.count({
    where: { doneAt: null, failedAt: null, OR: [{ runAt: { lte: now } }, { lockedAt: { not: null } }] },
  });
}

/** The earliest moment a waiting job becomes due, so an idle runner wakes for it. */
export async function nextJobDueAt(db: Db): Promise<Date | null> {
  const next = await db.job.findFirst({
    where: { doneAt: null, failedAt: null, lockedAt: null },
    orderBy: { runAt: "asc" },
    select: { runAt: true },
  });
  return next?.runAt ?? null;
}

export function parseJobData(data: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(data);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
