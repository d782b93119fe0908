import { isShopDomain, MAX_SHOP_DOMAIN_LENGTH } from "../domain/shop-domain";

/**
 * What an admin request carries before shopify-app-remix verifies it: the session token (the `Authorization: Bearer`
 * header of App Bridge's fetches, or `id_token` in the URL Shopify admin opens) and the `shop` and `host` parameters.
 * The library checks signatures and expiry, but a validly signed token whose `dest` is not a shop, or a `host` that
 * decodes to no address, makes it throw (a 500). Those are the client's errors: 401 for a fetch's token (App Bridge
 * asks for a new one), 400 for a page's URL. A token that is only expired or wrongly signed is left to the library,
 * which bounces the page to get a fresh one, as Shopify intends.
 */
export interface AdminRequestProblem {
  status: 400 | 401;
  reason: string;
}

/** Shopify's session tokens are a few hundred bytes. */
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64 = /^[0-9a-zA-Z+/]+={0,2}$/;

export function adminRequestProblem(request: Request): AdminRequestProblem | null {
  const url = new URL(request.url);
  const bearer = /^Bearer (.*)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  const token = bearer ?? url.searchParams.get("id_token");
  if (token) {
    const problem = sessionTokenProblem(token);
    if (problem) return { status: bearer !== undefined ? 401 : 400, reason: problem };
  }
  const shop = url.searchParams.get("shop");
  if (shop !== null && shop.length > MAX_SHOP_DOMAIN_LENGTH)
    return { status: 400, reason: "the shop parameter is not a shop domain" };
  const host = url.searchParams.get("host");
  if (host !== null && !isEncodedAdminHost(host))
    return { status: 400, reason: "the host parameter is not the base64 of a Shopify admin address" };
  return null;
}

/** Why a session token is malformed (not a JWT of JSON objects, or a `dest` that is not a shop), or null. */
export function sessionTokenProblem(token: string): string | null {
  if (token.length > MAX_TOKEN_LENGTH) return "the session token is too long";
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.slice(0, 2).every((part) => BASE64URL.test(part)))
    return "the session token is not a JWT";
  const [header, claims] = parts.slice(0, 2).map(decodeJsonObject);
  if (!header || !claims) return "the session token is not a JWT";
  const dest = typeof claims.dest === "string" ? /^https:\/\/([^/]+)$/.exec(claims.dest)?.[1] : undefined;
  if (!isShopDomain(dest)) return "the session token's dest is not a *.myshopify.com shop";
  return null;
}

function decodeJsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** `host` is base64 of an address such as admin.shopify.com/store/<handle>; the library parses it as a URL. */
function isEncodedAdminHost(host: string): boolean {
  if (host.length > 1024 || !BASE64.test(host)) return false;
  return URL.canParse(`https://${Buffer.from(host, "base64").toString("utf8")}`);
}
