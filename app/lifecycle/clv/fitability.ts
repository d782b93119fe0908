/**
 * Data sufficiency gate: the app shows predicted values only when there is
 * enough data AND both fits converged to an interior optimum.
 *
 * Pure module: no I/O, no clock.
 */
import type { ModelFitOptions } from "./fit";
import { fitGammaGamma, type GammaGammaFit } from "./gammaGamma";
import { fitMbgNbd, type MbgNbdFit } from "./mbgnbd";
import type { CustomerSummary } from "./summary";

export interface FitabilityOptions {
  /** Minimum number of customers with at least one purchase (default 500). */
  minBuyers?: number;
  /** Minimum history: earliest first purchase to calibration end, in days (default 180). */
  minHistoryDays?: number;
  /** Minimum number of repeat buyers (x > 0) for the spend model (default 100). */
  minRepeatBuyers?: number;
  fit?: ModelFitOptions;
}

export type FitabilityCode =
  | "too-few-buyers"
  | "history-too-short"
  | "too-few-repeat-buyers"
  | "spend-missing"
  | "purchase-model-not-converged"
  | "spend-model-not-converged"
  | "spend-mean-unbounded";

/** On success both fits: MBG/NBD for purchases (the app's purchase model), Gamma-Gamma for spend. */
export type Fitability =
  | { ok: true; mbgnbd: MbgNbdFit; gammaGamma: GammaGammaFit }
  | { ok: false; code: FitabilityCode; reason: string; mbgnbd?: MbgNbdFit; gammaGamma?: GammaGammaFit };

/**
 * Decides whether predictions can be shown. On success returns both fits (so
 * callers need not fit again); otherwise a machine code and a human reason.
 * Throws RangeError only for malformed rows (negative x, t_x > T, …).
 */
export function assessFitability(summary: readonly CustomerSummary[], options: FitabilityOptions = {}): Fitability {
  const minBuyers = options.minBuyers ?? 500;
  const minHistoryDays = options.minHistoryDays ?? 180;
  const minRepeatBuyers = options.minRepeatBuyers ?? 100;
  const n = summary.length;
  if (n < minBuyers) {
    return {
      ok: false,
      code: "too-few-buyers",
      reason: `only ${n} customer${n === 1 ? "" : "s"} with a purchase; at least ${minBuyers} are needed`,
    };
  }
  let maxT = 0;
  let repeat = 0;
  let missingSpend = 0;
  for (const c of summary) {
    if (c.T > maxT) maxT = c.T;
    if (c.x > 0) {
      repeat++;
      if (c.zbar === undefined || !(c.zbar > 0)) missingSpend++;
    }
  }
  const historyDays = Math.round(maxT * 7 * 1e6) / 1e6;
  if (historyDays < minHistoryDays) {
    return {
      ok: false,
      code: "history-too-short",
      reason: `order history covers ${Math.floor(historyDays)} days; at least ${minHistoryDays} are needed`,
    };
  }
  if (repeat < minRepeatBuyers) {
    return {
      ok: false,
      code: "too-few-repeat-buyers",
      reason: `only ${repeat} customer${repeat === 1 ? "" : "s"} bought more than once; at least ${minRepeatBuyers} are needed`,
    };
  }
  if (missingSpend > 0) {
    return {
      ok: false,
      code: "spend-missing",
      reason: `${missingSpend} repeat buyer${missingSpend === 1 ? " has" : "s have"} no positive average repeat spend (zbar)`,
    };
  }
  const mbgnbd = fitMbgNbd(
    { x: summary.map((c) => c.x), tx: summary.map((c) => c.tx), T: summary.map((c) => c.T) },
    options.fit,
  );
  if (!mbgnbd.converged) {
    return {
      ok: false,
      code: "purchase-model-not-converged",
      reason: `the purchase-frequency model (MBG/NBD) fit did not converge: ${mbgnbd.message}`,
      mbgnbd,
    };
  }
  const gammaGamma = fitGammaGamma({ x: summary.map((c) => c.x), zbar: summary.map((c) => c.zbar ?? 0) }, options.fit);
  if (!gammaGamma.converged) {
    return {
      ok: false,
      code: "spend-model-not-converged",
      reason: `the spend model (Gamma-Gamma) fit did not converge: ${gammaGamma.message}`,
      mbgnbd,
      gammaGamma,
    };
  }
  if (!(gammaGamma.params.q > 1)) {
    return {
      ok: false,
      code: "spend-mean-unbounded",
      reason: `the spend model implies an unbounded average spend (q = ${gammaGamma.params.q.toFixed(3)} ≤ 1)`,
      mbgnbd,
      gammaGamma,
    };
  }
  return { ok: true, mbgnbd, gammaGamma };
}
