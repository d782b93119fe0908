import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { ensureBackgroundWorker } from "./jobs/embedded.server";

export const streamTimeout = 5000;

// The embedded (SQLite) default runs the worker inside the web process; WORKER=off leaves it to `npm run worker`.
ensureBackgroundWorker();
// Finish the delivery or job in hand, then exit: the worker's timers would otherwise keep the process alive.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    globalThis.lifecycleWorker?.cron?.stop();
    void (globalThis.lifecycleWorker?.worker.stop() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}
