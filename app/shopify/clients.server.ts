import { AdminClient } from "./admin-client.server";
import { adminGraphqlUrl } from "../config.server";
import { logger } from "../logger.server";

export type AccessTokenProvider = (shop: string, refresh: boolean) => Promise<string>;

const clients = new Map<string, AdminClient>();

/**
 * One client per shop, so every background job of a shop shares one model of its rate-limit bucket.
 * The token comes from the shop's offline session (refreshed by shopify-app-remix when it expires).
 */
export function adminClientFor(shop: string, accessToken: AccessTokenProvider): AdminClient {
  let client = clients.get(shop);
  if (!client) {
    client = new AdminClient({
      shop,
      endpoint: adminGraphqlUrl(shop),
      accessToken: (refresh) => accessToken(shop, refresh),
      log: process.env.LOG_ADMIN_COST
        ? (entry) => logger.info({ component: "admin", ...entry }, "admin call cost")
        : undefined,
    });
    clients.set(shop, client);
  }
  return client;
}

export function forgetAdminClient(shop: string): void {
  clients.delete(shop);
}
