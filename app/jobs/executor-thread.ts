/**
 * The entry of an executor thread (executor.server.ts): loads the job runtime once, then runs one task at a time
 * as the runner asks. A timer reports every second that this thread's event loop still turns; a task stuck in a
 * loop silences it, and the runner terminates the thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { jobErrorKind, type JobRuntime, type JobTask } from "../queue/kinds";
import { onWake } from "../queue/wake.server";

const port = parentPort!;
const { runtimeModule, beatMs } = workerData as { runtimeModule: string; beatMs: number };

setInterval(() => port.postMessage({ type: "beat" }), beatMs);
// A job that queues another job wakes the runner, which lives in the parent thread.
onWake(() => port.postMessage({ type: "wake" }));

let runtime: JobRuntime;
try {
  const module = (await import(pathToFileURL(runtimeModule).href)) as {
    createJobRuntime(): JobRuntime | Promise<JobRuntime>;
  };
  runtime = await module.createJobRuntime();
} catch (error) {
  port.postMessage({
    type: "load-failed",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  throw error;
}

port.on("message", (message: { type: "run"; id: number; task: JobTask }) => {
  if (message.type !== "run") return;
  runtime.run(message.task).then(
    (handled) => port.postMessage({ type: "done", id: message.id, handled }),
    (error: unknown) =>
      port.postMessage({
        type: "failed",
        id: message.id,
        message: describeError(error),
        name: error instanceof Error ? error.name : "Error",
        kind: jobErrorKind(error),
      }),
  );
});
port.postMessage({ type: "ready" });

/** The reason as the job table stores it: the message, or what the error has when it carries none. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  const code = (error as { code?: unknown }).code;
  return [
    error.name,
    code === undefined ? "" : String(code),
    error.stack?.split("\n").slice(1, 4).join(" ").trim() ?? "",
  ]
    .filter(Boolean)
    .join(": ");
}
