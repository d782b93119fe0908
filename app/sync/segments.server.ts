import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { ensureStageSegments } from "../shopify/segments.server";
import { loadShopContext } from "../models/shop.server";

/**
 * Makes Shopify hold one customer segment per stage under the shop's current tag prefix, and records them (the
 * board links to them, and discounts aimed at them are placed in their stage). Used by the import's last phase,
 * by a re-classification that changed the prefix, and by the segments job.
 */
export async function syncStageSegments(db: Db, shop: string, client: AdminClient): Promise<void> {
  const { settings } = await loadShopContext(db, shop);
  for (const segment of await ensureStageSegments(client, settings.tagPrefix)) {
    await db.shopSegment.upsert({
      where: { shop_stage: { shop, stage: segment.stage } },
      create: { shop, stage: segment.stage, segmentGid: segment.id, name: segment.name, query: segment.query },
      update: { segmentGid: segment.id, name: segment.name, query: segment.query },
    });
  }
  await db.shop.update({ where: { domain: shop }, data: { segmentsPrefix: settings.tagPrefix } });
}
