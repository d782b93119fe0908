/**
 * Stored customer-value predictions: the shop's fit (ShopPrediction, one row per shop) and the per-customer
 * predicted 12-month value, P(alive) and top-decile flag on Customer. Written by app/sync/predict.server.ts
 * (refitShopPredictions); read by the customers page, the board's CLV arrow and reconcile (the high-value tag).
 */
import type { Db } from "../db.server";
import { withBulkWriteCheckpoints } from "./facts.server";
import { runStatements, type DriverStatement } from "./driver-statements.server";
import { cachedSql } from "./sql-values.server";

export type PredictionStatus = "ok" | "insufficient";

/** The data-sufficiency gate (app/lifecycle/clv assessFitability's defaults, the numbers). */
export interface PredictionGate {
  minBuyers: number;
  minHistoryDays: number;
  minRepeatBuyers: number;
}
export const DEFAULT_PREDICTION_GATE: PredictionGate = { minBuyers: 500, minHistoryDays: 180, minRepeatBuyers: 100 };

/** Per stage (the model's stage names): customers with a prediction and their predicted value, minor units. */
export type PredictionLevels = Record<string, { customers: number; predictedMinor: number }>;

export interface ShopPredictionView {
  status: PredictionStatus;
  /** app/lifecycle/clv FitabilityCode when insufficient (or "unpredictable"), else null. */
  code: string | null;
  /** The model's reason in words (English), for support and logs; the pages translate `code`. */
  reason: string | null;
  fittedAt: string;
  buyers: number;
  repeatBuyers: number;
  historyDays: number;
  levels: PredictionLevels;
  /** The gate the fit was judged by. */
  gate: PredictionGate;
}

export interface ShopPredictionRecord {
  status: PredictionStatus;
  code: string | null;
  reason: string | null;
  fittedAt: Date;
  params: unknown;
  buyers: number;
  repeatBuyers: number;
  historyDays: number;
  levels: PredictionLevels;
}

function parseLevels(json: string): PredictionLevels {
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as PredictionLevels) : {};
  } catch {
    return {};
  }
}

function parseGate(params: string): PredictionGate {
  try {
    const gate = (JSON.parse(params) as { gate?: Partial<PredictionGate> }).gate ?? {};
    const n = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);
    return {
      minBuyers: n(gate.minBuyers, DEFAULT_PREDICTION_GATE.minBuyers),
      minHistoryDays: n(gate.minHistoryDays, DEFAULT_PREDICTION_GATE.minHistoryDays),
      minRepeatBuyers: n(gate.minRepeatBuyers, DEFAULT_PREDICTION_GATE.minRepeatBuyers),
    };
  } catch {
    return DEFAULT_PREDICTION_GATE;
  }
}

/**
 * The parameters of the shop's last fit, both models' by name (r, alpha, a, b; p, q, v), whether or not it passed the
 * gate: where tonight's refit starts. Empty before the first fit.
 */
export async function lastFitParameters(db: Db, shop: string): Promise<Record<string, number>> {
  const row = await db.shopPrediction.findUnique({ where: { shop }, select: { params: true } });
  if (!row) return {};
  try {
    const params = JSON.parse(row.params) as { mbgnbd?: { params?: unknown }; gammaGamma?: { params?: unknown } };
    const found: Record<string, number> = {};
    for (const model of [params.mbgnbd?.params, params.gammaGamma?.params]) {
      if (!model || typeof model !== "object") continue;
      for (const [name, value] of Object.entries(model))
        if (typeof value === "number" && Number.isFinite(value)) found[name] = value;
    }
    return found;
  } catch {
    return {};
  }
}

/** The shop's last fit, or null before the first one. */
export async function readShopPrediction(db: Db, shop: string): Promise<ShopPredictionView | null> {
  const row = await db.shopPrediction.findUnique({ where: { shop } });
  if (!row) return null;
  return {
    status: row.status === "ok" ? "ok" : "insufficient",
    code: row.code,
    reason: row.reason,
    fittedAt: row.fittedAt.toISOString(),
    buyers: row.buyers,
    repeatBuyers: row.repeatBuyers,
    historyDays: row.historyDays,
    levels: parseLevels(row.levels),
    gate: parseGate(row.params),
  };
}

export async function saveShopPrediction(db: Db, shop: string, record: ShopPredictionRecord): Promise<void> {
  const data = {
    fittedAt: record.fittedAt,
    status: record.status,
    code: record.code,
    reason: record.reason,
    params: JSON.stringify(record.params ?? {}),
    buyers: record.buyers,
    repeatBuyers: record.repeatBuyers,
    historyDays: record.historyDays,
    levels: JSON.stringify(record.levels),
  };
  await db.shopPrediction.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}

export interface CustomerPredictionUpdate {
  id: number;
  predictedValueMinor: bigint | null;
  probabilityAlive: number | null;
  highValue: boolean;
}

/** Rows per UPDATE: the rows travel as one JSON text the database unpacks (as reconcile's writes do). */
export const PREDICTION_WRITE_BATCH = 5000;
/**
 * Rows per transaction. A commit writes out every page its rows changed, and the value indexes' pages are changed all
 * over: fewer, larger commits write each of them fewer times. About a second of the job thread at a million
 * customers, well within what its heartbeat allows (app/jobs/executor.server.ts).
 */
export const PREDICTION_ROWS_PER_TRANSACTION = 25_000;

/**
 * Writes per-customer predictions set-based, PREDICTION_WRITE_BATCH rows per UPDATE, on SQLite and PostgreSQL alike,
 * through the driver beneath Prisma, with SQLite's checkpoints spaced as for an import (withBulkWriteCheckpoints).
 * In the order given, the refit's id order: the table's pages are rewritten one after another, and a row's entry in
 * the value index moves wherever it is (sorted by value instead, 373,300 rows of a 1M-customer shop took 18.7–19.9 s
 * against 16.6–17.1 s, on the raw driver). Rows of other shops are never touched (the shop is part of the match).
 * Returns the rows written.
 */
export async function writeCustomerPredictions(
  db: Db,
  shop: string,
  rows: readonly CustomerPredictionUpdate[],
): Promise<number> {
  const update = cachedSql(
    "customerPredictions",
    db,
    (sql) => `${sql.withRows(1, [
      ["id", "integer"],
      ["predictedValueMinor", "bigint"],
      ["probabilityAlive", "double precision"],
      ["highValue", "boolean"],
    ])}
    UPDATE "Customer" SET "predictedValueMinor" = v."predictedValueMinor", "probabilityAlive" = v."probabilityAlive",
      "highValue" = v."highValue"
    FROM v WHERE "Customer"."id" = v."id" AND "Customer"."shop" = ${sql.param(2)}`,
  );
  await withBulkWriteCheckpoints(db, async () => {
    for (let i = 0; i < rows.length; i += PREDICTION_ROWS_PER_TRANSACTION) {
      const statements: DriverStatement[] = [];
      for (let j = i; j < Math.min(rows.length, i + PREDICTION_ROWS_PER_TRANSACTION); j += PREDICTION_WRITE_BATCH) {
        const json = JSON.stringify(
          rows
            .slice(j, Math.min(j + PREDICTION_WRITE_BATCH, i + PREDICTION_ROWS_PER_TRANSACTION))
            .map((r) => [r.id, r.predictedValueMinor?.toString() ?? null, r.probabilityAlive, r.highValue]),
        );
        statements.push({ sql: update, params: [json, shop] });
      }
      await runStatements(db, statements);
    }
  });
  return rows.length;
}

/** Forgets every customer's prediction of the shop (an insufficient fit): one set-based UPDATE. */
export async function clearCustomerPredictions(db: Db, shop: string): Promise<number> {
  const result = await db.customer.updateMany({
    where: {
      shop,
      OR: [{ predictedValueMinor: { not: null } }, { probabilityAlive: { not: null } }, { highValue: true }],
    },
    data: { predictedValueMinor: null, probabilityAlive: null, highValue: false },
  });
  return result.count;
}

/** Whether the shop turned the `<prefix>high-value` tag on (Settings). */
export async function highValueTagEnabled(db: Db, shop: string): Promise<boolean> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { highValueTag: true } });
  return row?.highValueTag ?? false;
}

/**
 * Turns the high-value tag on or off. Returns the customers whose tags must change (the current top decile), for the
 * caller to reconcile; empty when the setting did not change.
 */
export async function saveHighValueTag(db: Db, shop: string, enabled: boolean): Promise<string[]> {
  const before = await highValueTagEnabled(db, shop);
  await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, highValueTag: enabled },
    update: { highValueTag: enabled },
  });
  if (before === enabled) return [];
  const rows = await db.customer.findMany({ where: { shop, highValue: true, deletedAt: null }, select: { gid: true } });
  return rows.map((r) => r.gid);
}

/**
 * Of the given customers, those that carry `<prefix>high-value`: the shop's tag is on and they are in the top
 * decile of its last fit. One indexed query per reconcile chunk; an empty set when the tag is off.
 */
export async function highValueGids(db: Db, shop: string, gids: readonly string[]): Promise<Set<string>> {
  if (gids.length === 0 || !(await highValueTagEnabled(db, shop))) return new Set();
  const rows = await db.customer.findMany({
    where: { shop, gid: { in: [...gids] }, highValue: true },
    select: { gid: true },
  });
  return new Set(rows.map((r) => r.gid));
}

/** One customer as the refit reads it: the stored prediction, the stage, and the purchase days of the order summary. */
export interface PredictionInput {
  id: number;
  stage: string | null;
  predictedValueMinor: bigint | null;
  probabilityAlive: number | null;
  highValue: boolean;
  purchaseDays: number;
  firstPurchaseDay: number | null;
  lastPurchaseDay: number | null;
  repeatSpendMinor: number;
}

/**
 * Every live customer of the shop with a purchase or a stored prediction, in id pages, each page one query returning
 * one JSON text (a million customers are read in seconds, where an object per row through the client took minutes).
 * The others (visitors, subscribers who never bought: a fifth of a large shop) neither get a prediction nor have one
 * to clear. The order summaries must hold.
 */
export async function* predictionInputPages(db: Db, shop: string, pageSize: number): AsyncGenerator<PredictionInput[]> {
  const select = cachedSql("predictionInputs", db, (sql) => {
    const columns = [
      `"id"`,
      `"stage"`,
      sql.bigintText(`"predictedValueMinor"`),
      `"probabilityAlive"`,
      `"highValue"`,
      `"purchaseDays"`,
      `"firstPurchaseDay"`,
      `"lastPurchaseDay"`,
      sql.bigintText(`"repeatSpendMinor"`),
    ];
    return `SELECT ${sql.aggregate(columns)} AS rows FROM (
      SELECT * FROM "Customer" WHERE "shop" = ${sql.param(1)} AND "id" > ${sql.param(2)} AND "deletedAt" IS NULL
        AND ("purchaseDays" > 0 OR "predictedValueMinor" IS NOT NULL OR "probabilityAlive" IS NOT NULL OR "highValue")
      ORDER BY "id" LIMIT ${sql.param(3)}) AS page`;
  });
  let afterId = 0;
  for (;;) {
    const [{ rows }] = await db.$queryRawUnsafe<Array<{ rows: string | null }>>(select, shop, afterId, pageSize);
    const page = (JSON.parse(rows ?? "[]") as unknown[][]).map(
      ([id, stage, value, alive, high, days, first, last, repeat]): PredictionInput => ({
        id: Number(id),
        stage: (stage as string | null) ?? null,
        predictedValueMinor: value == null ? null : BigInt(String(value)),
        probabilityAlive: alive == null ? null : Number(alive),
        highValue: Boolean(high),
        purchaseDays: Number(days),
        firstPurchaseDay: first == null ? null : Number(first),
        lastPurchaseDay: last == null ? null : Number(last),
        repeatSpendMinor: Number(repeat),
      }),
    );
    if (page.length === 0) return;
    // The aggregate need not keep the page's order: sort it back (ids are the keyset).
    page.sort((a, b) => a.id - b.id);
    afterId = page[page.length - 1].id;
    yield page;
    if (page.length < pageSize) return;
  }
}
