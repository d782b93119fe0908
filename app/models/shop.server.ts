import type { Db } from "../db.server";
import {
  DEFAULT_LIFECYCLE_SETTINGS,
  readStoredSettings,
  validateLifecycleSettings,
  type LifecycleSettings,
  type SettingsAdjustment,
  type ShopStats,
} from "../lifecycle";

export async function ensureShop(db: Db, domain: string) {
  return db.shop.upsert({
    where: { domain },
    create: { domain },
    update: { uninstalledAt: null },
  });
}

/**
 * Whether the shop ever installed the app and has not been erased since: its Shop row (written at install, kept after
 * an uninstall until shop/redact) or, should install have stopped between the token exchange and that write, its
 * session.
 */
export async function hasInstalled(db: Db, domain: string): Promise<boolean> {
  if (await db.shop.findUnique({ where: { domain }, select: { domain: true } })) return true;
  return (await db.session.count({ where: { shop: domain } })) > 0;
}

export interface ShopContext {
  domain: string;
  settings: LifecycleSettings;
  /**
   * Stored values the app does not use as stored (out of today's ranges: rows from older versions, edited JSON) and
   * what it uses instead; empty normally. The settings page tells the merchant; saving stores the used values.
   */
  settingsAdjustments: SettingsAdjustment[];
  /** Q as of the last full run, or null when the shop has never been classified. */
  stats: ShopStats | null;
  flowEnabled: boolean;
  flowOnBackfill: boolean;
  /** The optional `<prefix>high-value` tag on the top decile by predicted value (off by default). */
  highValueTag: boolean;
}

export async function loadShopContext(db: Db, domain: string): Promise<ShopContext> {
  const shop = await ensureShop(db, domain);
  const stored = readStoredSettings(shop.settings);
  return {
    domain,
    settings: stored.settings,
    settingsAdjustments: stored.adjustments,
    stats:
      shop.gapThresholdDays != null && shop.gapCount != null
        ? {
            gapThresholdDays: shop.gapThresholdDays,
            gapCount: shop.gapCount,
            usedSmallShopFallback: shop.gapCount < DEFAULT_LIFECYCLE_SETTINGS.smallShopMinGaps,
          }
        : null,
    flowEnabled: shop.flowEnabled,
    flowOnBackfill: shop.flowOnBackfill,
    highValueTag: shop.highValueTag,
  };
}

export async function saveShopStats(db: Db, domain: string, stats: ShopStats, at: Date): Promise<void> {
  await db.shop.update({
    where: { domain },
    data: { gapThresholdDays: stats.gapThresholdDays, gapCount: stats.gapCount, statsComputedAt: at },
  });
}

export async function saveShopSettings(
  db: Db,
  domain: string,
  settings: LifecycleSettings,
  flow: { enabled: boolean; onBackfill: boolean },
): Promise<void> {
  // The last door before storage: settings out of range never reach the table (InvalidSettingsError).
  validateLifecycleSettings(settings);
  await db.shop.update({
    where: { domain },
    data: { settings: JSON.stringify(settings), flowEnabled: flow.enabled, flowOnBackfill: flow.onBackfill },
  });
}

/** The shop's currency as Shopify reports it (the board and the customers page format money in it). */
export async function saveShopCurrency(db: Db, domain: string, currencyCode: string): Promise<void> {
  await db.shop.upsert({ where: { domain }, create: { domain, currencyCode }, update: { currencyCode } });
}
