/** Small helpers for talking to a dev store from tests and scripts. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { API_VERSION } from "./schema";

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: any;
  extensions?: any;
  body: any;
}

/** POSTs a GraphQL document to the dev store's Admin API endpoint with an access token. */
export async function adminGraphql<T = any>(
  origin: string,
  token: string | null,
  query: string,
  variables?: Record<string, unknown>,
  opts: { version?: string; signal?: AbortSignal } = {},
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (token !== null) headers["X-Shopify-Access-Token"] = token;
  const res = await fetch(`${origin}/admin/api/${opts.version ?? API_VERSION}/graphql.json`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
    signal: opts.signal,
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, data: body?.data, errors: body?.errors, extensions: body?.extensions, body };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server that records what it receives (e.g. webhook deliveries) and answers `status`. */
export async function startReceiver(status: number | ((r: ReceivedRequest) => number) = 200) {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(r);
      res.writeHead(typeof status === "function" ? status(r) : status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
