/**
 * POST /admin/oauth/access_token, as @shopify/shopify-api 15 calls it
 * (lib/auth/oauth/token-exchange.mjs, refresh-token.mjs, migrate-to-expiring-token.mjs,
 * client-credentials.mjs): JSON body with client_id, client_secret and a grant.
 *
 *  - urn:ietf:params:oauth:grant-type:token-exchange with an id_token subject
 *    (HS256 with the app secret, aud = client_id, exp/nbf with 10 s leeway, dest = https://<shop>)
 *    → offline token ({access_token, scope}; with expiring=1 also expires_in 3600,
 *    refresh_token, refresh_token_expires_in 7776000) or online token (expires_in,
 *    associated_user_scope, associated_user);
 *  - the same grant with an offline-access-token subject (migration to expiring tokens);
 *  - refresh_token; client_credentials.
 * The id_token is verified with jose. Every token issued stays valid until it expires or the app
 * is uninstalled, so concurrent exchanges for one shop all get working tokens.
 */
import { randomBytes } from "node:crypto";
import { errors as joseErrors, jwtVerify } from "jose";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
export const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
export const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";

export const EXPIRING_OFFLINE_TTL_S = 3600;
export const REFRESH_TTL_S = 90 * 24 * 3600;
export const ONLINE_TTL_S = 86399;
const JWT_LEEWAY_S = 10;

export interface TokenRec {
  token: string;
  shop: string;
  kind: "offline" | "online";
  scope: string;
  issuedAt: number;
  expiresAt: number | null;
  userId: string | null;
  expiring: boolean;
  /** set when this token came from a refresh: the refresh token it superseded */
  supersedes: string | null;
}

interface RefreshRec {
  token: string;
  shop: string;
  scope: string;
  expiresAt: number;
  accessToken: string;
}

export type JwtCheck = { ok: true; payload: Record<string, unknown>; shop: string } | { ok: false; reason: string };

/** Why jose refused a token, in the words the token endpoint answers with. */
function jwtFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "token expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "invalid audience";
    if (error.claim === "nbf") return "token not yet valid";
    return `invalid ${error.claim}`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "signature verification failed";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "unsupported alg";
  return "malformed token";
}

export async function verifyIdToken(
  token: string,
  apiKey: string,
  apiSecret: string,
  nowMs: number,
): Promise<JwtCheck> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(String(token), new TextEncoder().encode(apiSecret), {
      algorithms: ["HS256"],
      audience: apiKey,
      clockTolerance: JWT_LEEWAY_S,
      currentDate: new Date(nowMs),
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    return { ok: false, reason: jwtFailure(error) };
  }
  const dest = typeof payload.dest === "string" ? payload.dest : "";
  const m = /^https:\/\/([a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com)\/?$/.exec(dest);
  if (!m) return { ok: false, reason: "invalid dest" };
  const shop = m[1].toLowerCase();
  if (typeof payload.iss === "string" && payload.iss !== `https://${m[1]}/admin`)
    return { ok: false, reason: "invalid iss" };
  return { ok: true, payload, shop };
}

export class TokenStore {
  readonly access = new Map<string, TokenRec>();
  private readonly refresh = new Map<string, RefreshRec>();
  private readonly migrations = new Map<string, { access: string; refresh: string; at: number }>();

  private newToken(prefix: string): string {
    return `${prefix}_${randomBytes(16).toString("hex")}`;
  }

  issueOffline(shop: string, scope: string, now: number, expiring: boolean, supersedes: string | null = null) {
    const token = this.newToken("shpat");
    this.access.set(token, {
      token,
      shop,
      kind: "offline",
      scope,
      issuedAt: now,
      expiresAt: expiring ? now + EXPIRING_OFFLINE_TTL_S * 1000 : null,
      userId: null,
      expiring,
      supersedes,
    });
    if (!expiring) return { access_token: token, scope };
    const refresh = this.newToken("shprt");
    this.refresh.set(refresh, {
      token: refresh,
      shop,
      scope,
      expiresAt: now + REFRESH_TTL_S * 1000,
      accessToken: token,
    });
    return {
      access_token: token,
      scope,
      expires_in: EXPIRING_OFFLINE_TTL_S,
      refresh_token: refresh,
      refresh_token_expires_in: REFRESH_TTL_S,
    };
  }

  issueOnline(shop: string, scope: string, now: number, userId: string) {
    const token = this.newToken("shpua");
    this.access.set(token, {
      token,
      shop,
      kind: "online",
      scope,
      issuedAt: now,
      expiresAt: now + ONLINE_TTL_S * 1000,
      userId,
      expiring: true,
      supersedes: null,
    });
    const id = Number(userId);
    return {
      access_token: token,
      scope,
      expires_in: ONLINE_TTL_S,
      associated_user_scope: scope,
      associated_user: {
        id: Number.isFinite(id) ? id : userId,
        first_name: "Dev",
        last_name: "User",
        email: `user${userId}@example.com`,
        account_owner: true,
        locale: "en",
        collaborator: false,
        email_verified: true,
      },
    };
  }

  /** The live token record, or null (unknown, expired or revoked). Using a refreshed token retires the refresh token it replaced. */
  lookup(token: string | null | undefined, now: number): TokenRec | null {
    if (!token) return null;
    const rec = this.access.get(token);
    if (!rec) return null;
    if (rec.expiresAt !== null && rec.expiresAt <= now) return null;
    if (rec.supersedes) {
      this.refresh.delete(rec.supersedes);
      rec.supersedes = null;
    }
    return rec;
  }

  useRefresh(token: string, now: number): RefreshRec | null {
    const r = this.refresh.get(token);
    if (!r || r.expiresAt <= now) return null;
    return r;
  }

  migrate(original: TokenRec, now: number) {
    const prior = this.migrations.get(original.token);
    if (prior && now - prior.at < 7 * 24 * 3600 * 1000 && this.refresh.has(prior.refresh)) {
      const a = this.access.get(prior.access);
      if (a) a.expiresAt = Math.max(a.expiresAt ?? 0, now + EXPIRING_OFFLINE_TTL_S * 1000);
      const r = this.refresh.get(prior.refresh)!;
      return {
        access_token: prior.access,
        scope: original.scope,
        expires_in: Math.round(((a?.expiresAt ?? now) - now) / 1000),
        refresh_token: prior.refresh,
        refresh_token_expires_in: Math.round((r.expiresAt - now) / 1000),
      };
    }
    const res = this.issueOffline(original.shop, original.scope, now, true);
    this.migrations.set(original.token, { access: res.access_token, refresh: res.refresh_token!, at: now });
    // the original non-expiring token stops working for API requests
    this.access.delete(original.token);
    this.migrationOriginals.set(original.token, original);
    return res;
  }

  /** Originals of migrated tokens, so that a retried migration is recognised. */
  readonly migrationOriginals = new Map<string, TokenRec>();

  revokeShop(shop: string): void {
    for (const [k, v] of this.access) if (v.shop === shop) this.access.delete(k);
    for (const [k, v] of this.refresh) if (v.shop === shop) this.refresh.delete(k);
  }
}

export interface TokenEndpointEnv {
  apiKey: string;
  apiSecret: string;
  now(): number;
  tokens: TokenStore;
  /** Creates the shop when unknown, re-installs it when uninstalled; returns its granted scope. */
  ensureInstalled(shop: string): string;
  /** Shop of the request host (when the request was routed through devStoreFetch). */
  hostShop: string | null;
}

export interface TokenEndpointResult {
  status: number;
  body: Record<string, unknown>;
}

const err = (status: number, error: string, description: string): TokenEndpointResult => ({
  status,
  body: { error, error_description: description },
});

export async function handleAccessTokenRequest(
  env: TokenEndpointEnv,
  body: Record<string, unknown>,
): Promise<TokenEndpointResult> {
  const now = env.now();
  if (body.client_id !== env.apiKey || body.client_secret !== env.apiSecret) {
    return err(
      401,
      "invalid_client",
      "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
    );
  }
  const grant = String(body.grant_type ?? "");
  if (grant === TOKEN_EXCHANGE_GRANT) {
    const subjectType = String(body.subject_token_type ?? "");
    const requested = String(body.requested_token_type ?? OFFLINE_TOKEN_TYPE);
    const expiring = String(body.expiring ?? "0") === "1";
    if (subjectType === ID_TOKEN_TYPE) {
      const check = await verifyIdToken(String(body.subject_token ?? ""), env.apiKey, env.apiSecret, now);
      if (!check.ok) return err(400, "invalid_subject_token", `Invalid subject token: ${check.reason}.`);
      const scope = env.ensureInstalled(check.shop);
      if (requested === ONLINE_TOKEN_TYPE) {
        return { status: 200, body: env.tokens.issueOnline(check.shop, scope, now, String(check.payload.sub ?? "1")) };
      }
      if (requested === OFFLINE_TOKEN_TYPE)
        return { status: 200, body: env.tokens.issueOffline(check.shop, scope, now, expiring) };
      return err(400, "invalid_request", `Unsupported requested_token_type: ${requested}`);
    }
    if (subjectType === OFFLINE_TOKEN_TYPE) {
      const subject = String(body.subject_token ?? "");
      const original = env.tokens.access.get(subject) ?? env.tokens.migrationOriginals.get(subject);
      if (!original || original.kind !== "offline" || original.expiring)
        return err(400, "invalid_subject_token", "Invalid subject token.");
      if (!expiring || requested !== OFFLINE_TOKEN_TYPE)
        return err(400, "invalid_request", "Only migration to expiring offline tokens is supported.");
      return { status: 200, body: env.tokens.migrate(original, now) };
    }
    return err(400, "invalid_request", `Unsupported subject_token_type: ${subjectType}`);
  }
  if (grant === "refresh_token") {
    const r = env.tokens.useRefresh(String(body.refresh_token ?? ""), now);
    if (!r) return err(400, "invalid_grant", "Token has been expired or revoked.");
    return { status: 200, body: env.tokens.issueOffline(r.shop, r.scope, now, true, r.token) };
  }
  if (grant === "client_credentials") {
    const shop = env.hostShop;
    if (!shop)
      return err(400, "invalid_request", "devstore: client_credentials needs the shop host (use devStoreFetch)");
    const scope = env.ensureInstalled(shop);
    const token = env.tokens.issueOffline(shop, scope, now, false);
    const rec = env.tokens.access.get(token.access_token)!;
    rec.expiresAt = now + ONLINE_TTL_S * 1000;
    return { status: 200, body: { ...token, expires_in: ONLINE_TTL_S } };
  }
  return err(
    400,
    "unsupported_grant_type",
    `The authorization grant type is not supported by the authorization server.`,
  );
}
