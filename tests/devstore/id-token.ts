/**
 * Session tokens (id_token) as App Bridge issues them: HS256 JWT signed with the app's
 * client secret (jose). Claims: iss https://<shop>/admin, dest https://<shop>, aud <apiKey>,
 * sub <userId>, exp, nbf, iat, jti, sid.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";

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

/** Any claims, HS256-signed with `secret` (jose): for tokens a test wants malformed or forged. */
export function signJwtHs256(claims: Record<string, unknown>, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

export function makeIdToken(o: IdTokenOptions): Promise<string> {
  const iat = o.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ dest: `https://${o.shop}`, sid: o.sid ?? randomUUID().replace(/-/g, "") })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(`https://${o.shop}/admin`)
    .setAudience(o.apiKey)
    .setSubject(String(o.userId ?? "1"))
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + (o.ttlSeconds ?? 60))
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(o.apiSecret));
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
export async function embeddedAppUrl(o: EmbeddedAppUrlOptions): Promise<string> {
  const params = new URLSearchParams({
    embedded: "1",
    shop: o.shop,
    host: hostParam(o.shop),
    id_token: await makeIdToken({
      shop: o.shop,
      apiKey: o.apiKey,
      apiSecret: o.apiSecret,
      userId: o.userId,
      ttlSeconds: o.ttlSeconds,
    }),
    locale: o.locale ?? "en",
  });
  return `${o.appUrl.replace(/\/+$/, "")}/app?${params.toString()}`;
}
