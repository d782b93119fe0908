/**
 * Predicted customer value: expected purchases (MBG/NBD in the app; BG/NBD
 * also accepted) × expected spend per purchase (Gamma-Gamma).
 *
 * The default is UNDISCOUNTED: value = E[Y(h) | x, t_x, T] × E[M | x, zbar]
 * with h = 52.18 weeks (12 months). With `monthlyDiscountRate` d > 0 the
 * horizon is cut into months of 52.18/12 weeks and each month's expected
 * purchases are discounted by (1 + d)^m, m = 1, 2, ….
 *
 * Pure module: no I/O, no clock.
 */
import { conditionalExpectedPurchases, probabilityAlive, type BgNbdParams } from "./bgnbd";
import { conditionalExpectedSpend, type GammaGammaParams } from "./gammaGamma";
import { mbgnbdConditionalExpectedPurchases, mbgnbdProbabilityAlive, type MbgNbdParams } from "./mbgnbd";
import type { Hyp2f1Options } from "./special";
import type { CustomerSummary } from "./summary";

/** 12 months in weeks (365.25 / 7, rounded as in the product spec). */
export const WEEKS_PER_YEAR = 52.18;
export const WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12;
/** The longest horizon predicted: ten years (the discounted value sums one term per month, so this bounds it). */
export const MAX_HORIZON_WEEKS = 10 * WEEKS_PER_YEAR;

export interface ValueOptions {
  /** Prediction horizon in weeks (default 52.18 = 12 months; at most MAX_HORIZON_WEEKS). */
  horizonWeeks?: number;
  /** Monthly discount rate d ≥ 0 (default 0: undiscounted). */
  monthlyDiscountRate?: number;
  hyp2f1?: Hyp2f1Options;
}

/** The purchase model and its fitted parameters. */
export type PurchaseModel = { model: "mbgnbd"; params: MbgNbdParams } | { model: "bgnbd"; params: BgNbdParams };

function purchaseFunctions(purchases: PurchaseModel) {
  return purchases.model === "mbgnbd"
    ? { expected: mbgnbdConditionalExpectedPurchases, alive: mbgnbdProbabilityAlive }
    : { expected: conditionalExpectedPurchases, alive: probabilityAlive };
}

export interface CustomerPrediction {
  /** P(alive | x, t_x, T). */
  probabilityAlive: number;
  /** E[Y(horizon) | x, t_x, T] (undiscounted count). */
  expectedPurchases: number;
  /** E[M | x, zbar]: expected value per purchase. */
  expectedSpend: number;
  /** Expected (discounted if requested) value over the horizon. */
  value: number;
}

/** What a prediction takes from the purchase model alone: it does not depend on the customer's spend. */
export interface PurchasePrediction {
  probabilityAlive: number;
  /** E[Y(horizon) | x, t_x, T] (undiscounted count). */
  expectedPurchases: number;
  /** The expected purchases of each month, discounted: the value is this times the expected spend per purchase. */
  discountedPurchases: number;
}

/**
 * The purchase model's part of a prediction. Customers who share (x, t_x, T) share it, whatever they spend (a refit
 * of a million customers computes it once per distinct triple). Throws as predictCustomerValue does.
 */
export function predictPurchases(
  purchases: PurchaseModel,
  customer: CustomerSummary,
  options: ValueOptions = {},
): PurchasePrediction {
  const horizon = options.horizonWeeks ?? WEEKS_PER_YEAR;
  const d = options.monthlyDiscountRate ?? 0;
  if (!(horizon >= 0 && horizon <= MAX_HORIZON_WEEKS))
    throw new RangeError(`horizonWeeks must be from 0 to ${MAX_HORIZON_WEEKS} (got ${horizon})`);
  if (!(Number.isFinite(d) && d >= 0)) throw new RangeError(`monthlyDiscountRate must be ≥ 0 (got ${d})`);
  const { x, tx, T } = customer;
  const model = purchaseFunctions(purchases);
  const params = purchases.params;
  const expectedPurchases = model.expected(params, horizon, x, tx, T, options.hyp2f1);
  let discountedPurchases: number;
  if (d === 0) discountedPurchases = expectedPurchases;
  else {
    discountedPurchases = 0;
    let prev = 0;
    const months = Math.ceil(horizon / WEEKS_PER_MONTH - 1e-9);
    for (let m = 1; m <= months; m++) {
      const t = Math.min(m * WEEKS_PER_MONTH, horizon);
      const cum = model.expected(params, t, x, tx, T, options.hyp2f1);
      discountedPurchases += (cum - prev) / Math.pow(1 + d, m);
      prev = cum;
    }
  }
  return { probabilityAlive: model.alive(params, x, tx, T), expectedPurchases, discountedPurchases };
}

/** A customer's prediction from the purchase part (predictPurchases) and their expected spend per purchase. */
export function valueOfPurchases(purchase: PurchasePrediction, expectedSpend: number): CustomerPrediction {
  return {
    probabilityAlive: purchase.probabilityAlive,
    expectedPurchases: purchase.expectedPurchases,
    expectedSpend,
    value: purchase.discountedPurchases * expectedSpend,
  };
}

/**
 * Prediction for one customer. Throws RangeError on invalid input and
 * Hyp2f1Error if the expectation cannot be computed accurately.
 */
export function predictCustomerValue(
  purchases: PurchaseModel,
  gammaGamma: GammaGammaParams,
  customer: CustomerSummary,
  options: ValueOptions = {},
): CustomerPrediction {
  const { x } = customer;
  const zbar = customer.zbar ?? NaN;
  if (x > 0 && customer.zbar === undefined) throw new RangeError("zbar is required for a repeat buyer");
  const purchase = predictPurchases(purchases, customer, options);
  return valueOfPurchases(purchase, conditionalExpectedSpend(gammaGamma, x, zbar));
}
