import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Messages between a web process and the worker process it supervises. */
export type SupervisorMessage = { type: "wake" } | { type: "alive" };

/** The worker reports this often that its main loop turns. */
export const ALIVE_INTERVAL_MS = 2000;
/** A worker silent this long is stuck (its jobs run in threads, so its own loop never should be) and is restarted. */
const ALIVE_TIMEOUT_MS = 120_000;
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 60_000;
/** A worker that ran this long before it died starts its restarts from the shortest wait again. */
const HEALTHY_AFTER_MS = 60_000;
/** Webhooks can arrive by the thousand per second; one wake per window is enough for the worker to look. */
const WAKE_WINDOW_MS = 20;
const STOP_TIMEOUT_MS = 30_000;

export interface WorkerProcess {
  /** Asks the worker to look for work now (a webhook was stored, a job queued). */
  wake(): void;
  stop(): Promise<void>;
  /** The current worker's pid (undefined between a death and its restart). */
  pid(): number | undefined;
  restarts(): number;
}

/**
 * `app/jobs/worker-cli.ts`, found from wherever this module runs: app/jobs in development and tests, or the
 * production bundle in build/server (the project's source ships with the build; tsx runs it).
 */
export function workerEntryPath(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "app/jobs/worker-cli.ts");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`app/jobs/worker-cli.ts not found above ${from}`);
  }
}

export interface SuperviseOptions {
  entry?: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

/**
 * Runs the worker as a child process of this (web) process, with the same environment: restarted with a growing
 * wait when it dies, restarted when it stops reporting, stopped with this process. Jobs never run on the web
 * process's event loop, so a job that loops or crashes cannot stop the app from answering.
 */
export function superviseWorkerProcess(options: SuperviseOptions = {}): WorkerProcess {
  const entry = options.entry ?? workerEntryPath();
  const log = options.log ?? ((message: string) => console.log(`[supervisor] ${message}`));
  let child: ChildProcess | null = null;
  let startedAt = 0;
  let lastAlive = 0;
  let failuresInARow = 0;
  let restarts = 0;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | null = null;
  let wakeTimer: NodeJS.Timeout | null = null;
  let lastWake = 0;

  function start(): void {
    restartTimer = null;
    if (stopping) return;
    const worker = fork(entry, [], {
      execArgv: ["--import", "tsx"],
      env: { ...(options.env ?? process.env), LIFECYCLE_WORKER: "on" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child = worker;
    startedAt = lastAlive = Date.now();
    worker.on("message", (message: SupervisorMessage) => {
      if (message?.type === "alive") lastAlive = Date.now();
    });
    worker.on("error", (error) => log(`worker process error: ${error.message}`));
    worker.once("exit", (code, signal) => {
      if (child === worker) child = null;
      if (stopping) return;
      failuresInARow = Date.now() - startedAt >= HEALTHY_AFTER_MS ? 1 : failuresInARow + 1;
      const waitMs = Math.min(RESTART_MIN_MS * 2 ** (failuresInARow - 1), RESTART_MAX_MS);
      log(`worker process ${worker.pid} exited (${signal ?? `code ${code}`}); restarting in ${waitMs / 1000} s`);
      restarts++;
      restartTimer = setTimeout(start, waitMs);
    });
  }

  const watchdog = setInterval(() => {
    if (child && child.exitCode === null && Date.now() - lastAlive > ALIVE_TIMEOUT_MS) {
      log(`worker process ${child.pid} silent for ${ALIVE_TIMEOUT_MS / 1000} s; killing it`);
      child.kill("SIGKILL");
    }
  }, ALIVE_INTERVAL_MS);
  watchdog.unref();

  const killOnExit = () => child?.kill("SIGTERM");
  process.on("exit", killOnExit);
  start();

  function sendWake(): void {
    wakeTimer = null;
    lastWake = Date.now();
    if (child?.connected) child.send({ type: "wake" } satisfies SupervisorMessage, (error) => error && log(`wake not sent: ${error.message}`));
  }

  return {
    wake() {
      if (wakeTimer) return;
      const sinceLast = Date.now() - lastWake;
      if (sinceLast >= WAKE_WINDOW_MS) sendWake();
      else wakeTimer = setTimeout(sendWake, WAKE_WINDOW_MS - sinceLast);
    },
    async stop() {
      stopping = true;
      clearInterval(watchdog);
      if (restartTimer) clearTimeout(restartTimer);
      if (wakeTimer) clearTimeout(wakeTimer);
      process.off("exit", killOnExit);
      const worker = child;
      if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.kill("SIGTERM");
      const timer = setTimeout(() => worker.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    pid: () => child?.pid,
    restarts: () => restarts,
  };
}
