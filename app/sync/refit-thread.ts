/**
 * The entry of a refit's thread (predict.server.ts): handed the buyers' summaries as columns and the fit's options, it
 * fits the value models and predicts every buyer (refit-models.ts), and sends back the fit and the predictions, the
 * predictions' columns moved rather than copied.
 */
import { parentPort, workerData } from "node:worker_threads";
import { fitAndPredict, summariesOf, type FromRefitThread, type RefitThreadData } from "./refit-models";

const port = parentPort!;
const { summaries, ...input } = workerData as RefitThreadData;
const send = (message: FromRefitThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

fitAndPredict(summariesOf(summaries), input).then(
  (result) =>
    send(
      { type: "done", result },
      result.predictions ? [result.predictions.value.buffer, result.predictions.alive.buffer] : [],
    ),
  (error: unknown) => send({ type: "failed", message: error instanceof Error ? error.message : String(error) }),
);
