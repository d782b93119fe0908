import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { InvalidHostError, InvalidJwtError, InvalidShopError, MissingJwtTokenError } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma from "./db.server";
import { API_VERSION, readAppConfig } from "./config.server";
import { routeShopRequestsTo } from "./shopify/admin-origin.server";
import { onShopInstalled } from "./sync/install.server";
import { adminRequestProblem } from "./http/admin-request.server";
import { requesterFromAdmin } from "./shopify/requester.server";

const config = readAppConfig();
if (config.adminApiOrigin) routeShopRequestsTo(config.adminApiOrigin);

const shopify = shopifyApp({
  apiKey: config.apiKey,
  apiSecretKey: config.apiSecret,
  apiVersion: API_VERSION,
  scopes: config.scopes,
  appUrl: config.appUrl,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await onShopInstalled(session.shop, requesterFromAdmin(admin));
    },
  },
});

export default shopify;
export const apiVersion = API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;

/**
 * shopify-app-remix's authenticate.admin, with what it throws on malformed input answered as the client's error
 * (400/401) instead of a 500: checked before the call (app/http/admin-request.server.ts), and, for anything the
 * check does not foresee, the library's own input errors mapped after it. Other errors (the database) stay 500s.
 */
const admin: typeof shopify.authenticate.admin = async (request) => {
  const problem = adminRequestProblem(request);
  if (problem)
    throw new Response(`${problem.status === 401 ? "Unauthorized" : "Bad Request"}: ${problem.reason}`, {
      status: problem.status,
    });
  try {
    return await shopify.authenticate.admin(request);
  } catch (error) {
    if (error instanceof InvalidJwtError || error instanceof MissingJwtTokenError)
      throw new Response("Unauthorized", { status: 401 });
    if (
      error instanceof InvalidShopError ||
      error instanceof InvalidHostError ||
      (error as { code?: string })?.code === "ERR_INVALID_URL"
    ) {
      throw new Response("Bad Request: the request does not name a valid shop", { status: 400 });
    }
    throw error;
  }
};

export const authenticate = { ...shopify.authenticate, admin };
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
