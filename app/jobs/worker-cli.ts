/**
 * The worker process: `npm run worker` on its own (deployments that set LIFECYCLE_WORKER=off on the web
 * processes), or forked and supervised by the web process (the default). Either way the jobs run here, never on a
 * web process's event loop.
 */
import { runnerSettingsFromEnv, startJobRunner } from "./runner.server";
import { wakeWorker } from "../queue/wake.server";
import { ALIVE_INTERVAL_MS, type SupervisorMessage } from "./supervisor.server";
import { logger } from "../logger.server";

process.env.LIFECYCLE_WORKER = "on";
const log = logger.child({ component: "worker" });

let runner: Awaited<ReturnType<typeof startJobRunner>>;
try {
  runner = await startJobRunner(runnerSettingsFromEnv());
} catch (error) {
  log.fatal({ err: error }, "did not start");
  process.exit(1);
}
log.info("running; Ctrl-C to stop");

let stopping: Promise<void> | null = null;
function shutdown(): Promise<void> {
  stopping ??= runner.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, "stopped with an error");
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
