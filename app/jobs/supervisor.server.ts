import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { messageLog } from "../logger.server";

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
 * The worker's environment: this process's, with glibc's malloc arenas capped at 2 unless it sets them. The worker
 * runs each job in a thread and a large import parses in one more; each thread's arena kept what it had freed, and
 * an import's peak RSS came out 30–60 MB apart from one run to the next (bench/import.bench.ts). `npm run worker`
 * sets the same.
 */
export function workerProcessEnv<Env extends Record<string, string | undefined>>(env: Env): Env {
  return { MALLOC_ARENA_MAX: "2", ...env, LIFECYCLE_WORKER: "on" };
}

/**
 * Runs the worker as a child process of this (web) process, with the same environment: restarted with a growing
 * wait when it dies, restarted when it stops reporting, stopped with this process. Jobs never run on the web
 * process's event loop, so a job that loops or crashes cannot stop the app from answering.
 */
export function superviseWorkerProcess(options: SuperviseOptions = {}): WorkerProcess {
  return new Supervisor(
    options.entry ?? workerEntryPath(),
    options.env ?? process.env,
    options.log ?? messageLog("supervisor"),
  );
}

class Supervisor implements WorkerProcess {
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private lastAlive = 0;
  private failuresInARow = 0;
  private restartCount = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private lastWake = 0;
  private readonly watchdog: NodeJS.Timeout;
  private readonly killOnExit = () => this.child?.kill("SIGTERM");

  constructor(
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (message: string) => void,
  ) {
    this.watchdog = setInterval(() => this.killIfSilent(), ALIVE_INTERVAL_MS);
    this.watchdog.unref();
    process.on("exit", this.killOnExit);
    this.start();
  }

  wake(): void {
    if (this.wakeTimer) return;
    const sinceLast = Date.now() - this.lastWake;
    if (sinceLast >= WAKE_WINDOW_MS) this.sendWake();
    else this.wakeTimer = setTimeout(() => this.sendWake(), WAKE_WINDOW_MS - sinceLast);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    process.off("exit", this.killOnExit);
    const worker = this.child;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.kill("SIGTERM");
    const timer = setTimeout(() => worker.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  pid(): number | undefined {
    return this.child?.pid;
  }

  restarts(): number {
    return this.restartCount;
  }

  private start(): void {
    this.restartTimer = null;
    if (this.stopping) return;
    const worker = fork(this.entry, [], {
      execArgv: ["--import", "tsx"],
      env: workerProcessEnv(this.env),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child = worker;
    this.startedAt = this.lastAlive = Date.now();
    worker.on("message", (message: SupervisorMessage) => {
      if (message?.type === "alive") this.lastAlive = Date.now();
    });
    worker.on("error", (error) => this.log(`worker process error: ${error.message}`));
    worker.once("exit", (code, signal) => this.restartAfterExit(worker, code, signal));
  }

  private restartAfterExit(worker: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === worker) this.child = null;
    if (this.stopping) return;
    this.failuresInARow = Date.now() - this.startedAt >= HEALTHY_AFTER_MS ? 1 : this.failuresInARow + 1;
    const waitMs = Math.min(RESTART_MIN_MS * 2 ** (this.failuresInARow - 1), RESTART_MAX_MS);
    this.log(`worker process ${worker.pid} exited (${signal ?? `code ${code}`}); restarting in ${waitMs / 1000} s`);
    this.restartCount++;
    this.restartTimer = setTimeout(() => this.start(), waitMs);
  }

  private killIfSilent(): void {
    const worker = this.child;
    if (worker && worker.exitCode === null && Date.now() - this.lastAlive > ALIVE_TIMEOUT_MS) {
      this.log(`worker process ${worker.pid} silent for ${ALIVE_TIMEOUT_MS / 1000} s; killing it`);
      worker.kill("SIGKILL");
    }
  }

  private sendWake(): void {
    this.wakeTimer = null;
    this.lastWake = Date.now();
    if (this.child?.connected)
      this.child.send(
        { type: "wake" } satisfies SupervisorMessage,
        (error) => error && this.log(`wake not sent: ${error.message}`),
      );
  }
}
