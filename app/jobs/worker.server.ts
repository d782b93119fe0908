import os from "node:os";
import type { Db } from "../db.server";
import { claimNextJob, completeJob, failJob, type JobName } from "./queue.server";

export interface WorkerContext {
  db: Db;
  now: () => Date;
}

export type JobHandler = (ctx: WorkerContext, job: { shop: string | null; data: Record<string, unknown> }) => Promise<void>;

export interface WorkerOptions {
  db: Db;
  handlers: Record<JobName, JobHandler>;
  /** Applies a batch of inbox deliveries; returns how many it handled (0 = inbox empty). */
  processInbox: (ctx: WorkerContext) => Promise<number>;
  now?: () => Date;
  idleMs?: number;
  log?: (message: string) => void;
}

export interface Worker {
  stop(): Promise<void>;
  /** Resolves once the inbox and every due job are done (tests and the demo wait on it). */
  drain(): Promise<void>;
}

let wake: (() => void) | null = null;

/** Lets a webhook route start the worker's next pass at once instead of at the next poll. */
export function wakeWorker(): void {
  wake?.();
}

/** The runner of this process (in-process or pg-boss) says what waking it means; null when it stops. */
export function setWakeHandler(handler: (() => void) | null): void {
  wake = handler;
}

export function startWorker(options: WorkerOptions): Worker {
  const ctx: WorkerContext = { db: options.db, now: options.now ?? (() => new Date()) };
  const workerId = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const idleMs = options.idleMs ?? 1000;
  const log = options.log ?? ((message: string) => console.log(`[worker] ${message}`));
  let stopped = false;
  let idleWaiters: Array<() => void> = [];
  let sleeping: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  setWakeHandler(() => {
    if (sleeping) {
      clearTimeout(sleeping.timer);
      sleeping.resolve();
      sleeping = null;
    }
  });

  async function runOneJob(): Promise<boolean> {
    const job = await claimNextJob(ctx.db, workerId, ctx.now());
    if (!job) return false;
    const handler = options.handlers[job.name as JobName];
    try {
      if (!handler) throw new Error(`No handler for job "${job.name}"`);
      await handler(ctx, { shop: job.shop, data: JSON.parse(job.data) as Record<string, unknown> });
      await completeJob(ctx.db, job.id, ctx.now());
    } catch (error) {
      log(`job ${job.name}#${job.id} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      await failJob(ctx.db, job.id, job.attempts + 1, error, ctx.now());
    }
    return true;
  }

  const loop = (async () => {
    while (!stopped) {
      let didWork = false;
      try {
        didWork = (await options.processInbox(ctx)) > 0;
        if (!didWork) didWork = await runOneJob();
      } catch (error) {
        log(`pass failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      }
      if (didWork) continue;
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
      if (stopped) break;
      await new Promise<void>((resolve) => {
        sleeping = { timer: setTimeout(resolve, idleMs), resolve };
      });
      sleeping = null;
    }
  })();

  return {
    async stop() {
      stopped = true;
      wakeWorker();
      await loop;
      idleWaiters.forEach((resolve) => resolve());
      setWakeHandler(null);
    },
    drain() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wakeWorker();
      });
    },
  };
}
