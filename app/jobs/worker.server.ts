import os from "node:os";
import type { Job } from "@prisma/client";
import type { Db } from "../db.server";
import { shopsWithInboxWork } from "../models/inbox.server";
import type { JobExecutor } from "./executor.server";
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
} from "../queue/job-table.server";
import {
  errorText,
  retryDelayMs,
  TaskStoppedError,
  TASK_DEADLINE_SECONDS,
  type JobName,
  type JobTask,
  type TaskKind,
  type Worker,
} from "../queue/kinds";
import { onWake } from "../queue/wake.server";
import { messageLog } from "../logger.server";

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
/** How long a shop whose inbox slice applied nothing waits before its next slice. */
const NOTHING_DUE_WAIT_MS = 5000;

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
  return new TableRunner(options);
}

class TableRunner implements Worker {
  private readonly db: Db;
  private readonly lanes: number;
  private readonly clock: () => Date;
  private readonly log: (message: string) => void;
  private readonly staleLockMs: number;
  private readonly workerId = runnerId();
  /** The task of each busy shop ("" for a job without one). */
  private readonly running = new Map<string, RunningTask>();
  private readonly inboxBackoff = new Map<string, InboxBackoff>();
  private readonly lastInboxSlice = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[];
  private readonly stopListening: () => void;
  private preferJobs = false;
  private stopping = false;
  private passing: Promise<void> | null = null;
  private again = false;
  private passEnded: Array<() => void> = [];

  constructor(private readonly options: TableRunnerOptions) {
    this.db = options.db;
    this.lanes = Math.max(1, options.lanes ?? 2);
    this.clock = options.now ?? (() => new Date());
    this.log = options.log ?? messageLog("jobs");
    this.staleLockMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
    this.timers = [
      setInterval(() => void this.kick(), options.idleMs ?? 1000),
      setInterval(() => void this.maintainLocks(), Math.max(1000, Math.floor(this.staleLockMs / 4))),
    ];
    this.stopListening = onWake(() => void this.kick());
    void this.maintainLocks().then(() => this.kick());
  }

  async drain(): Promise<void> {
    for (;;) {
      await this.kick();
      if (!(await this.outstanding())) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.passEnded.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timers.forEach(clearInterval);
    this.stopListening();
    await this.passing;
    const tasks = [...this.running.values()].map((r) => r.done);
    const grace = new Promise((resolve) => setTimeout(resolve, this.options.stopGraceMs ?? 10_000).unref());
    await Promise.race([Promise.all(tasks), grace]);
    await this.options.executor.close();
    await Promise.all(tasks);
  }

  /** Fills the free lanes; one pass at a time, and a wake during a pass runs another right after it. */
  private kick(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.passing) {
      this.again = true;
      return this.passing;
    }
    this.passing = (async () => {
      do {
        this.again = false;
        try {
          while (this.running.size < this.lanes && !this.stopping) {
            const next = await this.nextTask();
            if (!next) break;
            this.launch(next.task, next.job);
          }
        } catch (error) {
          this.log(`scheduling pass failed: ${errorText(error)}`);
        }
      } while (this.again && !this.stopping);
    })().finally(() => {
      this.passing = null;
      this.passEnded.splice(0).forEach((resolve) => resolve());
    });
    return this.passing;
  }

  /** Inbox slices and jobs alternate; among shops with deliveries, the one whose inbox ran longest ago goes first. */
  private async nextTask(): Promise<{ task: JobTask; job: Job | null } | null> {
    const now = this.clock();
    const inbox = async () => {
      const shop = (await this.dueInboxShops(now.getTime())).find((s) => !this.running.has(s));
      return shop === undefined ? null : { task: { kind: "inbox" as const, shop, data: {} }, job: null };
    };
    const job = async () => {
      const claimed = await claimNextJob(this.db, this.workerId, now, [...this.running.keys()]);
      return (
        claimed && {
          task: { kind: claimed.name as JobName, shop: claimed.shop, data: parseJobData(claimed.data) },
          job: claimed,
        }
      );
    };
    for (const pick of this.preferJobs ? [job, inbox] : [inbox, job]) {
      const next = await pick();
      if (next) {
        this.preferJobs = next.task.kind === "inbox";
        return next;
      }
    }
    return null;
  }

  private async dueInboxShops(now: number): Promise<string[]> {
    const shops = await shopsWithInboxWork(this.db, this.clock());
    return shops
      .filter((shop) => (this.inboxBackoff.get(shop)?.until ?? 0) <= now)
      .sort((a, b) => (this.lastInboxSlice.get(a) ?? 0) - (this.lastInboxSlice.get(b) ?? 0));
  }

  private launch(task: JobTask, job: Job | null): void {
    const key = task.shop ?? "";
    if (task.kind === "inbox") this.lastInboxSlice.set(key, Date.now());
    const deadlineMs = (this.options.deadlineSeconds?.[task.kind] ?? TASK_DEADLINE_SECONDS[task.kind]) * 1000;
    const done = this.options.executor
      .run(task, { deadlineMs })
      .then(
        (handled) => this.succeeded(task, job, handled),
        (error: unknown) => this.failed(task, job, error),
      )
      .catch((error: unknown) => this.log(`bookkeeping of ${task.kind} for ${task.shop} failed: ${errorText(error)}`))
      .finally(() => {
        this.running.delete(key);
        void this.kick();
      });
    this.running.set(key, { task, job, done });
  }

  private async succeeded(task: JobTask, job: Job | null, handled: number): Promise<void> {
    if (job) await completeJob(this.db, job, this.clock());
    // A slice that found nothing it could apply (deliveries waiting for something, not due yet) is not retried at
    // once: the shop would otherwise be handed a lane on every pass.
    else if (handled === 0)
      this.inboxBackoff.set(task.shop ?? "", { failures: 0, until: Date.now() + NOTHING_DUE_WAIT_MS });
    else this.inboxBackoff.delete(task.shop ?? "");
  }

  private async failed(task: JobTask, job: Job | null, error: unknown): Promise<void> {
    if (this.stopping && error instanceof TaskStoppedError) {
      if (job) await releaseJob(this.db, job.id, this.workerId);
      return;
    }
    if (job) {
      const outcome = await failJob(this.db, job, error, this.clock(), {
        retryBaseSeconds: this.options.retryBaseSeconds,
        workerId: this.workerId,
      });
      this.log(
        `job ${job.name}#${job.id} for ${job.shop} failed (attempt ${job.attempts} of ${job.maxAttempts}${outcome === "parked" ? ", parked" : ""}): ${errorText(error)}`,
      );
      return;
    }
    const key = task.shop ?? "";
    const failures = (this.inboxBackoff.get(key)?.failures ?? 0) + 1;
    const waitMs = retryDelayMs(failures, this.options.retryBaseSeconds);
    this.inboxBackoff.set(key, { failures, until: Date.now() + waitMs });
    this.log(
      `inbox of ${task.shop} failed (${failures} in a row; next slice in ${Math.round(waitMs / 1000)} s): ${errorText(error)}`,
    );
  }

  /** Renews the locks of the jobs this runner runs, and counts the attempts of runners that died. */
  private async maintainLocks(): Promise<void> {
    const mine = [...this.running.values()].flatMap((r) => (r.job ? [r.job.id] : []));
    try {
      await renewJobLocks(this.db, this.workerId, mine, this.clock());
      const deadLockers = (await jobLockers(this.db)).filter(
        (locker) => locker !== this.workerId && runnerIsGone(locker),
      );
      const policy = { retryBaseSeconds: this.options.retryBaseSeconds, exceptIds: mine, deadLockers };
      const recovered = await recoverStaleJobs(this.db, this.clock(), this.staleLockMs, policy);
      if (recovered > 0) this.log(`${recovered} job(s) of a worker that stopped counted as failed attempts`);
    } catch (error) {
      this.log(`job locks not maintained: ${errorText(error)}`);
    }
  }

  private async outstanding(): Promise<boolean> {
    if (this.running.size > 0) return true;
    if ((await this.dueInboxShops(Date.now())).length > 0) return true;
    return (await outstandingTableJobs(this.db, this.clock())) > 0;
  }
}
