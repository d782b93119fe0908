/**
 * `npm start`: the production build (build/server/index.js) served as remix-serve serves it — compression, hashed
 * assets cached for a year, public/ for an hour, one access-log line per request — except that the log records the
 * path without its query string. Shopify admin opens the app with the merchant's session token in the URL
 * (`?id_token=…`, valid for a minute but a bearer credential all the same); remix-serve logs the whole URL, so every
 * token would end up in the log files.
 *
 * Usage: node app/server.mjs [build/server/index.js]; PORT (default 3000) and HOST as for remix-serve.
 */
import net from "node:net";
import path from "node:path";
import url from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";

process.env.NODE_ENV = process.env.NODE_ENV ?? "production";
process.setSourceMapsEnabled(true);

const build = await import(url.pathToFileURL(path.resolve(process.argv[2] ?? "build/server/index.js")).href);
installGlobals({ nativeFetch: build.future.v3_singleFetch });

/** The request's path alone: query strings carry id_token, and Shopify's hmac/session parameters. */
export function pathOf(requestUrl) {
  const end = requestUrl.search(/[?#]/);
  return end === -1 ? requestUrl : requestUrl.slice(0, end);
}
morgan.token("path", (req) => pathOf(req.originalUrl ?? req.url ?? ""));

/**
 * Lingering close, as nginx and Apache close: a request answered before its body was read (a webhook past its size
 * limit gets 413 with Connection: close) is not closed with the rest of its body unread. The kernel answers close()
 * on unread data with a reset, and a client still sending then loses the answer it has not read yet: the 413 becomes a
 * connection error (1 in 25 on a busy machine). So the answer goes out with a FIN and the rest of the body is read
 * and dropped, until it ends, past LINGER_BYTES, or after LINGER_MS, whichever comes first; then the socket closes.
 */
const LINGER_MS = 2_000;
const LINGER_BYTES = 16 * 1024 * 1024;
const requestOnSocket = Symbol("the request a socket serves");

function lingerThenClose(socket) {
  const request = socket[requestOnSocket];
  const closeNow = () => net.Socket.prototype.destroySoon.call(socket);
  if (!request || request.complete) return closeNow();
  let dropped = 0;
  const deadline = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once("close", () => clearTimeout(deadline));
  socket.end();
  // What IncomingMessage's own dump does, so that the body reader the app left behind no longer holds the bytes.
  request.removeAllListeners("data");
  request.on("data", (chunk) => (dropped += chunk.length) > LINGER_BYTES && socket.destroy());
  request.once("end", closeNow);
  request.resume();
}

const app = express();
// Node's HTTP server ends a connection after a Connection: close answer by calling the socket's destroySoon().
app.use((req, _res, next) => {
  req.socket[requestOnSocket] = req;
  req.socket.destroySoon = () => lingerThenClose(req.socket);
  next();
});
app.disable("x-powered-by");
app.use(compression());
app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
// morgan's "tiny" format with :path in place of :url.
app.use(morgan(":method :path :status :res[content-length] - :response-time ms"));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const port = Number(process.env.PORT ?? 3000);
// Plain JavaScript run by node itself, which cannot load the TypeScript logger: the one line saying where it listens.
// eslint-disable-next-line no-console
const onListen = () => console.log(`[server] http://${process.env.HOST ?? "localhost"}:${port}`);
const server = process.env.HOST ? app.listen(port, process.env.HOST, onListen) : app.listen(port, onListen);
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => server.close());
