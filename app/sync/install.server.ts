import prisma from "../db.server";
import { ensureShop } from "../models/shop.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { requestBackfill } from "./backfill.server";
import { importMayStart, refreshGrantedScopes } from "./access.server";
import { logger } from "../logger.server";

/**
 * After token exchange: the shop exists, its granted scopes are read and stored, and its first import is queued
 * unless one already finished — or unless Shopify did not grant read_all_orders (the import then starts when the
 * scope arrives, app/scopes_update). Scopes that cannot be read now are read before the first tag write.
 */
export async function onShopInstalled(shop: string, client?: GraphqlRequester): Promise<void> {
  await ensureShop(prisma, shop);
  const scopes = client
    ? await refreshGrantedScopes(prisma, shop, client, new Date()).then(
        (r) => r.scopes,
        (error: unknown) => {
          logger.error({ component: "install", shop, err: error }, "access scopes not read");
          return null;
        },
      )
    : null;
  const done = await prisma.syncRun.count({ where: { shop, kind: "backfill", phase: "done" } });
  if (done === 0 && importMayStart(scopes)) await requestBackfill(shop);
}
