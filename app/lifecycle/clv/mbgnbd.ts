/**
 * MBG/NBD model (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models for customer
 * base analysis", International Journal of Research in Marketing 24(3); conditional expectation as corrected by
 * Wagner & Hoppe 2008, "Erratum on the MBG/NBD model", IJRM 25(3)).
 *
 * Same data and parameters as BG/NBD (x repeat purchases, the last at t_x, observed until T; λ ~ Gamma(r, α),
 * p ~ Beta(a, b)), with one change: a customer may also drop out right after the first purchase, not only after a
 * repeat purchase. In BG/NBD a customer who never bought again is alive with probability 1 whatever their age; here
 * the chance falls as the silence since the first purchase grows, which is what a merchant expects of a one-order
 * customer seen a year ago.
 *
 * Derivation, given λ and p (the customer alive at the start with probability 1 − p, and after each purchase):
 *   L(λ, p | x, t_x, T) = λ^x (1−p)^x [ (1−p) e^(−λT) + p e^(−λ t_x) ]
 * integrated over the two mixing distributions:
 *   L = Γ(r+x) α^r / Γ(r) · B(a, b+x+1) / B(a, b) · [ (α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x) ]
 * (B(a+1, b+x) / B(a, b+x+1) = a/(b+x)). For x = 0, t_x = 0: a death "at the last purchase" is at time 0.
 *
 * Pure module: no I/O, no clock.
 */
import {
  bgnbdObservationProblem,
  logAlphaPlusTimes,
  prepareBgNbd,
  purchaseModelStart,
  type BgNbdData,
  type PreparedBgNbd,
} from "./bgnbd";
import { fitMaximumLikelihood, type MaximumLikelihoodFit, type ModelFitOptions } from "./fit";
import { logAddExp, scaledHyp2f1, type Hyp2f1Options } from "./special";

export interface MbgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export type MbgNbdFit = MaximumLikelihoodFit<keyof MbgNbdParams>;

function paramsProblem(p: MbgNbdParams): string | null {
  for (const k of ["r", "alpha", "a", "b"] as const) {
    if (!(Number.isFinite(p[k]) && p[k] > 0)) return `${k} must be a finite number > 0 (got ${p[k]})`;
  }
  return null;
}

function checkInputs(params: MbgNbdParams, x: number, tx: number, T: number): void {
  const problem = paramsProblem(params) ?? bgnbdObservationProblem(x, tx, T);
  if (problem) throw new RangeError(problem);
}

/** ln of the log-likelihood's x-dependent constant: ln Γ(r+x)/Γ(r) + ln B(a, b+x+1)/B(a, b), by recurrence. */
function logBase(params: MbgNbdParams, x: number): number {
  const { r, a, b } = params;
  let base = Math.log(b) - Math.log(a + b);
  for (let k = 1; k <= x; k++) base += Math.log(r + k - 1) + Math.log(b + k) - Math.log(a + b + k);
  return base;
}

/** Log-likelihood of one customer (the formula in the module comment, in log space). */
export function mbgnbdIndividualLogLikelihood(params: MbgNbdParams, x: number, tx: number, T: number): number {
  checkInputs(params, x, tx, T);
  const { r, alpha, a, b } = params;
  const recency = x === 0 ? 0 : tx;
  const alive = -(r + x) * Math.log(alpha + T);
  const dead = Math.log(a) - Math.log(b + x) - (r + x) * Math.log(alpha + recency);
  return r * Math.log(alpha) + logBase(params, x) + logAddExp(alive, dead);
}

/** Total log-likelihood over prepared (x, t_x, T) rows (prepareBgNbd: the same data as BG/NBD), compensated sum. */
export function mbgnbdPreparedLogLikelihood(params: MbgNbdParams, d: PreparedBgNbd): number {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return NaN;
  // base[x] and ln(a/(b+x)) for every x present, by the recurrences.
  const base = new Float64Array(d.maxX + 1);
  const deadWeight = new Float64Array(d.maxX + 1);
  const lnA = Math.log(a);
  base[0] = Math.log(b) - Math.log(a + b);
  deadWeight[0] = lnA - Math.log(b);
  for (let k = 1; k <= d.maxX; k++) {
    base[k] = base[k - 1] + Math.log(r + k - 1) + Math.log(b + k) - Math.log(a + b + k);
    deadWeight[k] = lnA - Math.log(b + k);
  }
  const logAlphaPlus = logAlphaPlusTimes(alpha, d);
  let sum = 0;
  let comp = 0;
  let weightTotal = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i];
    const rx = r + x;
    const alive = -rx * logAlphaPlus[d.TAt[i]];
    const dead = deadWeight[x] - rx * logAlphaPlus[d.txAt[i]];
    const ll =
      base[x] + (alive > dead ? alive + Math.log1p(Math.exp(dead - alive)) : dead + Math.log1p(Math.exp(alive - dead)));
    const term = d.weight[i] * ll;
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    weightTotal += d.weight[i];
  }
  return sum + comp + weightTotal * r * Math.log(alpha);
}

/** Total MBG/NBD log-likelihood of the data at params. */
export function mbgnbdLogLikelihood(params: MbgNbdParams, data: BgNbdData): number {
  return mbgnbdPreparedLogLikelihood(params, prepareBgNbd(data));
}

/**
 * The mean dropout chance a/(a+b) below which a fit lies on the no-dropout ridge: as a → 0 and b → ∞ MBG/NBD tends
 * to the NBD model and the likelihood flattens, so a search that walks onto the ridge stops wherever its gradient
 * test is met. From the usual start it did so on data whose optimum is interior (a year of Online Retail: −37,699.698
 * along the ridge, −37,699.667 at a 0.0025, b 11.9), and where on the ridge it stopped (b 4e7 or the 1e8 bound)
 * decided whether the gate passed the fit.
 */
export const RIDGE_DROPOUT_CHANCE = 1e-6;
/** Where a search that ended on the ridge starts again: real dropout, the purchase parameters kept. */
const OFF_RIDGE_START = { a: 0.1, b: 1 };

/**
 * Maximum-likelihood fit with the shared fitter (./fit), from the same starting point as BG/NBD. A fit that ends on
 * the no-dropout ridge is searched once more from a start with dropout, and the higher likelihood kept: the ridge
 * stays the answer only where nothing off it does better.
 */
export function fitMbgNbd(data: BgNbdData, options: ModelFitOptions = {}): MbgNbdFit {
  const prepared = prepareBgNbd(data);
  const problem = {
    names: ["r", "alpha", "a", "b"] as const,
    start: purchaseModelStart(prepared),
    logLikelihood: (params: MbgNbdParams) => mbgnbdPreparedLogLikelihood(params, prepared),
    customers: prepared.customers,
  };
  const fit = fitMaximumLikelihood(problem, options);
  const { r, alpha, a, b } = fit.params;
  if (!(a / (a + b) < RIDGE_DROPOUT_CHANCE)) return fit;
  const again = fitMaximumLikelihood(problem, {
    ...options,
    warmStart: undefined,
    initial: { r, alpha, ...OFF_RIDGE_START },
  });
  const best = again.logLikelihood > fit.logLikelihood ? again : fit;
  return {
    ...best,
    iterations: fit.iterations + again.iterations,
    evaluations: fit.evaluations + again.evaluations,
    restarts: fit.restarts + again.restarts,
  };
}

/**
 * P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)), t_x = 0 when x = 0 (Batislam et al., appendix).
 * Below 1 for every customer, one-order customers included, and falling with the time since the last purchase.
 */
export function mbgnbdProbabilityAlive(params: MbgNbdParams, x: number, tx: number, T: number): number {
  checkInputs(params, x, tx, T);
  const { r, alpha, a, b } = params;
  const recency = x === 0 ? 0 : tx;
  const logOdds = Math.log(a) - Math.log(b + x) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + recency));
  // 1/(1+e^L), computed without overflow.
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
}

/** (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))]: E[Y(t)] of a customer alive now. */
function expectedIfAlive(
  params: MbgNbdParams,
  t: number,
  x: number,
  T: number,
  hyp: Hyp2f1Options | undefined,
): number {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  return ((a + b + x) / (a - 1)) * (1 - scaledHyp2f1(r + x, b + x + 1, a + b + x, z, r + x, hyp));
}

/**
 * The formulas divide by a − 1, a removable singularity: within 1e-4 of a = 1 the value is interpolated linearly
 * between a = 1 ± 1e-4 (relative error O(1e-8)), as for BG/NBD.
 */
function acrossAEqualsOne(params: MbgNbdParams, f: (p: MbgNbdParams) => number): number {
  const h = 1e-4;
  if (Math.abs(params.a - 1) >= h) return f(params);
  const lo = f({ ...params, a: 1 - h });
  const hi = f({ ...params, a: 1 + h });
  return lo + ((params.a - (1 - h)) / (2 * h)) * (hi - lo);
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next t time units (Wagner & Hoppe 2008, eq. 4):
 *   (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive | x, t_x, T)
 * Throws Hyp2f1Error if 2F1 cannot be evaluated accurately (never clamps).
 */
export function mbgnbdConditionalExpectedPurchases(
  params: MbgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
  hypOptions?: Hyp2f1Options,
): number {
  checkInputs(params, x, tx, T);
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`t must be a finite number ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  return (
    acrossAEqualsOne(params, (p) => expectedIfAlive(p, t, x, T, hypOptions)) * mbgnbdProbabilityAlive(params, x, tx, T)
  );
}

/**
 * E[X(t)]: expected repeat purchases in (0, t] of a customer who just made a first purchase:
 *   b/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))]
 * (the conditional expectation at x = t_x = T = 0, where P(alive) = b/(a+b)).
 */
export function mbgnbdExpectedPurchases(params: MbgNbdParams, t: number, hypOptions?: Hyp2f1Options): number {
  const problem = paramsProblem(params);
  if (problem) throw new RangeError(problem);
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`t must be a finite number ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  return acrossAEqualsOne(params, (p) => {
    const z = t / (p.alpha + t);
    return (p.b / (p.a - 1)) * (1 - scaledHyp2f1(p.r, p.b + 1, p.a + p.b, z, p.r, hypOptions));
  });
}
