import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { CENSORED, createLogger } from "../../app/logger.server";

/** A logger whose JSON lines land in an array, parsed, plus the raw text to search for leaks. */
function capture(bindings?: Record<string, unknown>) {
  const lines: string[] = [];
  const base = createLogger({ level: "debug" }, { write: (line: string) => void lines.push(line) });
  const logger = bindings ? base.child(bindings) : base;
  return {
    logger,
    raw: () => lines.join(""),
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

// Shaped as Shopify issues them (an offline token, a session token JWT, a webhook HMAC), so a leak is unmistakable.
const ACCESS_TOKEN = "shpat_0123456789abcdef0123456789abcdef";
const ID_TOKEN =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Nob3AubXlzaG9waWZ5LmNvbS9hZG1pbiJ9.c2lnbmF0dXJlLWJ5dGVz";
const HMAC = "kU3c5oYv0mWq8Xl2J9zQ1nR4tB7eH6dF0gA2sC5vN8o=";
const OTHER_TOKEN = "a-plain-token-without-any-shape-4d1f";

function expectNoSecret(raw: string) {
  for (const secret of [ACCESS_TOKEN, ID_TOKEN, HMAC, OTHER_TOKEN]) expect(raw).not.toContain(secret);
}

describe("the logger censors credentials", () => {
  it("a Session object: the access token is gone, the shop and scope stay, the session itself is untouched", () => {
    const session = new Session({
      id: "offline_shop-a.myshopify.com",
      shop: "shop-a.myshopify.com",
      state: "s",
      isOnline: false,
    });
    session.accessToken = ACCESS_TOKEN;
    session.scope = "read_customers,read_orders";
    const { logger, raw, entries } = capture();
    logger.info({ session }, "session loaded");

    expectNoSecret(raw());
    const [entry] = entries();
    expect(entry.msg).toBe("session loaded");
    expect(entry.session).toMatchObject({
      shop: "shop-a.myshopify.com",
      scope: "read_customers,read_orders",
      accessToken: CENSORED,
    });
    expect(session.accessToken).toBe(ACCESS_TOKEN);
  });

  it("request headers, as a plain object or a Headers instance, at any depth", () => {
    const headers = {
      "X-Shopify-Access-Token": ACCESS_TOKEN,
      Authorization: `Bearer ${ID_TOKEN}`,
      "X-Shopify-Hmac-Sha256": HMAC,
      "X-Shopify-Topic": "orders/create",
    };
    const { logger, raw, entries } = capture();
    logger.warn({ request: { method: "POST", headers } }, "webhook refused");
    logger.warn({ deep: { a: { b: { c: { headers: new Headers(headers) } } } } }, "again");

    expectNoSecret(raw());
    const [plain, fromHeaders] = entries();
    expect((plain.request as { headers: Record<string, string> }).headers).toEqual({
      "X-Shopify-Access-Token": CENSORED,
      Authorization: CENSORED,
      "X-Shopify-Hmac-Sha256": CENSORED,
      "X-Shopify-Topic": "orders/create",
    });
    // Headers lower-cases its names.
    expect(fromHeaders).toMatchObject({
      deep: {
        a: {
          b: {
            c: {
              headers: {
                "x-shopify-access-token": CENSORED,
                authorization: CENSORED,
                "x-shopify-topic": "orders/create",
              },
            },
          },
        },
      },
    });
  });

  it("any field named token, accessToken, access_token, id_token or sessionToken, whatever its value looks like", () => {
    const { logger, raw, entries } = capture();
    logger.info({
      token: OTHER_TOKEN,
      auth: { access_token: OTHER_TOKEN, id_token: OTHER_TOKEN, sessionToken: OTHER_TOKEN, accessToken: OTHER_TOKEN },
      tokenCount: 3,
    });

    expectNoSecret(raw());
    expect(entries()[0]).toMatchObject({
      token: CENSORED,
      auth: { access_token: CENSORED, id_token: CENSORED, sessionToken: CENSORED, accessToken: CENSORED },
      tokenCount: 3,
    });
  });

  it("tokens inside text: Shopify admin's id_token in a URL, a Bearer header, an interpolated access token", () => {
    const { logger, raw, entries } = capture();
    logger.info(`GET /app?embedded=1&shop=shop-a.myshopify.com&id_token=${ID_TOKEN}&host=abc`);
    logger.info("exchanged for %s", ACCESS_TOKEN);
    logger.info({
      url: new URL(`https://app.example/auth?hmac=${encodeURIComponent(HMAC)}&shop=shop-a.myshopify.com`),
    });
    logger.info(`upstream said: authorization: Bearer ${ID_TOKEN}`);

    expectNoSecret(raw());
    expect(raw()).not.toContain(encodeURIComponent(HMAC));
    const [url, interpolated, urlObject, quoted] = entries();
    expect(url.msg).toBe(`GET /app?embedded=1&shop=shop-a.myshopify.com&id_token=${CENSORED}&host=abc`);
    expect(interpolated.msg).toBe(`exchanged for ${CENSORED}`);
    expect(urlObject.url).toBe(`https://app.example/auth?hmac=${CENSORED}&shop=shop-a.myshopify.com`);
    expect(quoted.msg).toBe(`upstream said: authorization: ${CENSORED}`);
  });

  it("errors: message, stack and own fields censored; type, code and message kept", () => {
    const error = Object.assign(new TypeError(`request with X-Shopify-Access-Token: ${ACCESS_TOKEN} failed`), {
      code: "ECONNREFUSED",
      response: { headers: { "x-shopify-access-token": ACCESS_TOKEN } },
    });
    const { logger, raw, entries } = capture();
    logger.error(error);
    logger.error({ err: error, shop: "shop-a.myshopify.com" }, "refresh failed");

    expectNoSecret(raw());
    const [alone, withMessage] = entries();
    expect(alone.msg).toBe(`request with X-Shopify-Access-Token: ${CENSORED} failed`);
    expect(alone.err).toMatchObject({
      type: "TypeError",
      code: "ECONNREFUSED",
      message: `request with X-Shopify-Access-Token: ${CENSORED} failed`,
      response: { headers: { "x-shopify-access-token": CENSORED } },
    });
    expect(String((alone.err as { stack: string }).stack)).toMatch(/^TypeError: request with/);
    expect(withMessage).toMatchObject({
      msg: "refresh failed",
      shop: "shop-a.myshopify.com",
      err: { type: "TypeError" },
    });
  });

  it("a child logger's bindings", () => {
    const { logger, raw, entries } = capture({ shop: "shop-a.myshopify.com", accessToken: ACCESS_TOKEN });
    logger.info("bound");
    expectNoSecret(raw());
    expect(entries()[0]).toMatchObject({ shop: "shop-a.myshopify.com", accessToken: CENSORED, msg: "bound" });
  });

  it("cycles and very deep objects end in a marker instead of recursing", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { token: OTHER_TOKEN };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const { logger, raw, entries } = capture();
    logger.info({ cyclic, deep });
    expectNoSecret(raw());
    expect(entries()[0].cyclic).toEqual({ name: "loop", self: "[circular]" });
  });
});
