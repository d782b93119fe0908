/**
 * Saving the Settings page: lifecycle settings that changed go through the sync layer's applySettingsChange (which
 * re-places customers); a change of Flow options alone is stored without re-placing anyone; monthly sessions are
 * the board's own number.
 */
import type { Db } from "../db.server";
import { DEFAULT_LIFECYCLE_SETTINGS, type LifecycleSettings } from "../lifecycle";
import { loadShopContext, saveShopSettings } from "../models/shop.server";
import { clearShopConversions, markReclassifyRequested, saveMonthlySessions } from "../models/board.server";
import { saveTrafficKindRules } from "../analytics/shop-analytics.server";
import type { TrafficKindRule } from "../analytics/traffic-kinds";
import { MEASURE_SETTINGS } from "../board/board.server";
import { saveHighValueTag } from "../models/prediction.server";
import { enqueueJob } from "../queue/queue.server";
import { applySettingsChange } from "./settings.server";

export function sameSettings(a: LifecycleSettings, b: LifecycleSettings): boolean {
  return (Object.keys(DEFAULT_LIFECYCLE_SETTINGS) as Array<keyof LifecycleSettings>).every(
    (key) => JSON.stringify(a[key]) === JSON.stringify(b[key]),
  );
}

export interface SettingsSave {
  settings: LifecycleSettings;
  flow: { enabled: boolean; onBackfill: boolean };
  monthlySessions: number | null;
  /** The optional `<prefix>high-value` tag (absent: unchanged). */
  highValueTag?: boolean;
  /** The merchant's traffic-source rules, validated (absent: unchanged). */
  trafficRules?: readonly TrafficKindRule[];
}

/**
 * One save for the whole Settings page. Returns whether a reclassification was queued: the board then says it is
 * updating until the reclassification's counts and conversions are in (markReclassifyRequested).
 */
export async function saveSettingsPage(
  db: Db,
  shop: string,
  input: SettingsSave,
  now = new Date(),
): Promise<{ reclassifying: boolean }> {
  const ctx = await loadShopContext(db, shop);
  const settingsChanged = !sameSettings(ctx.settings, input.settings);
  const flowChanged = ctx.flowEnabled !== input.flow.enabled || ctx.flowOnBackfill !== input.flow.onBackfill;
  if (settingsChanged) await markReclassifyRequested(db, shop, now);
  if (settingsChanged) await applySettingsChange(shop, input.settings, input.flow);
  else if (flowChanged) await saveShopSettings(db, shop, ctx.settings, input.flow);
  await saveMonthlySessions(db, shop, input.monthlySessions);
  if (input.trafficRules) await saveTrafficKindRules(db, shop, input.trafficRules);
  let retagging = false;
  if (input.highValueTag !== undefined) {
    const retag = await saveHighValueTag(db, shop, input.highValueTag);
    // The top decile gains or loses the tag in a whole-shop pass (a re-classification already queued does it too).
    if (retag.length > 0 && !settingsChanged) {
      retagging = true;
      await markReclassifyRequested(db, shop, now);
      await enqueueJob(db, "reclassify", {}, { shop });
    }
  }
  // Stage 5 follows the regular-buyer rule: with a new rule the stored conversions are measured again (the monthly
  // sessions join the measures when the board is read).
  if (MEASURE_SETTINGS.some((key) => ctx.settings[key] !== input.settings[key])) await clearShopConversions(db, shop);
  return { reclassifying: settingsChanged || retagging };
}
