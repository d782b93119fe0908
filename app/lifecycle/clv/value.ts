/**
 * Predicted customer value: expected purchases (BG/NBD) × expected spend per
 * purchase (Gamma-Gamma).
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
import type { Hyp2f1Options } from "./special";
import type { CustomerSummary } from "./summary";

/** 12 months in weeks (365.25 / 7, rounded as in the product spec). */
export const WEEKS_PER_YEAR = 52.18;
export const WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12;

export interface ValueOptions {
  /** Prediction horizon in weeks (default 52.18 = 12 months). */
  horizonWeeks?: number;
  /** Monthly discount rate d ≥ 0 (default 0: undiscounted). */
  monthlyDiscountRate?: number;
  hyp2f1?: Hyp2f1Options;
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

/**
 * Prediction for one customer. Throws RangeError on invalid input and
 * Hyp2f1Error if the expectation cannot be computed accurately.
 */
export function predictCustomerValue(
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: CustomerSummary,
  options: ValueOptions = {},
): CustomerPrediction {
  const horizon = options.horizonWeeks ?? WEEKS_PER_YEAR;
  const d = options.monthlyDiscountRate ?? 0;
  if (!(Number.isFinite(horizon) && horizon >= 0)) throw new RangeError(`horizonWeeks must be ≥ 0 (got ${horizon})`);
  if (!(Number.isFinite(d) && d >= 0)) throw new RangeError(`monthlyDiscountRate must be ≥ 0 (got ${d})`);
  const { x, tx, T } = customer;
  const zbar = customer.zbar ?? NaN;
  if (x > 0 && customer.zbar === undefined) throw new RangeError("zbar is required for a repeat buyer");
  const spend = conditionalExpectedSpend(gammaGamma, x, zbar);
  const purchases = conditionalExpectedPurchases(bgnbd, horizon, x, tx, T, options.hyp2f1);
  let value: number;
  if (d === 0) value = purchases * spend;
  else {
    value = 0;
    let prev = 0;
    const months = Math.ceil(horizon / WEEKS_PER_MONTH - 1e-9);
    for (let m = 1; m <= months; m++) {
      const t = Math.min(m * WEEKS_PER_MONTH, horizon);
      const cum = conditionalExpectedPurchases(bgnbd, t, x, tx, T, options.hyp2f1);
      value += ((cum - prev) * spend) / Math.pow(1 + d, m);
      prev = cum;
    }
  }
  return {
    probabilityAlive: probabilityAlive(bgnbd, x, tx, T),
    expectedPurchases: purchases,
    expectedSpend: spend,
    value,
  };
}
