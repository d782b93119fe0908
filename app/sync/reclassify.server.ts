import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { reconcileShop } from "./reconcile.server";
import { shopifyWriter } from "./shopify-writer.server";
import { syncStageSegments } from "./segments.server";
import { afterFullPass } from "./after-pass.server";

/**
 * Re-places every customer of the shop after a settings change. When the change retired a tag prefix, the old
 * tags come off and the segments move to the new prefix.
 */
export async function reclassifyShop(options: {
  db: Db;
  shop: string;
  client: AdminClient;
  now: Date;
  retiredPrefix?: string;
  log?: (message: string) => void;
}): Promise<void> {
  const { db, shop, client, now, retiredPrefix } = options;
  const writer = shopifyWriter(db, shop, client);
  await reconcileShop({ db, shop, now, cause: "settings", shopify: writer, retiredPrefix });
  if (retiredPrefix !== undefined) await syncStageSegments(db, shop, client);
  await afterFullPass({ db, shop, now, cause: "settings", writer, analytics: client, log: options.log });
}
