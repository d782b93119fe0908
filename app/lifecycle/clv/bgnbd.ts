/**
 * BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy
 * way: An alternative to the Pareto/NBD model", Marketing Science 24(2)).
 *
 * Per customer: x repeat purchases, the last at t_x, observed until T (all in
 * the same time unit, weeks in this app). Parameters r, α (gamma heterogeneity
 * of the purchase rate λ) and a, b (beta heterogeneity of the dropout
 * probability p).
 *
 * Pure module: no I/O, no clock.
 */
import { fitMaximumLikelihood, type MaximumLikelihoodFit, type ModelFitOptions } from "./fit";
import { logAddExp, scaledHyp2f1, type Hyp2f1Options } from "./special";

export type { FitDiagnostics, ModelFitOptions } from "./fit";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Column-oriented calibration data: x, t_x and T per customer. */
export interface BgNbdData {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
}

export type BgNbdFit = MaximumLikelihoodFit<keyof BgNbdParams>;

/** Validates one BG/NBD observation; returns a message or null. */
export function bgnbdObservationProblem(x: number, tx: number, T: number): string | null {
  if (!Number.isInteger(x) || x < 0) return `x must be a non-negative integer (got ${x})`;
  if (!Number.isFinite(tx) || tx < 0) return `t_x must be a finite number ≥ 0 (got ${tx})`;
  if (!Number.isFinite(T) || T < 0) return `T must be a finite number ≥ 0 (got ${T})`;
  if (tx > T) return `t_x (${tx}) must not exceed T (${T})`;
  if (x > 0 && T === 0) return "T must be > 0 when x > 0";
  return null;
}

function paramsProblem(p: BgNbdParams): string | null {
  for (const k of ["r", "alpha", "a", "b"] as const) {
    if (!(Number.isFinite(p[k]) && p[k] > 0)) return `${k} must be a finite number > 0 (got ${p[k]})`;
  }
  return null;
}

/**
 * Log-likelihood of one customer (eq. 6 of the paper, in log space):
 *   L = B(a,b+x)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+T)^(r+x))
 *     + 1{x>0} · B(a+1,b+x−1)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+t_x)^(r+x))
 */
export function bgnbdIndividualLogLikelihood(params: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  let base = r * Math.log(alpha);
  for (let k = 0; k < x; k++) base += Math.log(r + k) + Math.log(b + k) - Math.log(a + b + k);
  const a3 = -(r + x) * Math.log(alpha + T);
  if (x === 0) return base + a3;
  const a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return base + logAddExp(a3, a4);
}

/**
 * Identical (x, t_x, T) rows merged with a weight; speeds up the fit without changing it. A shop's customers share few
 * distinct times (whole days), so each row also points into `times`: a likelihood pass takes ln(α + t) once per
 * distinct time instead of twice per row.
 */
export interface PreparedBgNbd {
  x: Int32Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  /** The distinct values of tx and T, ascending; txAt[i] and TAt[i] index into it. */
  times: Float64Array;
  txAt: Int32Array;
  TAt: Int32Array;
  maxX: number;
  customers: number;
}

export function prepareBgNbd(data: BgNbdData): PreparedBgNbd {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n) {
    throw new RangeError(`x, tx and T must have the same length (${n}, ${data.tx.length}, ${data.T.length})`);
  }
  if (n === 0) throw new RangeError("no customers");
  // For x = 0 the likelihood does not depend on t_x.
  const txOf = (i: number) => (data.x[i] === 0 ? 0 : data.tx[i]);
  const distinct = new Set<number>();
  let maxX = 0;
  for (let i = 0; i < n; i++) {
    const problem = bgnbdObservationProblem(data.x[i], data.tx[i], data.T[i]);
    if (problem) throw new RangeError(`customer #${i}: ${problem}`);
    distinct.add(txOf(i));
    distinct.add(data.T[i]);
    if (data.x[i] > maxX) maxX = data.x[i];
  }
  const times = Float64Array.from(distinct).sort();
  const rankOf = new Map<number, number>();
  times.forEach((t, rank) => rankOf.set(t, rank));
  const rows = rowsInCanonicalOrder(n, maxX, times.length, (i) => [
    data.x[i],
    rankOf.get(txOf(i))!,
    rankOf.get(data.T[i])!,
  ]);
  const runs: number[] = [];
  for (let k = 0; k < n; k++) if (k === 0 || !sameRow(rows[k - 1], rows[k])) runs.push(k);
  const m = runs.length;
  const prepared: PreparedBgNbd = {
    x: new Int32Array(m),
    tx: new Float64Array(m),
    T: new Float64Array(m),
    weight: new Float64Array(m),
    times,
    txAt: new Int32Array(m),
    TAt: new Int32Array(m),
    maxX,
    customers: n,
  };
  for (let j = 0; j < m; j++) {
    const [x, txRank, TRank] = rows[runs[j]];
    prepared.x[j] = x;
    prepared.txAt[j] = txRank;
    prepared.TAt[j] = TRank;
    prepared.tx[j] = times[txRank];
    prepared.T[j] = times[TRank];
    prepared.weight[j] = (j + 1 < m ? runs[j + 1] : n) - runs[j];
  }
  return prepared;
}

type RankedRow = readonly [x: number, txRank: number, TRank: number];

const sameRow = (a: RankedRow, b: RankedRow) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/**
 * Every customer's (x, rank of t_x, rank of T), sorted: a canonical order, so the fit (sums in floating point)
 * depends on which customers there are, not on the order they were read in (a shop refitted from pages of its
 * customers gets exactly the fit of the whole list). Sorted as one number per row where it fits in a double's exact
 * integers (a native sort, no comparator calls), else by comparing the triples.
 */
function rowsInCanonicalOrder(
  n: number,
  maxX: number,
  distinctTimes: number,
  rowOf: (i: number) => RankedRow,
): RankedRow[] {
  if ((maxX + 1) * distinctTimes * distinctTimes > Number.MAX_SAFE_INTEGER) {
    const rows = Array.from({ length: n }, (_, i) => rowOf(i));
    return rows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [x, txRank, TRank] = rowOf(i);
    keys[i] = (x * distinctTimes + txRank) * distinctTimes + TRank;
  }
  keys.sort();
  return Array.from(keys, (key): RankedRow => {
    const TRank = key % distinctTimes;
    const rest = (key - TRank) / distinctTimes;
    const txRank = rest % distinctTimes;
    return [(rest - txRank) / distinctTimes, txRank, TRank];
  });
}

/** ln(α + t) for every distinct time of the prepared data. */
export function logAlphaPlusTimes(alpha: number, d: PreparedBgNbd): Float64Array {
  const out = new Float64Array(d.times.length);
  for (let j = 0; j < out.length; j++) out[j] = Math.log(alpha + d.times[j]);
  return out;
}

/** Total log-likelihood over prepared data (Neumaier-compensated sum). */
export function bgnbdPreparedLogLikelihood(params: BgNbdParams, d: PreparedBgNbd): number {
  const { r, alpha, a, b } = params;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return NaN;
  // base[x] = ln Γ(r+x)/Γ(r) + ln B(a,b+x)/B(a,b) via the recurrences, exact for integer x.
  const base = new Float64Array(d.maxX + 1);
  const c4 = new Float64Array(d.maxX + 1);
  const lnA = Math.log(a);
  for (let k = 1; k <= d.maxX; k++) {
    const j = k - 1;
    base[k] = base[k - 1] + Math.log(r + j) + Math.log(b + j) - Math.log(a + b + j);
    c4[k] = lnA - Math.log(b + j);
  }
  const logAlphaPlus = logAlphaPlusTimes(alpha, d);
  let sum = 0;
  let comp = 0;
  let weightTotal = 0;
  const n = d.x.length;
  for (let i = 0; i < n; i++) {
    const x = d.x[i];
    const rx = r + x;
    const a3 = -rx * logAlphaPlus[d.TAt[i]];
    let ll: number;
    if (x === 0) ll = a3;
    else {
      const a4 = c4[x] - rx * logAlphaPlus[d.txAt[i]];
      ll = base[x] + (a3 > a4 ? a3 + Math.log1p(Math.exp(a4 - a3)) : a4 + Math.log1p(Math.exp(a3 - a4)));
    }
    const term = d.weight[i] * ll;
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    weightTotal += d.weight[i];
  }
  return sum + comp + weightTotal * r * Math.log(alpha);
}

/** Total BG/NBD log-likelihood of the data at params. */
export function bgnbdLogLikelihood(params: BgNbdParams, data: BgNbdData): number {
  return bgnbdPreparedLogLikelihood(params, prepareBgNbd(data));
}

/** Neutral starting point of the purchase models: α at a quarter of the mean observation time (its scale). */
export function purchaseModelStart(prepared: PreparedBgNbd): BgNbdParams {
  let meanT = 0;
  for (let i = 0; i < prepared.x.length; i++) meanT += (prepared.weight[i] * prepared.T[i]) / prepared.customers;
  return { r: 1, alpha: meanT > 0 ? meanT / 4 : 1, a: 1, b: 1 };
}

/** Maximum-likelihood fit (./fit: log-space Nelder–Mead with restarts, deterministic). */
export function fitBgNbd(data: BgNbdData, options: ModelFitOptions = {}): BgNbdFit {
  const prepared = prepareBgNbd(data);
  return fitMaximumLikelihood(
    {
      names: ["r", "alpha", "a", "b"],
      start: purchaseModelStart(prepared),
      logLikelihood: (params) => bgnbdPreparedLogLikelihood(params, prepared),
      customers: prepared.customers,
    },
    options,
  );
}

/**
 * P(alive | x, t_x, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
 * (eq. 11 of the paper). For x = 0 the indicator is 0 and the probability is
 * exactly 1: in the BG/NBD model a customer can only drop out right after a
 * repeat purchase.
 */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  const problem = paramsProblem(params) ?? bgnbdObservationProblem(x, tx, T);
  if (problem) throw new RangeError(problem);
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  // 1/(1+e^L), computed without overflow.
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
}

function conditionalExpectationRaw(
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
  hyp: Hyp2f1Options | undefined,
): number {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  // ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z) = (1−z)^(r+x) · 2F1(…)
  const scaled = scaledHyp2f1(r + x, b + x, a + b + x - 1, z, r + x, hyp);
  const numerator = ((a + b + x - 1) / (a - 1)) * (1 - scaled);
  return numerator * probabilityAlive(params, x, tx, T);
}

/**
 * E[Y(t) | x, t_x, T]: expected number of purchases in the next t time units
 * (eq. 10 of the paper):
 *
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *   / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
 *
 * The formula has a removable singularity at a = 1; within 1e-4 of it the
 * value is interpolated linearly between a = 1 ± 1e-4 (error O(1e-8) relative).
 * Throws Hyp2f1Error if 2F1 cannot be evaluated accurately (never clamps).
 */
export function conditionalExpectedPurchases(
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
  hypOptions?: Hyp2f1Options,
): number {
  const problem = paramsProblem(params) ?? bgnbdObservationProblem(x, tx, T);
  if (problem) throw new RangeError(problem);
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`t must be a finite number ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  const h = 1e-4;
  if (Math.abs(params.a - 1) < h) {
    const lo = conditionalExpectationRaw({ ...params, a: 1 - h }, t, x, tx, T, hypOptions);
    const hi = conditionalExpectationRaw({ ...params, a: 1 + h }, t, x, tx, T, hypOptions);
    const w = (params.a - (1 - h)) / (2 * h);
    return lo + w * (hi - lo);
  }
  return conditionalExpectationRaw(params, t, x, tx, T, hypOptions);
}

/**
 * E[X(t)]: expected purchases in (0, t] for a customer who just made a first
 * purchase (eq. 7 of the paper):
 *   (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]
 */
export function expectedPurchases(params: BgNbdParams, t: number, hypOptions?: Hyp2f1Options): number {
  const problem = paramsProblem(params);
  if (problem) throw new RangeError(problem);
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`t must be a finite number ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  const raw = (a: number) => {
    const { r, alpha, b } = params;
    const z = t / (alpha + t);
    return ((a + b - 1) / (a - 1)) * (1 - scaledHyp2f1(r, b, a + b - 1, z, r, hypOptions));
  };
  const h = 1e-4;
  if (Math.abs(params.a - 1) < h) {
    const lo = raw(1 - h);
    const hi = raw(1 + h);
    return lo + ((params.a - (1 - h)) / (2 * h)) * (hi - lo);
  }
  return raw(params.a);
}
