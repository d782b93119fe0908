import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, RequestedTokenType, shopifyApi } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { embeddedAppUrl, hostParam, makeIdToken } from "./id-token";
import { devStoreFetch, startDevStore, type DevStore } from "./server";

const API_KEY = "lifecycle-test-key";
const API_SECRET = "lifecycle-test-secret";
const SHOP = "oauth-test.myshopify.com";
let ds: DevStore;

function library() {
  return shopifyApi({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    scopes: ["read_customers", "write_customers", "read_orders"],
    hostName: "127.0.0.1:3000",
    hostScheme: "http",
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  });
}

beforeAll(async () => {
  ds = await startDevStore({ apiKey: API_KEY, apiSecret: API_SECRET });
  // @shopify/shopify-api calls https://<shop>/admin/...; route those calls to the dev store
  setAbstractFetchFunc(devStoreFetch(ds.origin));
});
afterAll(async () => {
  await ds.close();
});

const post = (body: Record<string, unknown>) =>
  fetch(`${ds.origin}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });

describe("token exchange as @shopify/shopify-api 15 performs it", () => {
  it("a valid id_token gives an offline token that authenticates GraphQL; an unknown shop is created (install)", async () => {
    const shopify = library();
    expect(ds.shops.has(SHOP)).toBe(false);
    const sessionToken = await makeIdToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, userId: 42 });
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken,
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
    });
    expect(session.isOnline).toBe(false);
    expect(session.accessToken).toMatch(/^shpat_/);
    expect(session.scope).toContain("read_customers");
    expect(ds.shops.has(SHOP)).toBe(true);
    const client = new shopify.clients.Graphql({ session });
    const res = await client.request(`{ shop { myshopifyDomain } }`);
    expect(res.data).toEqual({ shop: { myshopifyDomain: SHOP } });
  });

  it("online tokens carry the associated user and an expiry", async () => {
    const shopify = library();
    const sessionToken = await makeIdToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, userId: 77 });
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken,
      requestedTokenType: RequestedTokenType.OnlineAccessToken,
    });
    expect(session.isOnline).toBe(true);
    expect(session.onlineAccessInfo?.associated_user.id).toBe(77);
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now());
    const r = await adminGraphql(ds.origin, session.accessToken!, `{ shop { id } }`);
    expect(r.status).toBe(200);
  });

  it("expiring offline tokens come with a refresh token that the library can use", async () => {
    const shopify = library();
    const sessionToken = await makeIdToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken,
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
      expiring: true,
    });
    expect(session.expires).toBeInstanceOf(Date);
    expect(session.refreshToken).toMatch(/^shprt_/);
    const { session: refreshed } = await shopify.auth.refreshToken({ shop: SHOP, refreshToken: session.refreshToken! });
    expect(refreshed.accessToken).not.toBe(session.accessToken);
    expect((await adminGraphql(ds.origin, refreshed.accessToken!, `{ shop { id } }`)).status).toBe(200);
    // once the new access token has been used, the old refresh token is retired
    const again = await post({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "refresh_token",
      refresh_token: session.refreshToken,
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("concurrent exchanges for the same shop all succeed and all tokens work", async () => {
    const shopify = library();
    const sessions = await Promise.all(
      Array.from({ length: 5 }, async () =>
        shopify.auth.tokenExchange({
          shop: SHOP,
          sessionToken: await makeIdToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }),
          requestedTokenType: RequestedTokenType.OfflineAccessToken,
        }),
      ),
    );
    for (const { session } of sessions)
      expect((await adminGraphql(ds.origin, session.accessToken!, `{ shop { id } }`)).status).toBe(200);
  });
});

describe("the token endpoint rejects what Shopify rejects", () => {
  const exchange = (subject: string, secret = API_SECRET) =>
    post({
      client_id: API_KEY,
      client_secret: secret,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: subject,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring: "0",
    });

  it("an id_token with a bad signature is refused with 400", async () => {
    const forged = await makeIdToken({ shop: SHOP, apiKey: API_KEY, apiSecret: "not-the-secret" });
    const res = await exchange(forged);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_subject_token" });
  });

  it("an expired id_token, or one for another app, is refused", async () => {
    const expired = await makeIdToken({
      shop: SHOP,
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      issuedAt: Math.floor(Date.now() / 1000) - 3600,
    });
    expect((await exchange(expired)).status).toBe(400);
    const otherApp = await makeIdToken({ shop: SHOP, apiKey: "other", apiSecret: API_SECRET });
    expect((await exchange(otherApp)).status).toBe(400);
  });

  it("a wrong client secret is refused with 401", async () => {
    const res = await exchange(await makeIdToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }), "wrong");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("after app/uninstalled the shop's tokens stop working", async () => {
    const shop = "uninstall-me.myshopify.com";
    const token = ds.issueOfflineToken(shop);
    expect((await adminGraphql(ds.origin, token, `{ shop { id } }`)).status).toBe(200);
    ds.webhooks.mode = "record";
    ds.uninstall(shop);
    expect(ds.webhooks.recorded().map((d) => d.topic)).toContain("app/uninstalled");
    expect((await adminGraphql(ds.origin, token, `{ shop { id } }`)).status).toBe(401);
  });
});

describe("id-token helpers", () => {
  it("makeIdToken has App Bridge's claims and the library accepts it", async () => {
    const shopify = library();
    const t = await makeIdToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, userId: 5, ttlSeconds: 120 });
    const payload = await shopify.session.decodeSessionToken(t);
    expect(payload).toMatchObject({ iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: API_KEY, sub: "5" });
    expect(payload.exp - payload.iat).toBe(120);
    expect(typeof payload.jti).toBe("string");
    expect(typeof payload.sid).toBe("string");
  });

  it("embeddedAppUrl looks like the admin's iframe URL", async () => {
    const u = new URL(
      await embeddedAppUrl({
        appUrl: "http://127.0.0.1:3000",
        shop: SHOP,
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        locale: "de",
      }),
    );
    expect(u.pathname).toBe("/app");
    expect(u.searchParams.get("embedded")).toBe("1");
    expect(u.searchParams.get("shop")).toBe(SHOP);
    expect(u.searchParams.get("locale")).toBe("de");
    expect(Buffer.from(u.searchParams.get("host")!, "base64url").toString()).toBe("admin.shopify.com/store/oauth-test");
    expect(u.searchParams.get("host")).toBe(hostParam(SHOP));
    expect(u.searchParams.get("id_token")!.split(".")).toHaveLength(3);
  });
});
