/**
 * The refit's computation, apart from the database: the data-sufficiency gate and both fits (assessFitability), then
 * every buyer's predicted value and P(alive). At a million customers it is seconds of CPU, so the refit runs it on a
 * thread of its own (refit-thread.ts) while the calling thread goes on with the after-pass's scans; here, on the
 * calling thread, when no thread entry ships (a bundle without it). Pure: no database, no clock.
 */
import {
  assessFitability,
  conditionalExpectedSpend,
  predictPurchases,
  valueOfPurchases,
  type CustomerSummary,
  type Fitability,
  type FitabilityOptions,
  type PurchasePrediction,
} from "../lifecycle/clv";

export interface RefitModelsInput {
  /** Gate and optimiser options, the last fit's parameters as the warm start included. */
  fitability: FitabilityOptions;
  horizonWeeks: number;
}

/** Per buyer (the summaries' order): the predicted value (not rounded) and P(alive), NaN where unpredictable. */
export interface BuyerPredictions {
  value: Float64Array<ArrayBuffer>;
  alive: Float64Array<ArrayBuffer>;
  unpredictable: number;
}

/** Both fits and the predictions, or the gate's refusal (no predictions). */
export type RefitModelsResult =
  | { fit: Extract<Fitability, { ok: true }>; predictions: BuyerPredictions }
  | { fit: Extract<Fitability, { ok: false }>; predictions: null };

/** The summaries as columns a thread can be handed without copying (zbar NaN where absent). */
export interface SummaryColumns {
  x: Float64Array<ArrayBuffer>;
  tx: Float64Array<ArrayBuffer>;
  T: Float64Array<ArrayBuffer>;
  zbar: Float64Array<ArrayBuffer>;
}

export function summaryColumns(summary: readonly CustomerSummary[]): SummaryColumns {
  const n = summary.length;
  const columns = {
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    zbar: new Float64Array(n),
  };
  summary.forEach((c, i) => {
    columns.x[i] = c.x;
    columns.tx[i] = c.tx;
    columns.T[i] = c.T;
    columns.zbar[i] = c.zbar ?? Number.NaN;
  });
  return columns;
}

export function summariesOf(columns: SummaryColumns): CustomerSummary[] {
  return Array.from(columns.x, (x, i) => {
    const zbar = columns.zbar[i];
    return Number.isNaN(zbar)
      ? { x, tx: columns.tx[i], T: columns.T[i] }
      : { x, tx: columns.tx[i], T: columns.T[i], zbar };
  });
}

/** What a refit's thread is handed, and what it sends back. */
export type RefitThreadData = RefitModelsInput & { summaries: SummaryColumns };
export type FromRefitThread = { type: "done"; result: RefitModelsResult } | { type: "failed"; message: string };

const PREDICT_SLICE_MS = 50;

export async function fitAndPredict(
  summary: readonly CustomerSummary[],
  input: RefitModelsInput,
): Promise<RefitModelsResult> {
  const fit = assessFitability(summary, input.fitability);
  return fit.ok
    ? { fit, predictions: await predictBuyers(summary, fit, input.horizonWeeks) }
    : { fit, predictions: null };
}

/**
 * Predictions for every buyer. The purchase model's part (the costly one: a hypergeometric series) depends on
 * (x, t_x, T) only, which many customers share (most one-time buyers of a day share one), so it is computed once per
 * distinct triple; the expected spend per purchase is a closed form per customer.
 */
async function predictBuyers(
  summary: readonly CustomerSummary[],
  fit: Extract<Fitability, { ok: true }>,
  horizonWeeks: number,
): Promise<BuyerPredictions> {
  const purchaseModel = { model: "mbgnbd", params: fit.mbgnbd.params } as const;
  const gg = fit.gammaGamma.params;
  const value = new Float64Array(summary.length).fill(Number.NaN);
  const alive = new Float64Array(summary.length).fill(Number.NaN);
  const purchasesOf = new Map<number | string, PurchasePrediction | null>();
  let unpredictable = 0;
  let sliceStart = performance.now();
  for (let k = 0; k < summary.length; k++) {
    // Seconds of computation for a large shop: give the event loop a turn every 50 ms, so that where this runs on a
    // job's thread its heartbeat gets out and its runner does not take this work for a loop that never ends
    // (app/jobs/executor.server.ts).
    if (performance.now() - sliceStart > PREDICT_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    const c = summary[k];
    const key = purchaseKey(c);
    let purchases = purchasesOf.get(key);
    if (purchases === undefined) {
      purchases = attempt(() => predictPurchases(purchaseModel, c, { horizonWeeks }));
      purchasesOf.set(key, purchases);
    }
    const prediction =
      purchases && attempt(() => valueOfPurchases(purchases, conditionalExpectedSpend(gg, c.x, c.zbar ?? NaN)));
    if (!prediction || !Number.isFinite(prediction.value) || !Number.isFinite(prediction.probabilityAlive)) {
      unpredictable++;
      continue;
    }
    value[k] = prediction.value;
    alive[k] = prediction.probabilityAlive;
  }
  return { value, alive, unpredictable };
}

const DAYS_RADIX = 2 ** 17;

/**
 * Customers with the same (x, t_x, T) in whole days get the same purchase prediction. One number for the three (x is
 * at most T in days, and any history is under 2^17 days, 358 years: the key stays an exact integer); text otherwise.
 */
function purchaseKey(c: CustomerSummary): number | string {
  const txDays = Math.round(c.tx * 7);
  const TDays = Math.round(c.T * 7);
  return c.x < DAYS_RADIX && TDays < DAYS_RADIX && txDays >= 0 && txDays <= TDays
    ? (c.x * DAYS_RADIX + txDays) * DAYS_RADIX + TDays
    : `${c.x}|${txDays}|${TDays}`;
}

/** The result, or null where the model cannot compute it accurately (it throws). */
function attempt<T>(compute: () => T): T | null {
  try {
    return compute();
  } catch {
    return null;
  }
}
