import os from "node:os";
import { Cron } from "croner";
import prisma, { type Db } from "../db.server";
import { databaseUrl, isPostgresUrl } from "../db.url";
import { scheduleDailyEvaluations } from "../sync/daily-schedule.server";
import { createThreadExecutor, DEFAULT_STALL_MS } from "./executor.server";
import { RETRY_BASE_SECONDS, type Worker } from "../queue/kinds";
import { startTableRunner } from "./worker.server";
import { wakeWorker } from "../queue/wake.server";
import { logger } from "../logger.server";

/** How a worker process runs its jobs; read once at startup from the environment (DEPLOYMENT.md lists the variables). */
export interface RunnerSettings {
  /** Tasks at once, each in its own thread and of a different shop (LIFECYCLE_WORKER_CONCURRENCY). */
  lanes: number;
  /** A task whose thread's event loop stays blocked this long is stopped (LIFECYCLE_JOB_STALL_SECONDS). */
  stallMs: number;
  /** The first retry's wait, doubling after (LIFECYCLE_JOB_RETRY_SECONDS). */
  retryBaseSeconds: number;
  /** The module the executor threads load instead of the app's handlers (LIFECYCLE_JOB_RUNTIME; tests only). */
  runtimeModule?: string;
  /** How much lower than the web process the worker's threads run (LIFECYCLE_WORKER_NICE, 0–19). */
  nice: number;
  dailyCron: string;
}

export function boundedInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

export function runnerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RunnerSettings {
  return {
    lanes: boundedInteger(env, "LIFECYCLE_WORKER_CONCURRENCY", 2, 1, 32),
    stallMs: boundedInteger(env, "LIFECYCLE_JOB_STALL_SECONDS", DEFAULT_STALL_MS / 1000, 1, 86_400) * 1000,
    retryBaseSeconds: boundedInteger(env, "LIFECYCLE_JOB_RETRY_SECONDS", RETRY_BASE_SECONDS, 1, 86_400),
    runtimeModule: env.LIFECYCLE_JOB_RUNTIME?.trim() || undefined,
    nice: boundedInteger(env, "LIFECYCLE_WORKER_NICE", 10, 0, 19),
    dailyCron: env.DAILY_CRON?.trim() || "0 3 * * *",
  };
}

/**
 * Lowers this thread's scheduling priority before the executor threads start (Linux applies nice per thread, and new
 * threads inherit it): on a machine the web process shares, a busy job then takes the CPU the web process leaves.
 */
function yieldToWebProcess(nice: number): void {
  try {
    os.setPriority(Math.max(os.getPriority(), nice));
  } catch (error) {
    logger.warn({ component: "jobs", err: error }, "worker priority unchanged");
  }
}

/**
 * Starts this process's job runner, the backend chosen once by DATABASE_URL: on SQLite the Job table runner with a
 * cron (one machine); on PostgreSQL a pg-boss worker, any number of which can run side by side. Either way the
 * jobs themselves run in executor threads.
 */
export async function startJobRunner(
  settings: RunnerSettings,
  db: Db = prisma,
  url: string = databaseUrl(),
): Promise<Worker> {
  yieldToWebProcess(settings.nice);
  const executor = createThreadExecutor({
    size: settings.lanes,
    runtimeModule: settings.runtimeModule,
    stallMs: settings.stallMs,
    onWake: wakeWorker,
  });
  if (isPostgresUrl(url)) {
    const { startPgBossWorker } = await import("./pgboss.server");
    return startPgBossWorker({
      db,
      url,
      executor,
      scheduleDaily: (now) => scheduleDailyEvaluations(now, db),
      dailyCron: settings.dailyCron,
      concurrency: settings.lanes,
      retryBaseSeconds: settings.retryBaseSeconds,
    });
  }
  const runner = startTableRunner({ db, executor, lanes: settings.lanes, retryBaseSeconds: settings.retryBaseSeconds });
  const cron = new Cron(settings.dailyCron, { timezone: "UTC" }, () => {
    scheduleDailyEvaluations(new Date(), db).catch((error: unknown) =>
      logger.error({ component: "jobs", err: error }, "daily evaluations not queued"),
    );
  });
  return {
    drain: () => runner.drain(),
    async stop() {
      cron.stop();
      await runner.stop();
    },
  };
}
