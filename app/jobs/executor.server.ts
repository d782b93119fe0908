import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker as Thread } from "node:worker_threads";
import { threadExecArgv } from "../threads.server";
import { errorText, TaskStoppedError, type JobErrorKind, type JobRuntime, type JobTask } from "../queue/kinds";

/**
 * Where a runner's tasks execute. The thread executor gives each running task a worker thread of its own, so a task
 * that blocks its event loop (a loop that never ends) or never settles is stopped — the thread terminated — while
 * the runner and the other shops' tasks carry on. A stopped task rejects with TaskStoppedError and the runner counts
 * the attempt as failed.
 */
export interface JobExecutor {
  run(task: JobTask, limits: { deadlineMs: number }): Promise<number>;
  /** Stops every thread (tasks still running reject). */
  close(): Promise<void>;
}

export { TaskStoppedError };

/** How often a thread reports that its event loop turns. */
const BEAT_MS = 1000;
/** A thread whose event loop has not turned for this long is stuck in a loop (no legitimate step blocks it so long). */
export const DEFAULT_STALL_MS = 120_000;

export interface ThreadExecutorOptions {
  /** Threads, i.e. tasks at once. */
  size: number;
  /** A module exporting createJobRuntime(): JobRuntime (default: the app's job handlers). */
  runtimeModule?: string;
  /** The threads' environment (DATABASE_URL and the Shopify settings among it); default: this process's. */
  env?: NodeJS.ProcessEnv;
  stallMs?: number;
  /** A task queued a job or otherwise asked the runner to look again. */
  onWake?: () => void;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_RUNTIME_MODULE = path.join(HERE, "runtime.server.ts");
const THREAD_ENTRY = path.join(HERE, "executor-thread.ts");

type FromThread =
  | { type: "beat" }
  | { type: "ready" }
  | { type: "wake" }
  | { type: "done"; id: number; handled: number }
  | { type: "failed"; id: number; message: string; name: string; kind: JobErrorKind }
  | { type: "load-failed"; message: string };

interface Running {
  id: number;
  resolve: (handled: number) => void;
  reject: (error: Error) => void;
  deadline: NodeJS.Timeout;
}

interface Slot {
  thread: Thread;
  ready: boolean;
  lastBeat: number;
  running: Running | null;
  /** Why the thread stopped, once it did (later tasks fail with it instead of waiting forever). */
  gone: string | null;
}

export function createThreadExecutor(options: ThreadExecutorOptions): JobExecutor {
  return new ThreadExecutor(options);
}

type Waiter = { resolve: (slot: Slot) => void; reject: (error: Error) => void };

class ThreadExecutor implements JobExecutor {
  private readonly slots = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly stallMs: number;
  private readonly watchdog: NodeJS.Timeout;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ThreadExecutorOptions) {
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    // Threads load the app (seconds) ahead of the first task, so a webhook's first slice does not wait for it.
    for (let i = 0; i < options.size; i++) this.startSlot();
    this.watchdog = setInterval(() => this.stopStalled(), Math.min(BEAT_MS, this.stallMs / 2));
    this.watchdog.unref();
  }

  async run(task: JobTask, limits: { deadlineMs: number }): Promise<number> {
    if (this.closed) throw new TaskStoppedError("the runner is shutting down");
    const slot = await this.acquire();
    return new Promise<number>((resolve, reject) => {
      const id = this.nextId++;
      const deadline = setTimeout(
        () => this.retire(slot, `it ran past its limit of ${formatDuration(limits.deadlineMs)}`),
        limits.deadlineMs,
      );
      slot.running = { id, resolve, reject, deadline };
      slot.lastBeat = Date.now();
      slot.thread.postMessage({ type: "run", id, task });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new TaskStoppedError("the runner is shutting down"));
    await Promise.all(
      [...this.slots].map(async (slot) => {
        this.retire(slot, "the runner is shutting down");
        await slot.thread.terminate();
      }),
    );
  }

  private startSlot(): Slot {
    const thread = new Thread(THREAD_ENTRY, {
      execArgv: threadExecArgv(THREAD_ENTRY),
      env: this.options.env ?? process.env,
      workerData: { runtimeModule: this.options.runtimeModule ?? DEFAULT_RUNTIME_MODULE, beatMs: BEAT_MS },
    });
    const slot: Slot = { thread, ready: false, lastBeat: Date.now(), running: null, gone: null };
    this.slots.add(slot);
    thread.on("message", (message: FromThread) => this.onMessage(slot, message));
    thread.on("error", (error) => this.retire(slot, `its thread crashed: ${errorText(error)}`));
    thread.on("exit", (code) => this.retire(slot, `its thread exited (code ${code})`));
    return slot;
  }

  private onMessage(slot: Slot, message: FromThread): void {
    slot.lastBeat = Date.now();
    if (message.type === "wake") this.options.onWake?.();
    else if (message.type === "ready") {
      slot.ready = true;
      this.release(slot);
    } else if (message.type === "load-failed") this.retire(slot, `the job runtime did not load: ${message.message}`);
    else if ((message.type === "done" || message.type === "failed") && slot.running?.id === message.id) {
      const running = slot.running;
      slot.running = null;
      clearTimeout(running.deadline);
      if (message.type === "done") running.resolve(message.handled);
      else running.reject(Object.assign(new Error(message.message), { name: message.name, kind: message.kind }));
      this.release(slot);
    }
  }

  private stopStalled(): void {
    const now = Date.now();
    for (const slot of this.slots) {
      if (slot.running && now - slot.lastBeat > this.stallMs) {
        this.retire(
          slot,
          `its thread was blocked for more than ${Math.round(this.stallMs / 1000)} s (a loop that does not end)`,
        );
      }
    }
  }

  /** A thread that stopped or must stop: its task fails with the reason, and a fresh thread takes its place. */
  private retire(slot: Slot, reason: string): void {
    if (slot.gone) return;
    slot.gone = reason;
    this.slots.delete(slot);
    const index = this.idle.indexOf(slot);
    if (index >= 0) this.idle.splice(index, 1);
    void slot.thread.terminate();
    const running = slot.running;
    slot.running = null;
    if (running) {
      clearTimeout(running.deadline);
      running.reject(new TaskStoppedError(reason));
    } else if (!slot.ready) {
      // A thread that could not even load fails the task waiting for it, so the runner backs off instead of spinning.
      this.waiting.shift()?.reject(new TaskStoppedError(reason));
    }
    // A thread that worked is replaced at once, warm for the next task; one that never loaded only on demand, so a
    // runtime that cannot load is retried at the pace of the runner's backoff, not in a tight loop.
    if (slot.ready && !this.closed && this.slots.size < this.options.size) this.startSlot();
    this.topUp();
  }

  private release(slot: Slot): void {
    if (slot.gone || !slot.ready) return;
    const next = this.waiting.shift();
    if (next) next.resolve(slot);
    else this.idle.push(slot);
  }

  /** Starts threads for the tasks waiting, up to the size (a thread becomes available once it has loaded). */
  private topUp(): void {
    if (this.closed) return;
    const starting = [...this.slots].filter((slot) => !slot.ready).length;
    for (let i = starting; i < this.waiting.length && this.slots.size < this.options.size; i++) this.startSlot();
  }

  private acquire(): Promise<Slot> {
    const slot = this.idle.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.topUp();
    });
  }
}

function formatDuration(ms: number): string {
  return ms >= 3_600_000 ? `${ms / 3_600_000} h` : ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/**
 * Runs tasks on the caller's event loop: only the deadline of a task that never settles is enforced (the work
 * itself cannot be stopped). For tests whose handlers record into the test's memory; the app uses threads.
 */
export function inProcessExecutor(runtime: JobRuntime): JobExecutor {
  return {
    run(task, limits) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new TaskStoppedError(`it ran past its limit of ${formatDuration(limits.deadlineMs)}`)),
          limits.deadlineMs,
        );
      });
      return Promise.race([runtime.run(task), deadline]).finally(() => clearTimeout(timer));
    },
    async close() {},
  };
}
