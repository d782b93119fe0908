import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../support/test-db";
import { loadBoard, type ConversionSource } from "../../app/board/board.server";
import { createManualCampaign } from "../../app/models/campaign.server";
import { emptyMeasure, type ConversionMeasure } from "../../app/board/conversion";
import { markReclassifyRequested, markSettingsApplied } from "../../app/models/board.server";

const SHOP = "board.myshopify.com";
const NOW = new Date("2026-11-23T12:00:00Z");
const DAY = 86_400_000;
let t: TestDb;

/** A measured stage with its estimate given by hand (the estimators are tested in survival.test.ts). */
const measured = (
  stage: 3 | 4 | 5,
  customers: number,
  converted: number,
  lower: number,
  upper: number,
): ConversionMeasure => {
  const m = emptyMeasure(stage, null);
  return {
    ...m,
    estimate: {
      rate: converted / customers,
      lower,
      upper,
      customers,
      converted,
      horizonDays: m.windowDays,
      atRiskAtHorizon: customers,
    },
  };
};

/** Fixed measures so the test is about the board, not the measuring (tests/board/conversions.test.ts). */
const conversions: ConversionSource = async () => ({
  2: { ...emptyMeasure(2, null), newSubscribers: 40 },
  3: measured(3, 1000, 150, 0.128, 0.173),
  4: measured(4, 1000, 120, 0.1, 0.14),
  5: measured(5, 400, 200, 0.45, 0.55),
});

beforeAll(async () => {
  t = createTestDb();
  await t.db.shop.create({ data: { domain: SHOP, currencyCode: "EUR" } });
  const counts: Array<[string, number, bigint]> = [
    ["visitor", 1000, 0n],
    ["enquirer", 500, 0n],
    ["first-time-buyer", 300, 1_500_000n],
    ["repeat-buyer", 120, 1_800_000n],
    ["regular-buyer", 40, 2_000_000n],
    ["lapsed", 200, 900_000n],
    ["returned", 10, 80_000n],
  ];
  await t.db.stageCount.createMany({
    data: counts.map(([stage, customers, netSpentMinor]) => ({ shop: SHOP, stage, customers, netSpentMinor })),
  });
  await t.db.campaign.createMany({
    data: [
      {
        shop: SHOP,
        source: "marketing_activity",
        externalId: "gid://shopify/MarketingActivity/1",
        name: "Search ads",
        stage: 1,
        stageOneKind: "get-found",
        status: "ACTIVE",
        tactic: "AD",
        channel: "SEARCH",
        startsAt: new Date(NOW.getTime() - 10 * DAY),
      },
      {
        shop: SHOP,
        source: "manual",
        name: "Welcome series",
        stage: 3,
        channel: "EMAIL",
        startsAt: new Date(NOW.getTime() - 30 * DAY),
      },
      {
        shop: SHOP,
        source: "discount",
        externalId: "gid://shopify/DiscountCodeNode/1",
        name: "Come back 10%",
        stage: 4,
        status: "EXPIRED",
        startsAt: new Date(NOW.getTime() - 60 * DAY),
        endsAt: new Date(NOW.getTime() - DAY),
      },
      {
        shop: SHOP,
        source: "manual",
        name: "VIP evening",
        stage: 5,
        channel: "EVENT",
        startsAt: new Date(NOW.getTime() + 7 * DAY),
      },
      {
        shop: "other.myshopify.com",
        source: "manual",
        name: "Someone else's",
        stage: 2,
        startsAt: new Date(NOW.getTime() - DAY),
      },
    ],
  });
});

afterAll(async () => {
  await t.close();
});

describe("the board model", () => {
  it("shows the five stages in order, each with its source and target level", async () => {
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.stages.map((s) => [s.number, s.source, s.target])).toEqual([
      [1, "world", "visitor"],
      [2, "visitor", "enquirer"],
      [3, "enquirer", "first-time-buyer"],
      [4, "first-time-buyer", "repeat-buyer"],
      [5, "repeat-buyer", "regular-buyer"],
    ]);
    expect(board.stages[2]).toMatchObject({ sourceCustomers: 500, targetCustomers: 300 });
    expect(board.stages[3]).toMatchObject({ sourceCustomers: 300, targetCustomers: 120, lapsed: 200, returned: 10 });
    expect(board.totalCustomers).toBe(2170);
  });

  it("flags the stages without an active campaign (an expired discount and a campaign not yet started do not count)", async () => {
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.emptyStages).toEqual([2, 4, 5]);
    expect(board.stages.map((s) => s.empty)).toEqual([false, true, false, true, true]);
    expect(board.stages[0].campaigns.map((c) => c.name)).toEqual(["Search ads"]);
  });

  it("offers ideas for empty and weak stages only", async () => {
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.stages[1].ideas).toContain("idea.s2.signupOffer");
    expect(board.stages[3].ideas).toEqual(
      expect.arrayContaining(["idea.s4.postPurchase", "idea.s4.surprise", "idea.s4.community", "idea.s4.winback"]),
    );
    expect(board.stages[2].ideas).toEqual([]); // a campaign runs and 15% is typical for Stage 3
    expect(board.winbackTierDays).toEqual([90, 180, 360]); // the win-back idea names the shop's own tiers
  });

  it("names the weakest stage: Stage 4 at 12% (interval 10–14%, all below the 20% of the band), and that it is sure", async () => {
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.weakest).toMatchObject({
      assessment: { stage: 4, verdict: "weak", rate: 0.12 },
      certainty: "clear",
      couldAlsoBe: [],
    });
    expect(board.stages[3]).toMatchObject({ weak: true, weakest: true });
    expect(board.stages[2].assessment.verdict).toBe("typical");
  });

  it("without monthly sessions, stages 1 and 2 say so; with them, Stage 2 is measured against them", async () => {
    let board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.stages[0].conversion.unmeasured).toBe("sessionsUnknown");
    expect(board.stages[1].conversion.unmeasured).toBe("sessionsUnknown");
    await t.db.shop.update({ where: { domain: SHOP }, data: { monthlySessions: 8000 } });
    board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.stages[0]).toMatchObject({ sourceCustomers: null, targetCustomers: 8000, visitorsFrom: "manual" });
    expect(board.stages[1]).toMatchObject({ sourceCustomers: 8000 });
    expect(board.stages[1].conversion).toMatchObject({
      estimate: { customers: 8000, converted: 40 },
      unmeasured: null,
    });
    // 40 of 8,000 is 0.5%; Wilson's interval (0.37%, 0.68%) lies below the 1% weak line.
    expect(board.stages[1].assessment).toMatchObject({ rate: 0.005, verdict: "weak" });
    expect(board.stages[1].assessment.upper!).toBeCloseTo(0.00681, 4);
    // The Man arrow's Visitors level is the sessions entered, then the customers at each level.
    expect(board.manArrow).toMatchObject({ visitorsFrom: "manual", narrowing: true, inversions: [] });
    expect(board.manArrow.levels.map((l) => l.count)).toEqual([8000, 500, 300, 120, 40]);
    await t.db.shop.update({ where: { domain: SHOP }, data: { monthlySessions: null } });
  });

  it("reports customers and average revenue per level for the two arrows", async () => {
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.levels["first-time-buyer"]).toEqual({
      customers: 300,
      netSpentMinor: "1500000",
      averageMinor: 5000,
      predictedAverageMinor: null,
    });
    expect(board.levels["regular-buyer"].averageMinor).toBe(50000);
    expect(board.levels.visitor.averageMinor).toBe(0);
  });

  it("adding a manual campaign to an empty stage removes its flag", async () => {
    await createManualCampaign(
      t.db,
      SHOP,
      {
        name: "Post-purchase series",
        stage: 4,
        stageOneKind: null,
        channel: "EMAIL",
        startsAt: new Date(NOW.getTime() - DAY),
        endsAt: null,
      },
      NOW,
    );
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.emptyStages).toEqual([2, 5]);
    expect(board.stages[3].campaigns.map((c) => c.name)).toEqual(["Post-purchase series"]);
  });

  it("reads the import's progress from SyncRun", async () => {
    await t.db.syncRun.create({
      data: { shop: SHOP, kind: "backfill", phase: "orders", linesDone: 250, linesTotal: 1000 },
    });
    const board = await loadBoard(t.db, SHOP, NOW, { conversions });
    expect(board.sync.current).toMatchObject({ phase: "orders", running: true, progress: 43 });
  });

  it("says it is updating from a settings save until the reclassification is in", async () => {
    expect((await loadBoard(t.db, SHOP, NOW, { conversions })).updatingSince).toBeNull();
    const saved = new Date(NOW.getTime() - 60_000);
    await markReclassifyRequested(t.db, SHOP, saved);
    expect((await loadBoard(t.db, SHOP, NOW, { conversions })).updatingSince).toBe(saved.toISOString());
    // An earlier reclassification finishing does not end it; the one after the save does.
    await markSettingsApplied(t.db, SHOP, new Date(saved.getTime() - 1000));
    expect((await loadBoard(t.db, SHOP, NOW, { conversions })).updatingSince).toBe(saved.toISOString());
    await markSettingsApplied(t.db, SHOP, NOW);
    expect((await loadBoard(t.db, SHOP, NOW, { conversions })).updatingSince).toBeNull();
  });
});
