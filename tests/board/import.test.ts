import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../devstore/server";
import { createTestDb, type TestDb } from "../support/test-db";
import { AdminClient } from "../../app/shopify/admin-client.server";
import { refreshCampaigns } from "../../app/campaigns/import.server";
import { loadBoard } from "../../app/board/board.server";
import { overrideCampaignStage, resetCampaignStage } from "../../app/models/campaign.server";
import { emptyMeasure } from "../../app/board/conversion";

const SHOP = "campaigns-import.myshopify.com";
const NOW = new Date();
const DAY = 86_400_000;
let ds: DevStore;
let t: TestDb;
let client: AdminClient;

const refresh = () => refreshCampaigns(t.db, SHOP, client, { now: new Date(), tagPrefix: "lifecycle:" });
const noConversions = async () => ({ 3: emptyMeasure(3), 4: emptyMeasure(4), 5: emptyMeasure(5) });

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "key", apiSecret: "secret" });
  ds.addShop(SHOP);
  t = createTestDb();
  const token = ds.issueOfflineToken(SHOP);
  client = new AdminClient({
    shop: SHOP,
    endpoint: `${ds.origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => token,
  });
});

afterAll(async () => {
  await t.close();
  await ds.close();
});

describe("importing campaigns from the Admin API (dev store, real 2026-10 schema)", () => {
  it("an ABANDONED_CART marketing activity fills Stage 3", async () => {
    let board = await loadBoard(t.db, SHOP, NOW, { conversions: noConversions });
    expect(board.emptyStages).toContain(3);
    ds.addMarketingActivity(SHOP, {
      title: "Abandoned basket reminder",
      tactic: "ABANDONED_CART",
      marketingChannelType: "EMAIL",
      createdAt: new Date(NOW.getTime() - 5 * DAY),
      startedAt: new Date(NOW.getTime() - 5 * DAY),
    });
    const summary = await refresh();
    expect(summary).toMatchObject({ marketingActivities: 1, discounts: 0 });
    board = await loadBoard(t.db, SHOP, new Date(), { conversions: noConversions });
    expect(board.emptyStages).not.toContain(3);
    expect(board.stages[2].campaigns).toMatchObject([
      { name: "Abandoned basket reminder", source: "marketing_activity", channel: "EMAIL" },
    ]);
  });

  it("stores the schedule from the marketing event; a finished activity is not active", async () => {
    ds.addMarketingActivity(SHOP, {
      title: "Spring loyalty push",
      tactic: "LOYALTY",
      marketingChannelType: "EMAIL",
      status: "INACTIVE",
      createdAt: "2026-03-01T00:00:00Z",
      startedAt: "2026-03-02T00:00:00Z",
      scheduledToEndAt: "2026-03-30T00:00:00Z",
      endedAt: "2026-03-20T00:00:00Z",
    });
    await refresh();
    const row = await t.db.campaign.findFirst({ where: { shop: SHOP, name: "Spring loyalty push" } });
    expect(row).toMatchObject({
      stage: 5,
      status: "INACTIVE",
      startsAt: new Date("2026-03-02T00:00:00Z"),
      endsAt: new Date("2026-03-20T00:00:00Z"),
    });
    const board = await loadBoard(t.db, SHOP, new Date(), { conversions: noConversions });
    expect(board.stages[4].campaigns).toEqual([]);
  });

  it("the merchant's stage override survives a refresh, and can be undone", async () => {
    const row = (await t.db.campaign.findFirst({ where: { shop: SHOP, name: "Abandoned basket reminder" } }))!;
    expect(await overrideCampaignStage(t.db, SHOP, row.id, 2, null)).toBe(true);
    await refresh();
    expect(await t.db.campaign.findUnique({ where: { id: row.id } })).toMatchObject({
      stage: 2,
      stageOverridden: true,
    });
    expect(await resetCampaignStage(t.db, SHOP, row.id)).toBe(true);
    expect(await t.db.campaign.findUnique({ where: { id: row.id } })).toMatchObject({
      stage: 3,
      stageOverridden: false,
    });
  });

  it("moving an activity to Stage 1 gives it a kind", async () => {
    const row = (await t.db.campaign.findFirst({ where: { shop: SHOP, name: "Abandoned basket reminder" } }))!;
    await overrideCampaignStage(t.db, SHOP, row.id, 1, "");
    expect(await t.db.campaign.findUnique({ where: { id: row.id } })).toMatchObject({
      stage: 1,
      stageOneKind: "shine-a-light",
    });
    await overrideCampaignStage(t.db, SHOP, row.id, 1, "get-found");
    expect(await t.db.campaign.findUnique({ where: { id: row.id } })).toMatchObject({
      stage: 1,
      stageOneKind: "get-found",
    });
    await resetCampaignStage(t.db, SHOP, row.id);
  });

  it("a discount for the app's lapsed segment is a Stage 4 campaign; one for everyone is not imported", async () => {
    const segment = ds.addSegment(SHOP, {
      name: "Lifecycle: Lapsed",
      query: "customer_tags CONTAINS 'lifecycle:lapsed'",
    });
    await t.db.shopSegment.create({
      data: {
        shop: SHOP,
        stage: "lapsed",
        segmentGid: `gid://shopify/Segment/${segment.id}`,
        name: segment.name,
        query: segment.query,
      },
    });
    ds.addDiscount(SHOP, {
      title: "We miss you: 15% off",
      codes: ["MISSYOU"],
      percentage: 0.15,
      segments: [segment],
      startsAt: new Date(NOW.getTime() - DAY),
    });
    ds.addDiscount(SHOP, { title: "Everyone 5 off", amount: 5 });
    const summary = await refresh();
    expect(summary.discounts).toBe(1);
    const board = await loadBoard(t.db, SHOP, new Date(), { conversions: noConversions });
    expect(board.stages[3].campaigns).toMatchObject([
      { name: "We miss you: 15% off", source: "discount", channel: "DISCOUNT_CODE" },
    ]);
    expect(await t.db.campaign.count({ where: { shop: SHOP, name: "Everyone 5 off" } })).toBe(0);
  });

  it("a refresh twice changes nothing, and removes what Shopify no longer has", async () => {
    const before = await t.db.campaign.findMany({
      where: { shop: SHOP },
      orderBy: { id: "asc" },
      select: { id: true, stage: true, name: true },
    });
    await refresh();
    expect(
      await t.db.campaign.findMany({
        where: { shop: SHOP },
        orderBy: { id: "asc" },
        select: { id: true, stage: true, name: true },
      }),
    ).toEqual(before);
    const state = ds.shops.get(SHOP)!;
    const spring = [...state.marketingActivities.values()].find((a) => a.title === "Spring loyalty push")!;
    state.marketingActivities.delete(spring.id);
    expect((await refresh()).removed).toBe(1);
    expect(await t.db.campaign.count({ where: { shop: SHOP, name: "Spring loyalty push" } })).toBe(0);
  });

  it("manual campaigns are never touched by a refresh", async () => {
    await t.db.campaign.create({
      data: { shop: SHOP, source: "manual", name: "Market stall", stage: 1, stageOneKind: "shine-a-light" },
    });
    await refresh();
    expect(await t.db.campaign.count({ where: { shop: SHOP, source: "manual" } })).toBe(1);
  });
});
