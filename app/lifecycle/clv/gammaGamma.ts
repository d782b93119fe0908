/**
 * Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM
 * and CLV: Using iso-value curves for customer base analysis", JMR 42(4); and
 * Fader & Hardie, "The Gamma-Gamma Model of Monetary Value", 2013 note).
 *
 * A customer's transaction values z_i ~ Gamma(p, ν), ν ~ Gamma(q, γ) across
 * customers (γ is called v here, as in the lifetimes library). Fitted on repeat
 * buyers only (x > 0), from x and zbar = mean value of the x repeat transactions.
 *
 * Pure module: no I/O, no clock.
 */
import { fitMaximumLikelihood, type MaximumLikelihoodFit, type ModelFitOptions } from "./fit";
import { lgamma } from "./special";

export interface GammaGammaParams {
  p: number;
  q: number;
  /** Scale γ of the gamma mixing distribution (named v as in lifetimes). */
  v: number;
}

export interface GammaGammaData {
  x: ArrayLike<number>;
  zbar: ArrayLike<number>;
}

/** `customers`: the repeat buyers (x > 0) the model was fitted on. */
export type GammaGammaFit = MaximumLikelihoodFit<keyof GammaGammaParams>;

function paramsProblem(p: GammaGammaParams): string | null {
  for (const k of ["p", "q", "v"] as const) {
    if (!(Number.isFinite(p[k]) && p[k] > 0)) return `${k} must be a finite number > 0 (got ${p[k]})`;
  }
  return null;
}

/**
 * Log-density of zbar given x for one repeat buyer:
 *   ln[ Γ(px+q)/(Γ(px)Γ(q)) · γ^q · zbar^(px−1) · x^(px) / (γ + x·zbar)^(px+q) ]
 */
export function gammaGammaIndividualLogLikelihood(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, v } = params;
  const px = p * x;
  return (
    lgamma(px + q) -
    lgamma(px) -
    lgamma(q) +
    q * Math.log(v) +
    (px - 1) * Math.log(zbar) +
    px * Math.log(x) -
    (px + q) * Math.log(v + x * zbar)
  );
}

export interface PreparedGammaGamma {
  x: Int32Array;
  zbar: Float64Array;
  lnZbar: Float64Array;
  weight: Float64Array;
  /** Distinct x values present. */
  distinctX: Int32Array;
  maxX: number;
  customers: number;
}

/** Keeps repeat buyers (x > 0), validates zbar > 0, merges identical rows. */
export function prepareGammaGamma(data: GammaGammaData): PreparedGammaGamma {
  const n = data.x.length;
  if (data.zbar.length !== n) throw new RangeError(`x and zbar must have the same length (${n}, ${data.zbar.length})`);
  const index = new Map<string, number>();
  const xs: number[] = [];
  const zs: number[] = [];
  const ws: number[] = [];
  const distinct = new Set<number>();
  let customers = 0;
  let maxX = 0;
  for (let i = 0; i < n; i++) {
    const x = data.x[i];
    if (!Number.isInteger(x) || x < 0)
      throw new RangeError(`customer #${i}: x must be a non-negative integer (got ${x})`);
    if (x === 0) continue;
    const z = data.zbar[i];
    if (!(Number.isFinite(z) && z > 0)) {
      throw new RangeError(`customer #${i}: zbar must be a finite number > 0 for a repeat buyer (got ${z})`);
    }
    customers++;
    distinct.add(x);
    if (x > maxX) maxX = x;
    const key = `${x}|${z}`;
    const j = index.get(key);
    if (j === undefined) {
      index.set(key, xs.length);
      xs.push(x);
      zs.push(z);
      ws.push(1);
    } else ws[j] += 1;
  }
  if (customers === 0) throw new RangeError("no repeat buyers (x > 0) to fit the spend model on");
  // Canonical row order: the fit depends on which customers there are, not on the order they were read in.
  const order = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j] || zs[i] - zs[j]);
  return {
    x: Int32Array.from(order, (i) => xs[i]),
    zbar: Float64Array.from(order, (i) => zs[i]),
    lnZbar: Float64Array.from(order, (i) => Math.log(zs[i])),
    weight: Float64Array.from(order, (i) => ws[i]),
    distinctX: Int32Array.from([...distinct].sort((s, t) => s - t)),
    maxX,
    customers,
  };
}

export function gammaGammaPreparedLogLikelihood(params: GammaGammaParams, d: PreparedGammaGamma): number {
  const { p, q, v } = params;
  if (!(p > 0 && q > 0 && v > 0)) return NaN;
  // Per distinct x: ln Γ(px+q) − ln Γ(px) + px ln x.
  const byX = new Float64Array(d.maxX + 1);
  for (const x of d.distinctX) {
    const px = p * x;
    byX[x] = lgamma(px + q) - lgamma(px) + px * Math.log(x);
  }
  let sum = 0;
  let comp = 0;
  let weightTotal = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i];
    const px = p * x;
    const ll = byX[x] + (px - 1) * d.lnZbar[i] - (px + q) * Math.log(v + x * d.zbar[i]);
    const term = d.weight[i] * ll;
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    weightTotal += d.weight[i];
  }
  return sum + comp + weightTotal * (q * Math.log(v) - lgamma(q));
}

/** Total Gamma-Gamma log-likelihood over the repeat buyers in data. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: GammaGammaData): number {
  return gammaGammaPreparedLogLikelihood(params, prepareGammaGamma(data));
}

/**
 * Maximum-likelihood fit on the repeat buyers (x > 0); rows with x = 0 are ignored. Shared fitter (./fit),
 * starting from p = 1, q = 2, γ = the mean zbar.
 */
export function fitGammaGamma(data: GammaGammaData, options: ModelFitOptions = {}): GammaGammaFit {
  const prepared = prepareGammaGamma(data);
  let meanZ = 0;
  for (let i = 0; i < prepared.x.length; i++) meanZ += (prepared.weight[i] * prepared.zbar[i]) / prepared.customers;
  return fitMaximumLikelihood(
    {
      names: ["p", "q", "v"],
      start: { p: 1, q: 2, v: meanZ },
      logLikelihood: (params) => gammaGammaPreparedLogLikelihood(params, prepared),
      customers: prepared.customers,
    },
    options,
  );
}

/**
 * E[M | p, q, γ, x, zbar] = p(γ + x·zbar) / (px + q − 1): the customer's
 * expected spend per transaction, a weighted mean of the population mean
 * pγ/(q−1) and the customer's own zbar. For x = 0 this is the population mean,
 * which exists only for q > 1 (otherwise RangeError).
 */
export function conditionalExpectedSpend(params: GammaGammaParams, x: number, zbar: number): number {
  const problem = paramsProblem(params);
  if (problem) throw new RangeError(problem);
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`x must be a non-negative integer (got ${x})`);
  const { p, q, v } = params;
  if (x === 0) {
    if (!(q > 1)) throw new RangeError(`population mean spend is infinite for q ≤ 1 (q = ${q})`);
    return (p * v) / (q - 1);
  }
  if (!(Number.isFinite(zbar) && zbar > 0)) throw new RangeError(`zbar must be > 0 for x > 0 (got ${zbar})`);
  const denom = p * x + q - 1;
  if (!(denom > 0)) throw new RangeError(`expected spend undefined: px + q − 1 = ${denom} ≤ 0`);
  return (p * (v + x * zbar)) / denom;
}
