import type { Db } from "../db.server";
import { SYNC_ERROR_KINDS, syncErrorKind } from "../shopify/errors";

/**
 * The job vocabulary every runner shares (the Job table on SQLite, pg-boss on PostgreSQL): names, deadlines,
 * attempts and backoff. Pure: no database, no clock.
 */

export const JOB_NAMES = ["backfill", "daily", "reclassify", "segments", "campaigns"] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What a runner hands to an executor: a job, or a slice of one shop's webhook inbox. */
export type TaskKind = JobName | "inbox";

export interface JobTask {
  kind: TaskKind;
  shop: string | null;
  data: Record<string, unknown>;
}

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/**
 * How long one attempt may run before it is stopped and counted as failed: long enough for a large shop's import,
 * short enough that a job stuck on a promise that never settles gives its lane back the same day.
 */
export const TASK_DEADLINE_SECONDS: Record<TaskKind, number> = {
  inbox: 15 * 60,
  segments: 15 * 60,
  campaigns: 15 * 60,
  reclassify: 4 * 3600,
  daily: 4 * 3600,
  backfill: 12 * 3600,
};

/** Attempts before a job is parked for the merchant's Retry (an attempt stopped by a crash or a deadline counts). */
export const MAX_JOB_ATTEMPTS = 5;

/** The first retry waits this long; each further one twice as long (60 s, 2 min, 4 min, 8 min with the defaults). */
export const RETRY_BASE_SECONDS = 60;
const RETRY_MAX_SECONDS = 3600;

/** The wait before the next attempt after `failedAttempts` failures (1 = the first failure). */
export function retryDelayMs(failedAttempts: number, baseSeconds: number = RETRY_BASE_SECONDS): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 16);
  return Math.min(baseSeconds * 2 ** exponent, Math.max(RETRY_MAX_SECONDS, baseSeconds)) * 1000;
}

/**
 * Whether a success makes an earlier parked failure moot. Each run of these jobs redoes the whole shop (an import,
 * a day's evaluation, a refresh), so once a later one has succeeded, a Retry of the parked one would only repeat
 * it. A parked re-classification that retires a tag prefix is moot only once that same prefix has been retired.
 */
export function supersedes(
  succeeded: { name: string; data: Record<string, unknown> },
  parked: { name: string; data: Record<string, unknown> },
): boolean {
  if (succeeded.name !== parked.name) return false;
  if (parked.name === "reclassify")
    return parked.data.retiredPrefix === undefined || parked.data.retiredPrefix === succeeded.data.retiredPrefix;
  return true;
}

/** The reason recorded for an attempt whose runner vanished (kill -9, a lost machine, a hung worker restarted). */
export const STOPPED_WORKER_ERROR =
  "The worker running this job stopped before it finished (a crash, a restart, or the job ran past its limits)";

/** A task the runner stopped (its thread blocked, past its deadline, crashed) rather than one that failed by itself. */
export class TaskStoppedError extends Error {
  override name = "TaskStoppedError";
  /** Serialized with the error (pg-boss stores it in the failed job's output), so the card can word it. */
  readonly kind = "stopped";
  constructor(reason: string) {
    super(`Stopped: ${reason}`);
  }
}

/**
 * Why a job failed, in the words the board uses (jobs.error.<kind>): Shopify's refusals as the import names them
 * (app/shopify/errors.ts), and "stopped" for an attempt the runner stopped or lost with its worker.
 */
export const JOB_ERROR_KINDS = [...SYNC_ERROR_KINDS, "stopped"] as const;
export type JobErrorKind = (typeof JOB_ERROR_KINDS)[number];

/** Told apart by class where the error is thrown (in the executor thread); the kind then travels with the error. */
export function jobErrorKind(error: unknown): JobErrorKind {
  if (error instanceof TaskStoppedError) return "stopped";
  const carried = (error as { kind?: unknown } | null)?.kind;
  if (typeof carried === "string" && isJobErrorKind(carried)) return carried;
  return syncErrorKind(error);
}

export function isJobErrorKind(kind: string): kind is JobErrorKind {
  return (JOB_ERROR_KINDS as readonly string[]).includes(kind);
}

/** Errors are stored and shown, so they are bounded (a stack can be long, a message can quote a whole response). */
export const MAX_ERROR_LENGTH = 2000;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** A job out of attempts, as the board's sync card shows it (either backend). */
export interface ParkedJob {
  /** The backend's id as text (an integer on SQLite, a UUID in pg-boss). */
  id: string;
  name: JobName;
  attempts: number;
  error: string;
  errorKind: JobErrorKind;
  failedAt: string;
}

/** How many parked jobs the card lists (the newest); more are counted, not listed. */
export const PARKED_JOBS_SHOWN = 5;

/** What a job handler gets: its database and clock (the executor thread's own). */
export interface WorkerContext {
  db: Db;
  now: () => Date;
}

export type JobHandler = (
  ctx: WorkerContext,
  job: { shop: string | null; data: Record<string, unknown> },
) => Promise<void>;

/**
 * What an executor runs a task with: the production runtime (handlers.server.ts) or a test's. `run` resolves with
 * the number of inbox deliveries handled (0 for jobs).
 */
export interface JobRuntime {
  run(task: JobTask): Promise<number>;
}

/** A runner: stop() ends it; drain() resolves once nothing is due (tests and the demo wait on it). */
export interface Worker {
  stop(): Promise<void>;
  drain(): Promise<void>;
}
