/**
 * A worker process on its own (`npm run worker`), for deployments that set LIFECYCLE_WORKER=off on the web
 * processes. It runs the same handlers as the embedded worker.
 */
import { ensureBackgroundWorker } from "./embedded.server";

process.env.LIFECYCLE_WORKER = "on";
ensureBackgroundWorker();
globalThis.lifecycleWorker?.ready.then(
  () => console.log("[worker] running; Ctrl-C to stop"),
  () => process.exit(1),
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void globalThis.lifecycleWorker?.worker.stop().then(() => process.exit(0));
  });
}
