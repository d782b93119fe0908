import { superviseWorkerProcess, type WorkerProcess } from "./supervisor.server";
import { onWake } from "../queue/wake.server";

declare global {
  var lifecycleWorker: WorkerProcess | undefined;
}

/**
 * The web process's side of the jobs: it starts the worker as a supervised child process (worker-cli.ts), and
 * passes on every wake (a webhook stored, a job queued) over IPC. LIFECYCLE_WORKER=off leaves the worker to a
 * separate `npm run worker`. Kept on globalThis so the dev server's module reloads start it once.
 */
export function ensureBackgroundWorker(): void {
  if (process.env.LIFECYCLE_WORKER === "off" || globalThis.lifecycleWorker) return;
  const worker = superviseWorkerProcess();
  onWake(() => worker.wake());
  globalThis.lifecycleWorker = worker;
}

/** Stops the worker process (it finishes or gives back the jobs in hand) before the web process exits. */
export async function stopBackgroundWorker(): Promise<void> {
  await globalThis.lifecycleWorker?.stop();
}
