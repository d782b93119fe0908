/**
 * The worker process: `npm run worker` on its own (deployments that set LIFECYCLE_WORKER=off on the web
 * processes), or forked and supervised by the web process (the default). Either way the jobs run here, never on a
 * web process's event loop.
 */
import { runnerSettingsFromEnv, startJobRunner } from "./runner.server";
import { wakeWorker } from "./wake.server";
import { ALIVE_INTERVAL_MS, type SupervisorMessage } from "./supervisor.server";

process.env.LIFECYCLE_WORKER = "on";

let runner: Awaited<ReturnType<typeof startJobRunner>>;
try {
  runner = await startJobRunner(runnerSettingsFromEnv());
} catch (error) {
  console.error(`[worker] did not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
console.log("[worker] running; Ctrl-C to stop");

let stopping: Promise<void> | null = null;
function shutdown(): Promise<void> {
  stopping ??= runner.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error("[worker] stopped with an error", error);
      process.exit(1);
    },
  );
  return stopping;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown());

if (process.send) {
  // Forked by a web process: it wakes us when a webhook arrives, and we stop when it goes (even kill -9).
  process.on("message", (message: SupervisorMessage) => {
    if (message?.type === "wake") wakeWorker();
  });
  process.on("disconnect", () => void shutdown());
  setInterval(() => process.send?.({ type: "alive" } satisfies SupervisorMessage), ALIVE_INTERVAL_MS);
}
