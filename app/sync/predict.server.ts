/**
 * Refits a shop's customer-value models (MBG/NBD + Gamma-Gamma, app/lifecycle/clv) from its customers' purchase days
 * (their order summaries, app/lifecycle/order-summary.ts, made to hold as of `now` first) and stores
 * the predictions: the fit (ShopPrediction) and, per customer, the predicted value of the next 12 months (Gamma-Gamma
 * spend × MBG/NBD purchases), P(alive) from MBG/NBD (below 1 for one-order customers too, falling as their silence
 * grows) and whether the customer is in the top decile by predicted value (the optional `<prefix>high-value` tag).
 *
 * Called by the daily job and at the end of an import. A shop with too little data (fewer than 500 buyers, less
 * than 180 days of history, too few repeat buyers) or a fit that does not converge gets status 'insufficient' with
 * the reason, and every stored per-customer prediction of the shop is cleared: the app never shows a number it
 * cannot stand behind, and falls back to historical value.
 *
 * Memory and time are linear in the shop's customers and do not grow with their orders: customers are read in id
 * pages (one query and one JSON text per page), only the summary numbers are kept; the fits and the predictions run
 * on a thread of their own (refit-models.ts, seconds of CPU at a million customers), so the calling thread can do
 * other work meanwhile (`whileFitting`: the after-pass's scans); predictions are written set-based
 * (writeCustomerPredictions), and only rows whose prediction drifted past the bounds below.
 */
import type { Db } from "../db.server";
import { loadShopContext } from "../models/shop.server";
import { refreshOrderSummaries, type SummariesOptions } from "./order-summaries.server";
import { messageLog } from "../logger.server";
import { reconcileCustomers, type ReconcileOptions } from "./reconcile.server";
import { STAGES } from "../lifecycle";
import {
  summaryOfPurchaseDays,
  WEEKS_PER_YEAR,
  type CustomerSummary,
  type Fitability,
  type FitabilityOptions,
} from "../lifecycle/clv";
import { Worker as Thread } from "node:worker_threads";
import { threadEntry, threadExecArgv } from "../threads.server";
import {
  fitAndPredict,
  summaryColumns,
  type FromRefitThread,
  type RefitModelsInput,
  type BuyerPredictions,
  type RefitModelsResult,
  type RefitThreadData,
} from "./refit-models";
import {
  clearCustomerPredictions,
  DEFAULT_PREDICTION_GATE,
  highValueTagEnabled,
  lastFitParameters,
  predictionInputPages,
  saveShopPrediction,
  writeCustomerPredictions,
  type CustomerPredictionUpdate,
  type PredictionLevels,
  type PredictionStatus,
} from "../models/prediction.server";

/** Customers read per page (a few numbers each). */
export const REFIT_PAGE_SIZE = 20_000;
/** The high-value tag goes to the top 1/HIGH_VALUE_FRACTION of predicted customers: the top decile. */
export const HIGH_VALUE_FRACTION = 10;

export interface RefitOptions extends SummariesOptions {
  /** Gate and optimiser options (defaults: 500 buyers, 180 days, 100 repeat buyers). */
  fitability?: FitabilityOptions;
  /** Prediction horizon in weeks (default 52.18: 12 months). */
  horizonWeeks?: number;
  pageSize?: number;
  /**
   * Work for the calling thread while the models are fitted and the buyers predicted on another (the after-pass's
   * scans). It runs exactly once, also when the refit fails before its fit; the refit waits for it.
   */
  whileFitting?: () => Promise<void>;
  /** Overrides the choice by size: true fits on a thread whenever its entry ships, false never. */
  fitThread?: boolean;
}

export interface RefitSummary {
  status: PredictionStatus;
  /** FitabilityCode (or "unpredictable") when insufficient, else null. */
  code: string | null;
  reason: string | null;
  /** Customers with a qualifying purchase, and those with more than one purchase day. */
  buyers: number;
  repeatBuyers: number;
  /** Days from the earliest first purchase to `now`. */
  historyDays: number;
  /** Customers given a prediction. */
  predicted: number;
  /** Buyers whose prediction could not be computed accurately (left without a number). */
  unpredictable: number;
  /** Customers in the top decile. */
  highValue: number;
  /** Customer rows written (changed predictions, and cleared ones). */
  written: number;
  /**
   * Customers whose `<prefix>high-value` tag must change (they entered or left the top decile) while the shop has
   * the tag on: reconcile them to write the tags. Empty when the tag is off.
   */
  retagGids: string[];
  /** Wall-clock milliseconds per phase. */
  timings: { read: number; fit: number; predict: number; write: number; total: number };
}

interface Collected {
  /** Customer ids in id order: the shop's live customers with a purchase or a stored prediction. */
  ids: number[];
  /** Index into STAGES, -1 without a stage. */
  stage: number[];
  /** Previous stored values (null = none). */
  oldValue: Array<bigint | null>;
  oldAlive: Array<number | null>;
  oldHigh: boolean[];
  /** Index into ids of each buyer's summary row, and the rows. */
  buyerIndex: number[];
  summary: CustomerSummary[];
}

const STAGE_CODE = new Map<string, number>(STAGES.map((s, i) => [s, i]));

async function collect(db: Db, shop: string, now: Date, options: RefitOptions): Promise<Collected> {
  const nowMs = now.getTime();
  const out: Collected = { ids: [], stage: [], oldValue: [], oldAlive: [], oldHigh: [], buyerIndex: [], summary: [] };
  if (!options.summariesHold) {
    const { settings } = await loadShopContext(db, shop);
    await refreshOrderSummaries(db, shop, settings, now);
  }
  const pageSize = options.pageSize ?? REFIT_PAGE_SIZE;
  for await (const page of predictionInputPages(db, shop, pageSize)) {
    for (const c of page) {
      const index = out.ids.length;
      out.ids.push(c.id);
      out.stage.push(c.stage == null ? -1 : (STAGE_CODE.get(c.stage) ?? -1));
      out.oldValue.push(c.predictedValueMinor);
      out.oldAlive.push(c.probabilityAlive);
      out.oldHigh.push(c.highValue);
      if (c.purchaseDays === 0 || c.firstPurchaseDay === null || c.lastPurchaseDay === null) continue;
      const row = summaryOfPurchaseDays(
        {
          count: c.purchaseDays,
          firstDay: c.firstPurchaseDay,
          lastDay: c.lastPurchaseDay,
          repeatValue: c.repeatSpendMinor,
        },
        nowMs,
      );
      out.buyerIndex.push(index);
      out.summary.push({ x: row.x, tx: row.tx, T: row.T, zbar: row.zbar });
    }
  }
  return out;
}

/** How many of n predicted customers form the top decile. */
export function topDecileCount(n: number): number {
  return Math.ceil(n / HIGH_VALUE_FRACTION);
}

/**
 * The top decile by predicted value, in the customers page's order (value descending, then id descending, so the
 * tagged customers are exactly the first rows of that page). Returns the positions in `values` chosen. Only the
 * customers at or above the decile's lowest value (found by a numeric sort of all values) are ordered exactly.
 */
export function selectTopDecile(ids: ArrayLike<number>, values: ArrayLike<bigint | null>): number[] {
  const predicted: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] != null) predicted.push(Number(values[i]));
  const count = topDecileCount(predicted.length);
  if (count === 0) return [];
  // Number() keeps the order of the bigints (ties at most), so everyone in the decile is at or above this.
  const lowest = Float64Array.from(predicted).sort()[predicted.length - count];
  const candidates: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] != null && Number(values[i]) >= lowest) candidates.push(i);
  candidates.sort((i, j) => {
    const a = values[i] as bigint;
    const b = values[j] as bigint;
    return a === b ? ids[j] - ids[i] : a > b ? -1 : 1;
  });
  return candidates.slice(0, count);
}

function levelsOf(stage: ArrayLike<number>, values: ArrayLike<bigint | null>): PredictionLevels {
  const levels: PredictionLevels = {};
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || stage[i] < 0) continue;
    const name = STAGES[stage[i]];
    const level = (levels[name] ??= { customers: 0, predictedMinor: 0 });
    level.customers++;
    level.predictedMinor += Number(v);
  }
  return levels;
}

async function gidsOf(db: Db, shop: string, ids: readonly number[]): Promise<string[]> {
  const gids: string[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db.customer.findMany({
      where: { shop, id: { in: ids.slice(i, i + 1000) } },
      select: { gid: true },
    });
    gids.push(...rows.map((r) => r.gid));
  }
  return gids;
}

/** The data-sufficiency gate: the options' figures where given, the stored defaults otherwise. */
function gateOf(fitability: FitabilityOptions | undefined) {
  return {
    minBuyers: fitability?.minBuyers ?? DEFAULT_PREDICTION_GATE.minBuyers,
    minHistoryDays: fitability?.minHistoryDays ?? DEFAULT_PREDICTION_GATE.minHistoryDays,
    minRepeatBuyers: fitability?.minRepeatBuyers ?? DEFAULT_PREDICTION_GATE.minRepeatBuyers,
  };
}

/** Buyers, repeat buyers and the longest history (days) of the collected summaries. */
function historyOf(data: Collected): { buyers: number; repeatBuyers: number; historyDays: number } {
  let repeatBuyers = 0;
  let maxT = 0;
  for (const c of data.summary) {
    if (c.x > 0) repeatBuyers++;
    if (c.T > maxT) maxT = c.T;
  }
  return { buyers: data.summary.length, repeatBuyers, historyDays: Math.round(maxT * 7 * 1e6) / 1e6 };
}

/**
 * How far a customer's prediction may drift from the stored one before the row is rewritten: 5% of the value, one
 * percentage point of P(alive). Each night every buyer's silence grows by a day, which lowers most predictions a
 * little, and every rewritten value moves the row's entry in the value index. At 1% nearly half the buyers of a
 * 1M-customer shop were rewritten every night (373,300 rows, 25 s, more than the rest of the daily run), since their
 * values fall 1–2% a night; at 5% a row waits for several nights' fall. A 12-month value estimated from purchase
 * history means the same within 5%; the top decile, the high-value tags and the board's averages are always taken
 * from tonight's exact values.
 */
export const PREDICTION_VALUE_DRIFT = 0.05;
export const PREDICTION_ALIVE_DRIFT = 0.01;

function valueMoved(value: bigint | null, stored: bigint | null): boolean {
  if (value === null || stored === null) return value !== stored;
  const difference = Number(value - stored);
  return Math.abs(difference) > PREDICTION_VALUE_DRIFT * Math.abs(Number(stored));
}

function aliveMoved(alive: number | null, stored: number | null): boolean {
  if (alive === null || stored === null) return alive !== stored;
  return Math.abs(alive - stored) > PREDICTION_ALIVE_DRIFT;
}

/**
 * The customers whose stored prediction must be rewritten (it drifted past the bounds above, or appeared, went, or
 * entered or left the top decile), and those whose tag changes (entered or left the top decile).
 */
function changedPredictions(
  data: Collected,
  value: Array<bigint | null>,
  alive: Array<number | null>,
  high: boolean[],
) {
  const updates: CustomerPredictionUpdate[] = [];
  const retagIds: number[] = [];
  for (let i = 0; i < data.ids.length; i++) {
    const valueDrifted = valueMoved(value[i], data.oldValue[i]);
    if (valueDrifted || aliveMoved(alive[i], data.oldAlive[i]) || high[i] !== data.oldHigh[i]) {
      // Rewritten for P(alive) or the decile, a stored value still within its bound stays: its index entry too.
      const predictedValueMinor = valueDrifted ? value[i] : data.oldValue[i];
      updates.push({ id: data.ids[i], predictedValueMinor, probabilityAlive: alive[i], highValue: high[i] });
    }
    if (high[i] !== data.oldHigh[i]) retagIds.push(data.ids[i]);
  }
  return { updates, retagIds };
}

/**
 * A fit the data cannot carry: every stored prediction is cleared and the shop's row says why; the customers who
 * were in the top decile lose the high-value tag (their gids, when the shop has the tag on).
 */
async function storeInsufficientFit(
  db: Db,
  shop: string,
  now: Date,
  data: Collected,
  fit: Extract<Fitability, { ok: false }>,
  context: {
    horizonWeeks: number;
    gate: ReturnType<typeof gateOf>;
    base: ReturnType<typeof historyOf>;
    tagOn: boolean;
    /** When the refit started, its read ended and its fit ended (performance.now()). */
    started: { t0: number; tRead: number; tFit: number };
  },
): Promise<RefitSummary> {
  const { horizonWeeks, gate, base, tagOn } = context;
  const { t0, tRead, tFit } = context.started;
  const previouslyHigh = data.ids.filter((_, i) => data.oldHigh[i]);
  const written = await clearCustomerPredictions(db, shop);
  const tWrite = performance.now();
  await saveShopPrediction(db, shop, {
    status: "insufficient",
    code: fit.code,
    reason: fit.reason,
    fittedAt: now,
    params: { horizonWeeks, gate, mbgnbd: fit.mbgnbd ?? null, gammaGamma: fit.gammaGamma ?? null },
    ...base,
    levels: {},
  });
  return {
    status: "insufficient",
    code: fit.code,
    reason: fit.reason,
    ...base,
    predicted: 0,
    unpredictable: 0,
    highValue: 0,
    written,
    retagGids: tagOn ? await gidsOf(db, shop, previouslyHigh) : [],
    timings: { read: tRead - t0, fit: tFit - tRead, predict: 0, write: tWrite - tFit, total: performance.now() - t0 },
  };
}

/** Below this many buyers the fit takes less than a thread's start (tens of milliseconds against about a second). */
export const REFIT_THREAD_MIN_BUYERS = 50_000;

/**
 * The gate, both fits and every buyer's prediction (refit-models.ts), on a thread of its own when its entry ships, so
 * the calling thread is free for `whileFitting` meanwhile. Nightly the data has barely moved since the last fit, so the
 * optimiser starts from it (Newton's method: a few dozen likelihood passes over a million customers, not a thousand).
 */
async function fitAndPredictAside(
  db: Db,
  shop: string,
  summary: readonly CustomerSummary[],
  input: RefitModelsInput,
  fitThread: boolean | undefined,
): Promise<RefitModelsResult> {
  const fit = input.fitability.fit;
  const warmStart = fit?.warmStart ?? (await lastFitParameters(db, shop));
  const withWarmStart = { ...input, fitability: { ...input.fitability, fit: { ...fit, warmStart } } };
  const entry = fitThread === false ? null : threadEntry(import.meta.url, "refit-thread");
  if (!entry || !(fitThread ?? summary.length >= REFIT_THREAD_MIN_BUYERS)) return fitAndPredict(summary, withWarmStart);
  const summaries = summaryColumns(summary);
  // No heap limit of its own: the process's (--max-old-space-size, as for every thread of the worker) applies.
  const thread = new Thread(entry, {
    execArgv: threadExecArgv(entry),
    workerData: { ...withWarmStart, summaries } satisfies RefitThreadData,
    transferList: [summaries.x.buffer, summaries.tx.buffer, summaries.T.buffer, summaries.zbar.buffer],
  });
  try {
    return await new Promise<RefitModelsResult>((resolve, reject) => {
      thread.once("message", (message: FromRefitThread) =>
        message.type === "done" ? resolve(message.result) : reject(new Error(message.message)),
      );
      thread.once("error", reject);
      thread.once("exit", (code) => reject(new Error(`the refit's thread stopped (exit code ${code}) with no result`)));
    });
  } finally {
    await thread.terminate();
  }
}

/**
 * Refits the shop's value models as of `now` from its customers' purchase days and stores the result (see the
 * module comment). Safe to run again at any time: a re-run with the same data writes nothing per customer.
 */
export async function refitShopPredictions(
  db: Db,
  shop: string,
  now: Date,
  options: RefitOptions = {},
): Promise<RefitSummary> {
  let meanwhile = options.whileFitting;
  const runMeanwhile = async () => {
    const work = meanwhile;
    meanwhile = undefined;
    await work?.();
  };
  try {
    return await refitWith(db, shop, now, options, runMeanwhile);
  } finally {
    await runMeanwhile();
  }
}

async function refitWith(
  db: Db,
  shop: string,
  now: Date,
  options: RefitOptions,
  meanwhile: () => Promise<void>,
): Promise<RefitSummary> {
  const t0 = performance.now();
  const horizonWeeks = options.horizonWeeks ?? WEEKS_PER_YEAR;
  const data = await collect(db, shop, now, options);
  const tRead = performance.now();

  const base = historyOf(data);
  const buyers = base.buyers;
  const gate = gateOf(options.fitability);
  const [models] = await Promise.all([
    fitAndPredictAside(
      db,
      shop,
      handOver(data),
      { fitability: { ...options.fitability, ...gate }, horizonWeeks },
      options.fitThread,
    ),
    meanwhile(),
  ]);
  const tFit = performance.now();
  const tagOn = await highValueTagEnabled(db, shop);

  if (models.predictions === null) {
    const started = { t0, tRead, tFit };
    return storeInsufficientFit(db, shop, now, data, models.fit, { horizonWeeks, gate, base, tagOn, started });
  }

  const { fit, predictions } = models;
  const { value, alive } = customerPredictions(data, predictions);
  const unpredictable = predictions.unpredictable;
  const top = selectTopDecile(data.ids, value);
  const high = new Array<boolean>(data.ids.length).fill(false);
  for (const i of top) high[i] = true;
  const tPredict = performance.now();

  const { updates, retagIds } = changedPredictions(data, value, alive, high);
  const written = await writeCustomerPredictions(db, shop, updates);
  await saveShopPrediction(db, shop, {
    status: "ok",
    code: null,
    reason: null,
    fittedAt: now,
    params: {
      horizonWeeks,
      gate,
      mbgnbd: fit.mbgnbd,
      gammaGamma: fit.gammaGamma,
      highValueMinMinor: top.length > 0 ? String(value[top[top.length - 1]]) : null,
      unpredictable,
    },
    ...base,
    levels: levelsOf(data.stage, value),
  });
  const tWrite = performance.now();
  return {
    status: "ok",
    code: null,
    reason: null,
    ...base,
    predicted: buyers - unpredictable,
    unpredictable,
    highValue: top.length,
    written,
    retagGids: tagOn ? await gidsOf(db, shop, retagIds) : [],
    timings: {
      read: tRead - t0,
      fit: tFit - tRead,
      predict: tPredict - tFit,
      write: tWrite - tPredict,
      total: performance.now() - t0,
    },
  };
}

/** The buyers' summaries, for the fit alone: the refit keeps no reference (a million of them are 60 MB). */
function handOver(data: Collected): CustomerSummary[] {
  const summary = data.summary;
  data.summary = [];
  return summary;
}

/** Each customer's value (minor units) and P(alive), null without a purchase or a number the model stands behind. */
function customerPredictions(data: Collected, predictions: BuyerPredictions) {
  const value: Array<bigint | null> = new Array(data.ids.length).fill(null);
  const alive: Array<number | null> = new Array(data.ids.length).fill(null);
  for (let k = 0; k < data.buyerIndex.length; k++) {
    if (Number.isNaN(predictions.value[k])) continue;
    value[data.buyerIndex[k]] = BigInt(Math.round(predictions.value[k]));
    alive[data.buyerIndex[k]] = predictions.alive[k];
  }
  return { value, alive };
}

/**
 * The nightly (and post-import) refit, followed by the tag writes it calls for: customers who entered or left the
 * top decile are reconciled, which adds or removes `<prefix>high-value` when the shop has the tag on. A failed fit
 * never fails the caller's job: it is stored as 'insufficient' by refitShopPredictions; an exception here (a bug or
 * a database error) is logged and the stage work already done stands.
 */
export async function refitAndRetag(
  options: Pick<ReconcileOptions, "db" | "shop" | "now" | "cause" | "shopify">,
  log: (message: string) => void = messageLog("refit", "error"),
  refit: RefitOptions = {},
): Promise<RefitSummary | null> {
  try {
    const summary = await refitShopPredictions(options.db, options.shop, options.now, refit);
    if (summary.retagGids.length > 0) await reconcileCustomers({ ...options, notifyFlow: false }, summary.retagGids);
    return summary;
  } catch (error) {
    log(
      `${options.shop}: customer-value refit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return null;
  }
}
