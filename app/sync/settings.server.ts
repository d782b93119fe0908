import prisma, { type Db } from "../db.server";
import { classifyTimes, qualifyingOrderTimes, ShopStatsAccumulator, type LifecycleSettings } from "../lifecycle";
import { customerGidPages, loadCustomersWithOrders } from "../models/customer.server";
import { loadShopContext, saveShopSettings } from "../models/shop.server";
import { enqueueJob } from "../queue/queue.server";

export interface SettingsPreview {
  changes: number;
  byStage: Record<string, number>;
}

/** How many customers would change stage under `settings`, as of `now`, without writing anything. */
export async function previewSettingsChange(
  shop: string,
  settings: LifecycleSettings,
  now = new Date(),
  db: Db = prisma,
): Promise<SettingsPreview> {
  const nowMs = now.getTime();
  const accumulator = new ShopStatsAccumulator(settings, nowMs);
  for await (const page of customerGidPages(db, shop, 2000)) {
    for (const customer of await loadCustomersWithOrders(db, shop, page))
      accumulator.add(qualifyingOrderTimes(customer.orders, nowMs));
  }
  const stats = accumulator.result();
  const preview: SettingsPreview = { changes: 0, byStage: {} };
  for await (const page of customerGidPages(db, shop, 2000)) {
    for (const customer of await loadCustomersWithOrders(db, shop, page)) {
      const result = classifyTimes(
        qualifyingOrderTimes(customer.orders, nowMs),
        customer.emailMarketingState,
        stats,
        settings,
        nowMs,
      );
      if (result.stage !== customer.stage) {
        preview.changes++;
        preview.byStage[result.stage] = (preview.byStage[result.stage] ?? 0) + 1;
      }
    }
  }
  return preview;
}

/** Saves the settings and queues the re-classification (and tag migration when the prefix changed). */
export async function applySettingsChange(
  shop: string,
  settings: LifecycleSettings,
  flow: { enabled: boolean; onBackfill: boolean },
  db: Db = prisma,
): Promise<void> {
  const before = await loadShopContext(db, shop);
  await saveShopSettings(db, shop, settings, flow);
  const prefixChanged = before.settings.tagPrefix !== settings.tagPrefix;
  await enqueueJob(db, "reclassify", prefixChanged ? { retiredPrefix: before.settings.tagPrefix } : {}, { shop });
}
