/**
 * Settings out of range in the app (issue 13.1): a stored row from before the ranges (here the values that used to
 * freeze the app) is read with the nearest allowed values and the merchant is told which; a whole-shop pass with it
 * finishes with transitions inside the range; and nothing out of range can be stored again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidSettingsError, DEFAULT_LIFECYCLE_SETTINGS } from "../../app/lifecycle";
import { loadShopContext, saveShopSettings } from "../../app/models/shop.server";
import { reconcileShop } from "../../app/sync/reconcile.server";
import { createTestDb, type TestDb } from "../support/test-db";

const SHOP = "ranges.myshopify.com";
const DAY = 86_400_000;
const NOW = new Date("2026-11-23T12:00:00Z");
const STORED = {
  lapseMode: "fixed",
  fixedLapseDays: 1e15,
  winbackTierDays: [90, 180, 200_000_000],
  regularWindowDays: 99_999_999,
  tagPrefix: "lifecycle:",
};

describe("settings stored out of range", () => {
  let t: TestDb;
  // Customer → its order times, days before NOW.
  const customers: Record<string, number[]> = { "1": [400], "2": [20, 10], "3": [5000, 4000] };

  beforeAll(async () => {
    t = createTestDb();
    await t.db.shop.create({ data: { domain: SHOP, settings: JSON.stringify(STORED) } });
    for (const [id, daysAgo] of Object.entries(customers)) {
      const gid = `gid://shopify/Customer/${id}`;
      await t.db.customer.create({ data: { shop: SHOP, gid } });
      for (const [k, d] of daysAgo.entries()) {
        await t.db.order.create({
          data: {
            shop: SHOP,
            gid: `gid://shopify/Order/${id}${k}`,
            customerGid: gid,
            createdAt: new Date(NOW.getTime() - d * DAY),
            totalMinor: 1000n,
          },
        });
      }
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it("are read as the nearest allowed values, each change listed for the merchant", async () => {
    const ctx = await loadShopContext(t.db, SHOP);
    expect(ctx.settings).toEqual({
      ...DEFAULT_LIFECYCLE_SETTINGS,
      lapseMode: "fixed",
      fixedLapseDays: 3650,
      winbackTierDays: [90, 180, 3650],
      regularWindowDays: 3650,
    });
    expect(ctx.settingsAdjustments).toEqual([
      { field: "fixedLapseDays", stored: "1000000000000000", used: "3650" },
      { field: "regularWindowDays", stored: "99999999", used: "3650" },
      { field: "winbackTierDays.2", stored: "200000000", used: "3650" },
    ]);
  });

  it("a whole-shop pass with them finishes, each next transition where the adjusted settings put it", async () => {
    await reconcileShop({ db: t.db, shop: SHOP, now: NOW, cause: "settings", shopify: null });
    const rows = await t.db.customer.findMany({
      where: { shop: SHOP },
      orderBy: { gid: "asc" },
      select: { gid: true, stage: true, winbackTier: true, nextTransitionAt: true },
    });
    // Worked by hand with a fixed lapse of 3,650 days and a 3,650-day regular window:
    // 1: one order 400 days ago → first-time buyer; it leaves the window and lapses at the same instant, +3,650 days.
    // 2: orders 20 and 10 days ago → repeat buyer; the older one leaves the window at 20 days ago + 3,650 days.
    // 3: orders 5,000 and 4,000 days ago → lapsed (4,000 ≥ 3,650), tier 360 (its days, now 3,650, have passed): no boundary ahead.
    const at = (daysAgo: number) => new Date(NOW.getTime() + (3650 - daysAgo) * DAY);
    expect(rows).toEqual([
      { gid: "gid://shopify/Customer/1", stage: "first-time-buyer", winbackTier: null, nextTransitionAt: at(400) },
      { gid: "gid://shopify/Customer/2", stage: "repeat-buyer", winbackTier: null, nextTransitionAt: at(20) },
      { gid: "gid://shopify/Customer/3", stage: "lapsed", winbackTier: 360, nextTransitionAt: null },
    ]);
  });

  it("nothing out of range can be stored again: the store refuses it and keeps what it had", async () => {
    const before = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP }, select: { settings: true } });
    const bad = { ...DEFAULT_LIFECYCLE_SETTINGS, fixedLapseDays: 1e15 };
    await expect(saveShopSettings(t.db, SHOP, bad, { enabled: true, onBackfill: false })).rejects.toBeInstanceOf(
      InvalidSettingsError,
    );
    expect(await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP }, select: { settings: true } })).toEqual(before);
    // Saving the adjusted values (what the settings page does) clears the notice.
    const ctx = await loadShopContext(t.db, SHOP);
    await saveShopSettings(t.db, SHOP, ctx.settings, { enabled: ctx.flowEnabled, onBackfill: ctx.flowOnBackfill });
    expect((await loadShopContext(t.db, SHOP)).settingsAdjustments).toEqual([]);
  });
});
