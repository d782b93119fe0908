import os from "node:os";
import type { Job } from "@prisma/client";
import type { Db } from "../db.server";
import { shopsWithPendingDeliveries } from "../models/inbox.server";
import { TaskStoppedError, type JobExecutor } from "./executor.server";
import {
  claimNextJob,
  completeJob,
  failJob,
  jobLockers,
  outstandingTableJobs,
  parseJobData,
  recoverStaleJobs,
  releaseJob,
  renewJobLocks,
} from "./job-table.server";
import { errorText, retryDelayMs, TASK_DEADLINE_SECONDS, type JobName, type JobTask, type TaskKind, type Worker } from "./kinds";
import { onWake } from "./wake.server";

/**
 * The job runner on SQLite: the Job table and the webhook inbox, run in `lanes` executor threads at once. Each
 * lane takes one shop's task (a job, or a slice of the shop's inbox), and a shop never has two tasks running, so
 * a shop whose job hangs or fails holds one lane at most while the other shops' inboxes and jobs go on. Inbox
 * slices and jobs alternate, so neither starves the other.
 */
export interface TableRunnerOptions {
  db: Db;
  executor: JobExecutor;
  /** Tasks at once (the executor should have as many threads). */
  lanes?: number;
  /** How often the runner looks for due work when nothing wakes it. */
  idleMs?: number;
  now?: () => Date;
  /** The first retry's wait (then doubling, kinds.ts). */
  retryBaseSeconds?: number;
  /** A job lock not renewed for this long belonged to a runner that died: its attempt counts as failed. */
  staleLockMs?: number;
  /** Deadlines other than kinds.ts TASK_DEADLINE_SECONDS (tests). */
  deadlineSeconds?: Partial<Record<TaskKind, number>>;
  /** How long stop() lets running tasks finish before it stops them (their jobs are then given back, not failed). */
  stopGraceMs?: number;
  log?: (message: string) => void;
}

export const DEFAULT_STALE_LOCK_MS = 120_000;

interface RunningTask {
  task: JobTask;
  job: Job | null;
  done: Promise<void>;
}

/** A shop whose inbox slice failed or was stopped waits before its next slice, doubling per failure in a row. */
interface InboxBackoff {
  failures: number;
  until: number;
}

/** host:pid:nonce — enough to tell, on this machine, whether the runner holding a lock still exists. */
function runnerId(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** A runner of this machine whose process is gone (kill -9, a crash): its locks need not wait to go stale. */
export function runnerIsGone(locker: string): boolean {
  const parts = locker.split(":");
  const pid = Number(parts.at(-2));
  if (parts.slice(0, -2).join(":") !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function startTableRunner(options: TableRunnerOptions): Worker {
  const { db, executor } = options;
  const lanes = Math.max(1, options.lanes ?? 2);
  const clock = options.now ?? (() => new Date());
  const log = options.log ?? ((message: string) => console.log(`[jobs] ${message}`));
  const staleLockMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
  const policy = { retryBaseSeconds: options.retryBaseSeconds };
  const workerId = runnerId();
  const running = new Map<string, RunningTask>();
  const inboxBackoff = new Map<string, InboxBackoff>();
  const lastInboxSlice = new Map<string, number>();
  let preferJobs = false;
  let stopping = false;
  let changed: Array<() => void> = [];

  const shopKey = (shop: string | null) => shop ?? "";

  async function dueInboxShops(now: number): Promise<string[]> {
    const shops = await shopsWithPendingDeliveries(db);
    return shops
      .filter((shop) => (inboxBackoff.get(shop)?.until ?? 0) <= now)
      .sort((a, b) => (lastInboxSlice.get(a) ?? 0) - (lastInboxSlice.get(b) ?? 0));
  }

  async function nextTask(): Promise<{ task: JobTask; job: Job | null } | null> {
    const now = clock();
    const busy = [...running.keys()];
    const inbox = async () => {
      const shop = (await dueInboxShops(now.getTime())).find((s) => !running.has(s));
      return shop === undefined ? null : { task: { kind: "inbox" as const, shop, data: {} }, job: null };
    };
    const job = async () => {
      const claimed = await claimNextJob(db, workerId, now, busy);
      return claimed && { task: { kind: claimed.name as JobName, shop: claimed.shop, data: parseJobData(claimed.data) }, job: claimed };
    };
    for (const pick of preferJobs ? [job, inbox] : [inbox, job]) {
      const next = await pick();
      if (next) {
        preferJobs = next.task.kind === "inbox";
        return next;
      }
    }
    return null;
  }

  function launch(task: JobTask, job: Job | null): void {
    const key = shopKey(task.shop);
    if (task.kind === "inbox") lastInboxSlice.set(key, Date.now());
    const done = executor
      .run(task, { deadlineMs: (options.deadlineSeconds?.[task.kind] ?? TASK_DEADLINE_SECONDS[task.kind]) * 1000 })
      .then(
        () => succeeded(task, job),
        (error: unknown) => failed(task, job, error),
      )
      .catch((error: unknown) => log(`bookkeeping of ${task.kind} for ${task.shop} failed: ${errorText(error)}`))
      .finally(() => {
        running.delete(key);
        kick();
      });
    running.set(key, { task, job, done });
  }

  async function succeeded(task: JobTask, job: Job | null): Promise<void> {
    if (job) await completeJob(db, job, clock());
    else inboxBackoff.delete(shopKey(task.shop));
  }

  async function failed(task: JobTask, job: Job | null, error: unknown): Promise<void> {
    if (stopping && error instanceof TaskStoppedError) {
      if (job) await releaseJob(db, job.id, workerId);
      return;
    }
    if (job) {
      const outcome = await failJob(db, job, error, clock(), { ...policy, workerId });
      log(`job ${job.name}#${job.id} for ${job.shop} failed (attempt ${job.attempts} of ${job.maxAttempts}${outcome === "parked" ? ", parked" : ""}): ${errorText(error)}`);
      return;
    }
    const key = shopKey(task.shop);
    const failures = (inboxBackoff.get(key)?.failures ?? 0) + 1;
    const waitMs = retryDelayMs(failures, options.retryBaseSeconds);
    inboxBackoff.set(key, { failures, until: Date.now() + waitMs });
    log(`inbox of ${task.shop} failed (${failures} in a row; next slice in ${Math.round(waitMs / 1000)} s): ${errorText(error)}`);
  }

  // One pass at a time; a wake during a pass runs another right after it.
  let passing: Promise<void> | null = null;
  let again = false;
  function kick(): Promise<void> {
    if (stopping) return Promise.resolve();
    if (passing) {
      again = true;
      return passing;
    }
    passing = (async () => {
      do {
        again = false;
        try {
          while (running.size < lanes && !stopping) {
            const next = await nextTask();
            if (!next) break;
            launch(next.task, next.job);
          }
        } catch (error) {
          log(`scheduling pass failed: ${errorText(error)}`);
        }
      } while (again && !stopping);
    })().finally(() => {
      passing = null;
      const waiters = changed;
      changed = [];
      waiters.forEach((resolve) => resolve());
    });
    return passing;
  }

  async function maintainLocks(): Promise<void> {
    const mine = [...running.values()].flatMap((r) => (r.job ? [r.job.id] : []));
    try {
      await renewJobLocks(db, workerId, mine, clock());
      const deadLockers = (await jobLockers(db)).filter((locker) => locker !== workerId && runnerIsGone(locker));
      const recovered = await recoverStaleJobs(db, clock(), staleLockMs, { ...policy, exceptIds: mine, deadLockers });
      if (recovered > 0) log(`${recovered} job(s) of a worker that stopped counted as failed attempts`);
    } catch (error) {
      log(`job locks not maintained: ${errorText(error)}`);
    }
  }

  const pollTimer = setInterval(() => void kick(), options.idleMs ?? 1000);
  const lockTimer = setInterval(() => void maintainLocks(), Math.max(1000, Math.floor(staleLockMs / 4)));
  const stopListening = onWake(() => void kick());
  void maintainLocks().then(() => kick());

  async function outstanding(): Promise<boolean> {
    if (running.size > 0) return true;
    if ((await dueInboxShops(Date.now())).length > 0) return true;
    return (await outstandingTableJobs(db, clock())) > 0;
  }

  return {
    async drain() {
      for (;;) {
        await kick();
        if (!(await outstanding())) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          changed.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async stop() {
      stopping = true;
      clearInterval(pollTimer);
      clearInterval(lockTimer);
      stopListening();
      await passing;
      const tasks = [...running.values()].map((r) => r.done);
      const grace = new Promise((resolve) => setTimeout(resolve, options.stopGraceMs ?? 10_000).unref());
      await Promise.race([Promise.all(tasks), grace]);
      await executor.close();
      await Promise.all(tasks);
    },
  };
}
