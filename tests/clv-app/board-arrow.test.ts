import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { levelFigures, loadBoard, type ConversionSource } from "../../app/board/board.server";
import { refitShopPredictions } from "../../app/sync/predict.server";
import type { ArrowPrediction } from "../../app/board/ui/ArrowCharts";
import { CDNOW_NOW, seedCdnowShop } from "./seed";

const SHOP = "arrow.myshopify.com";
const conversions: ConversionSource = async () => ({ measuredAt: null });

describe("the CLV arrow's figures per level", () => {
  const counts = [
    { stage: "first-time-buyer", customers: 4, netSpentMinor: 20_000n },
    { stage: "repeat-buyer", customers: 2, netSpentMinor: 30_000n },
    { stage: "visitor", customers: 10, netSpentMinor: 0n },
  ];

  it("historical value only without a fit, or with an insufficient one", () => {
    const levels = { "first-time-buyer": { customers: 4, predictedMinor: 8000 } };
    for (const prediction of [null, { status: "insufficient" as const, levels }]) {
      const figures = levelFigures(counts, prediction);
      expect(figures["first-time-buyer"]).toEqual({
        customers: 4,
        netSpentMinor: "20000",
        averageMinor: 5000,
        predictedAverageMinor: null,
      });
      expect(Object.values(figures).every((f) => f.predictedAverageMinor == null)).toBe(true);
    }
  });

  it("with an ok fit, the predicted average per buyer with a prediction beside the historical average; none for levels without buyers", () => {
    const figures = levelFigures(counts, {
      status: "ok",
      levels: {
        "first-time-buyer": { customers: 4, predictedMinor: 8000 },
        "repeat-buyer": { customers: 2, predictedMinor: 9000 },
      },
    });
    expect(figures["first-time-buyer"]).toMatchObject({ averageMinor: 5000, predictedAverageMinor: 2000 });
    expect(figures["repeat-buyer"]).toMatchObject({ averageMinor: 15000, predictedAverageMinor: 4500 });
    expect(figures.visitor).toMatchObject({ averageMinor: 0, predictedAverageMinor: null });
    expect(figures["regular-buyer"]).toMatchObject({ averageMinor: null, predictedAverageMinor: null });
  });
});

describeEachDatabase("the board's CLV arrow", (database) => {
  let t: TestDb;

  beforeAll(async () => {
    t = await database.create();
    await t.db.shop.create({ data: { domain: SHOP } });
    await seedCdnowShop(t.db, SHOP);
    const stages = await t.db.customer.groupBy({ by: ["stage"], where: { shop: SHOP }, _count: { _all: true } });
    await t.db.stageCount.createMany({
      data: stages.map((s) => ({ shop: SHOP, stage: s.stage!, customers: s._count._all, netSpentMinor: 0n })),
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it("before the first fit: no prediction, historical value only", async () => {
    const board = await loadBoard(t.db, SHOP, CDNOW_NOW, { conversions });
    expect(board.prediction).toBeNull();
    expect(board.levels["regular-buyer"].predictedAverageMinor).toBeNull();
  });

  it("after an ok fit: each buying level's average predicted 12-month value, from the stored customers' own numbers", async () => {
    await refitShopPredictions(t.db, SHOP, CDNOW_NOW);
    const board = await loadBoard(t.db, SHOP, CDNOW_NOW, { conversions });
    expect(board.prediction).toMatchObject({
      status: "ok",
      code: null,
      reason: null,
      buyers: 2349,
      fittedAt: CDNOW_NOW.toISOString(),
    });
    const arrow: ArrowPrediction | null = board.prediction;
    expect(arrow?.status).toBe("ok");
    for (const level of ["first-time-buyer", "repeat-buyer", "regular-buyer"] as const) {
      const agg = await t.db.customer.aggregate({
        where: { shop: SHOP, stage: level, predictedValueMinor: { not: null } },
        _avg: { predictedValueMinor: true },
      });
      expect(board.levels[level].predictedAverageMinor).toBeCloseTo(Number(agg._avg.predictedValueMinor), 6);
    }
    // Each level up is worth more, predicted as well as historically.
    const p = (l: "first-time-buyer" | "repeat-buyer" | "regular-buyer") => board.levels[l].predictedAverageMinor!;
    expect(p("first-time-buyer")).toBeLessThan(p("repeat-buyer"));
    expect(p("repeat-buyer")).toBeLessThan(p("regular-buyer"));
    expect(board.levels.visitor.predictedAverageMinor).toBeNull();
  }, 120_000);

  it("after an insufficient fit: no predicted number, and the reason in plain words", async () => {
    await refitShopPredictions(t.db, SHOP, CDNOW_NOW, { fitability: { minBuyers: 3000 } });
    const board = await loadBoard(t.db, SHOP, CDNOW_NOW, { conversions });
    expect(board.prediction).toMatchObject({
      status: "insufficient",
      code: "too-few-buyers",
      reason: { key: "prediction.reason.too-few-buyers", values: { min: 3000, count: 2349 } },
    });
    expect(Object.values(board.levels).every((l) => l.predictedAverageMinor == null)).toBe(true);
  }, 120_000);
});
