import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { startDevStore, type DevStore } from "../devstore/server";
import { makeIdToken, signJwtHs256 } from "../devstore/id-token";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/app-env";

/**
 * Session tokens and admin parameters as a browser or an attacker could send them, against every route that
 * authenticates an admin request: a client error (400/401) or the library's bounce, never a 500. Tokens here are
 * signed with the app's real secret: only their content is wrong.
 */
const SHOP = "auth-edges.myshopify.com";
const APP = "http://127.0.0.1:3999";
const HOST = Buffer.from("admin.shopify.com/store/auth-edges").toString("base64");

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Handler = (args: Args) => Promise<unknown>;
let devStore: DevStore;
let db: PrismaClient;
let routes: Array<[string, string, Handler]>;

async function statusOf(handler: Handler, request: Request): Promise<number> {
  try {
    const result = await handler({ request, params: {}, context: {} });
    return result instanceof Response ? result.status : 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    return 500;
  }
}

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: `https://${SHOP}/admin`,
    dest: `https://${SHOP}`,
    aud: TEST_API_KEY,
    sub: "1",
    exp: now + 600,
    nbf: now - 5,
    iat: now - 5,
    jti: "jti",
    sid: "sid",
    ...overrides,
  };
}
const signed = (overrides: Record<string, unknown>) => signJwtHs256(claims(overrides), TEST_API_SECRET);
const b64url = (text: string) => Buffer.from(text).toString("base64url");

const BAD_DEST: Array<[string, string | Promise<string>]> = [
  ["dest a custom domain", signed({ dest: "https://shop.example.com", iss: "https://shop.example.com/admin" })],
  ["dest a look-alike", signed({ dest: "https://auth-edges.myshopify.com.example.com" })],
  ["dest without a scheme", signed({ dest: "auth-edges" })],
  ["dest empty", signed({ dest: "" })],
  ["dest a number", signed({ dest: 5 })],
  ["dest missing", signed({ dest: undefined })],
  ["dest with a path", signed({ dest: `https://${SHOP}/admin` })],
  ["dest over http", signed({ dest: `http://${SHOP}` })],
  ["dest 5,000 characters long", signed({ dest: `https://${"a".repeat(5000)}.myshopify.com` })],
];
const MALFORMED: Array<[string, string | Promise<string>]> = [
  ["three parts of garbage", "abc.def.ghi"],
  ["one part", "hello"],
  ["payload not JSON", `${b64url("{")}.${b64url("{")}.sig`],
  ["payload a JSON array", `${b64url('{"alg":"HS256"}')}.${b64url("[1]")}.sig`],
  ["characters outside base64url", `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify(claims()))}!.sig`],
  ["10 KB long", `${b64url('{"alg":"HS256"}')}.${"A".repeat(10_000)}.sig`],
];

beforeAll(async () => {
  devStore = await startDevStore({ port: 0, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = devStore.origin;
  db = (await import("../../app/db.server")).default;
  devStore.addShop(SHOP);
  await db.shop.create({ data: { domain: SHOP } });
  await db.session.create({
    data: {
      id: `offline_${SHOP}`,
      shop: SHOP,
      state: "",
      isOnline: false,
      accessToken: devStore.issueOfflineToken(SHOP),
      scope: "read_customers,read_orders",
    },
  });
  const modules: Array<[string, Record<string, unknown>]> = [
    ["/app", await import("../../app/routes/app")],
    ["/app", await import("../../app/routes/app._index")],
    ["/app/customers", await import("../../app/routes/app.customers")],
    ["/app/customers/export", await import("../../app/routes/app.customers.export")],
    ["/app/campaigns", await import("../../app/routes/app.campaigns")],
    ["/app/settings", await import("../../app/routes/app.settings")],
    ["/auth/session-token", await import("../../app/routes/auth.$")],
  ];
  routes = modules.flatMap(([path, module]) =>
    (["loader", "action"] as const)
      .filter((kind) => typeof module[kind] === "function")
      .map((kind): [string, string, Handler] => [path, kind, module[kind] as Handler]),
  );
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await devStore?.close();
});

function fetchRequest(path: string, token: string, kind: string): Request {
  return new Request(`${APP}${path}`, {
    method: kind === "action" ? "POST" : "GET",
    headers: {
      Authorization: `Bearer ${token}`,
      ...(kind === "action" ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
    },
    body: kind === "action" ? "intent=refresh" : undefined,
  });
}

function documentRequest(path: string, query: string): Request {
  return new Request(`${APP}${path}?embedded=1&shop=${SHOP}&host=${HOST}&${query}`);
}

describe("admin requests with a bad session token", () => {
  it("a good token is accepted (the checks below are not vacuous)", async () => {
    const token = await makeIdToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, ttlSeconds: 600 });
    for (const [path, kind, handler] of routes.filter(([, kind]) => kind === "loader")) {
      expect(await statusOf(handler, fetchRequest(path, token, kind)), `${kind} ${path}`).toBe(200);
    }
  });

  it.each([...BAD_DEST, ...MALFORMED])(
    "%s: 401 from App Bridge's fetches, 400 in a page's URL, on every route",
    async (_what, pending) => {
      const token = await pending;
      for (const [path, kind, handler] of routes) {
        expect(await statusOf(handler, fetchRequest(path, token, kind)), `${kind} ${path} (bearer)`).toBe(401);
        if (kind === "loader")
          expect(
            await statusOf(handler, documentRequest(path, `id_token=${token}`)),
            `${kind} ${path} (id_token)`,
          ).toBe(400);
      }
    },
  );

  it("an expired or wrongly signed token is left to Shopify's flow: 401 for a fetch, the bounce page for a document", async () => {
    const expired = await signed({ exp: Math.floor(Date.now() / 1000) - 3600 });
    const forged = await signJwtHs256(claims(), "not-the-app-secret");
    for (const token of [expired, forged]) {
      for (const [path, kind, handler] of routes.filter(([p]) => p !== "/auth/session-token")) {
        expect(await statusOf(handler, fetchRequest(path, token, kind)), `${kind} ${path}`).toBe(401);
        if (kind === "loader")
          expect(await statusOf(handler, documentRequest(path, `id_token=${token}`)), `${kind} ${path}`).toBe(302);
      }
    }
  });
});

describe("admin requests with bad parameters", () => {
  const token = () => makeIdToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, ttlSeconds: 600 });

  it.each([
    ["host not base64", async () => `host=%25%25%25&id_token=${await token()}`],
    ["host base64 of bytes that are no address", async () => `host=zzz&id_token=${await token()}`],
    ["shop 5,000 characters long", async () => `shop=${"a".repeat(5000)}.myshopify.com`],
  ])("%s: 400 on every route", async (_what, makeQuery) => {
    const query = await makeQuery();
    for (const [path, kind, handler] of routes.filter(([, kind]) => kind === "loader")) {
      const request = new Request(
        `${APP}${path}?embedded=1&${query.includes("host=") ? `shop=${SHOP}` : `host=${HOST}`}&${query}`,
      );
      expect(await statusOf(handler, request), `${kind} ${path}`).toBe(400);
    }
  });
});
