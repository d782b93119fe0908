/**
 * Session tokens (id_token) as App Bridge issues them: HS256 JWT signed with the app's
 * client secret. Claims: iss https://<shop>/admin, dest https://<shop>, aud <apiKey>,
 * sub <userId>, exp, nbf, iat, jti, sid.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface IdTokenOptions {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string | number;
  ttlSeconds?: number;
  /** Seconds since epoch used as iat/nbf (default: now). */
  issuedAt?: number;
  sid?: string;
}

function b64url(input: string | Buffer): string {
  return Buffer.from(input).toString("base64url");
}

export function signJwtHs256(payload: Record<string, unknown>, secret: string): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${sig}`;
}

export function makeIdToken(o: IdTokenOptions): string {
  const iat = o.issuedAt ?? Math.floor(Date.now() / 1000);
  const payload = {
    iss: `https://${o.shop}/admin`,
    dest: `https://${o.shop}`,
    aud: o.apiKey,
    sub: String(o.userId ?? "1"),
    exp: iat + (o.ttlSeconds ?? 60),
    nbf: iat,
    iat,
    jti: randomUUID(),
    sid: o.sid ?? randomUUID().replace(/-/g, ""),
  };
  return signJwtHs256(payload, o.apiSecret);
}

export interface EmbeddedAppUrlOptions {
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  locale?: string;
  userId?: string | number;
  ttlSeconds?: number;
}

/** host = base64url("admin.shopify.com/store/<name>") as the Shopify admin passes it. */
export function hostParam(shop: string): string {
  const name = shop.replace(/\.myshopify\.com$/, "");
  return Buffer.from(`admin.shopify.com/store/${name}`).toString("base64url");
}

/** The URL the Shopify admin loads in its iframe for an embedded app. */
export function embeddedAppUrl(o: EmbeddedAppUrlOptions): string {
  const params = new URLSearchParams({
    embedded: "1",
    shop: o.shop,
    host: hostParam(o.shop),
    id_token: makeIdToken({ shop: o.shop, apiKey: o.apiKey, apiSecret: o.apiSecret, userId: o.userId, ttlSeconds: o.ttlSeconds }),
    locale: o.locale ?? "en",
  });
  return `${o.appUrl.replace(/\/+$/, "")}/app?${params.toString()}`;
}
