/**
 * `npm start`: the production build (build/server/index.js) served as remix-serve serves it — compression, hashed
 * assets cached for a year, public/ for an hour, one access-log line per request — except that the log records the
 * path without its query string. Shopify admin opens the app with the merchant's session token in the URL
 * (`?id_token=…`, valid for a minute but a bearer credential all the same); remix-serve logs the whole URL, so every
 * token would end up in the log files.
 *
 * Usage: node app/server.mjs [build/server/index.js]; PORT (default 3000) and HOST as for remix-serve.
 */
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

const app = express();
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
