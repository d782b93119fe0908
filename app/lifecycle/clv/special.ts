/**
 * Special functions for the CLV models: log-gamma, log-sum-exp and the Gauss
 * hypergeometric function 2F1.
 *
 * Pure module: no I/O, no clock, no imports.
 */

const LN_SQRT_2PI = 0.9189385332046727; // 0.5 * ln(2π)
const EPS = 2 ** -52;

/**
 * Natural log of |Γ(x)|.
 *
 * x ≥ 15: Stirling series (7 terms, relative error < 1e-17 of the series tail).
 * 0 < x < 15: shifted upwards with Γ(x) = Γ(x+n) / (x (x+1) … (x+n−1)).
 * x < 0: reflection formula. Poles (x = 0, −1, −2, …) give +Infinity.
 * Absolute error is about 1e-14 over the range used by the models.
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    // Γ(x) Γ(1−x) = π / sin(πx)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  let shift = 0;
  if (x < 15) {
    let prod = 1;
    let y = x;
    while (y < 15) {
      prod *= y;
      y += 1;
    }
    shift = Math.log(prod);
    x = y;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series =
    inv *
    (1 / 12 +
      inv2 *
        (-1 / 360 +
          inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 * (1 / 156)))))));
  return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + series - shift;
}

/** Sign of Γ(x) (0 at the poles). */
export function gammaSign(x: number): number {
  if (x > 0) return 1;
  if (Number.isInteger(x)) return 0;
  // Γ is negative on (−1,0), positive on (−2,−1), …
  return Math.floor(x) % 2 === 0 ? 1 : -1;
}

/** ln(e^u + e^v), exact for −Infinity inputs, no overflow. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** Thrown when 2F1 cannot be evaluated to the requested accuracy. */
export class Hyp2f1Error extends Error {
  constructor(
    message: string,
    readonly a: number,
    readonly b: number,
    readonly c: number,
    readonly z: number,
  ) {
    super(`2F1(${a}, ${b}; ${c}; ${z}): ${message}`);
    this.name = "Hyp2f1Error";
  }
}

export interface Hyp2f1Options {
  /** Maximum number of series terms before giving up (default 5,000,000). */
  maxTerms?: number;
  /** Largest acceptable estimated relative error (default 1e-10). */
  maxRelativeError?: number;
}

interface SeriesResult {
  /** Signed sum of the series. */
  sum: number;
  /** Sum of absolute values of the terms (for the rounding-error estimate). */
  absSum: number;
  terms: number;
  converged: boolean;
  /** Estimated relative error of `sum`. */
  relErr: number;
  failure?: string;
}

function isNonPositiveInteger(v: number): boolean {
  return v <= 0 && Number.isInteger(v);
}

/**
 * Plain Gauss series Σ (a)_n (b)_n / ((c)_n n!) z^n for |z| < 1, with an explicit
 * tail bound: once the term ratio has settled (n beyond the parameters' scale)
 * the ratio is monotone towards |z|, so the remaining tail is at most
 * |t_n| ρ / (1 − ρ) with ρ = max(ratio_{n+1}, |z|).
 */
function gaussSeries(a: number, b: number, c: number, z: number, maxTerms: number): SeriesResult {
  let term = 1;
  let sum = 1;
  let absSum = 1;
  // Σ (n+1)|t_n|: each term carries ~n rounding errors from the recurrence.
  let weighted = 1;
  // Below nMin the ratio may still be far from monotone; never stop there
  // unless the series terminates (polynomial case).
  const nMin = Math.ceil(2 * (Math.abs(a) + Math.abs(b) + Math.abs(c))) + 4;
  const absZ = Math.abs(z);
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    if (term === 0) {
      // Terminating series: exact up to rounding.
      return {
        sum,
        absSum,
        terms: n + 1,
        converged: true,
        relErr: (EPS * (weighted + (n + 2) * absSum)) / Math.abs(sum),
      };
    }
    sum += term;
    absSum += Math.abs(term);
    weighted += (n + 2) * Math.abs(term);
    if (!Number.isFinite(sum) || !Number.isFinite(absSum)) {
      return { sum, absSum, terms: n + 1, converged: false, relErr: Infinity, failure: "series terms overflow" };
    }
    if (n >= nMin) {
      const m = n + 1;
      const next = Math.abs((((a + m) * (b + m)) / ((c + m) * (m + 1))) * z);
      const rho = Math.max(next, absZ);
      if (rho < 1) {
        const tail = (Math.abs(term) * rho) / (1 - rho);
        if (tail <= EPS * Math.abs(sum)) {
          const rounding = (EPS * (weighted + Math.sqrt(n + 1) * absSum)) / Math.abs(sum);
          return { sum, absSum, terms: n + 1, converged: true, relErr: rounding + tail / Math.abs(sum) };
        }
      }
    }
  }
  return {
    sum,
    absSum,
    terms: maxTerms,
    converged: false,
    relErr: Infinity,
    failure: `series did not converge within ${maxTerms} terms`,
  };
}

/**
 * Computes (1 − z)^s · 2F1(a, b; c; z) for real z < 1, choosing among the
 * direct series, the Euler transformation
 *   2F1(a,b;c;z) = (1−z)^(c−a−b) 2F1(c−a, c−b; c; z)
 * and, for z < 0, the Pfaff transformation
 *   2F1(a,b;c;z) = (1−z)^(−a) 2F1(a, c−b; c; z/(z−1)),
 * so that the series argument is always in [0, 1). The power prefactor is kept
 * in log space and combined with the series only at the end, so huge
 * intermediate factors (large parameters) do not overflow.
 *
 * Throws Hyp2f1Error when no route converges to `maxRelativeError`.
 * Never clamps.
 */
export function scaledHyp2f1(
  a: number,
  b: number,
  c: number,
  z: number,
  s: number,
  options: Hyp2f1Options = {},
): number {
  const maxTerms = options.maxTerms ?? 5_000_000;
  const maxRelErr = options.maxRelativeError ?? 1e-10;
  if (![a, b, c, z, s].every(Number.isFinite)) {
    throw new Hyp2f1Error("non-finite argument", a, b, c, z);
  }
  if (isNonPositiveInteger(c)) {
    // Defined only if the series terminates before the pole, i.e. a or b is a
    // non-positive integer with |a| < |c|; we do not support that corner.
    throw new Hyp2f1Error("c is a non-positive integer (pole)", a, b, c, z);
  }
  if (z >= 1) {
    if (z > 1) throw new Hyp2f1Error("z > 1 is on the branch cut (complex result)", a, b, c, z);
    if (s !== 0) throw new Hyp2f1Error("prefactor (1−z)^s undefined at z = 1", a, b, c, z);
    return hyp2f1AtOne(a, b, c);
  }
  if (z === 0 || a === 0 || b === 0) return Math.pow(1 - z, s);

  if (z < 0) {
    // Pfaff: (1−z)^s F(a,b;c;z) = (1−z)^(s−a) F(a, c−b; c; w), w = z/(z−1) ∈ (0,1).
    // Since 1 − w = 1/(1 − z): (1−z)^(s−a) = (1−w)^(a−s).
    // Keep a terminating series terminating: use the parameter that is a
    // non-positive integer as the Pfaff "a".
    const w = z / (z - 1);
    if (isNonPositiveInteger(b) && !isNonPositiveInteger(a)) {
      return scaledHyp2f1(b, c - a, c, w, b - s, options);
    }
    return scaledHyp2f1(a, c - b, c, w, a - s, options);
  }

  // 0 < z < 1. Candidate routes: direct and Euler. The n-th term behaves like
  // n^(a+b−c−1) z^n, so try first the route with the smaller exponent.
  const lnOneMinusZ = Math.log1p(-z);
  const routes = [
    { A: a, B: b, p: s },
    { A: c - a, B: c - b, p: s + c - a - b },
  ];
  const terminating = isNonPositiveInteger(a) || isNonPositiveInteger(b);
  if (!terminating && c - a - b < a + b - c) routes.reverse();

  let best: { value: number; relErr: number } | undefined;
  let lastFailure = "";
  for (const route of routes) {
    const res = gaussSeries(route.A, route.B, c, z, maxTerms);
    if (!res.converged) {
      lastFailure = res.failure ?? "no convergence";
      continue;
    }
    let value: number;
    if (res.sum === 0) value = 0;
    else {
      const logMag = route.p * lnOneMinusZ + Math.log(Math.abs(res.sum));
      value = Math.sign(res.sum) * Math.exp(logMag);
    }
    if (!best || res.relErr < best.relErr) best = { value, relErr: res.relErr };
    if (res.relErr <= maxRelErr * 1e-3) break; // accurate enough, skip the other route
  }
  if (!best) throw new Hyp2f1Error(lastFailure, a, b, c, z);
  if (!(best.relErr <= maxRelErr)) {
    throw new Hyp2f1Error(
      `estimated relative error ${best.relErr.toExponential(2)} exceeds ${maxRelErr} (cancellation)`,
      a,
      b,
      c,
      z,
    );
  }
  if (!Number.isFinite(best.value)) {
    throw new Hyp2f1Error("result overflows double precision", a, b, c, z);
  }
  return best.value;
}

/** Gauss's theorem at z = 1 (converges only when c − a − b > 0). */
function hyp2f1AtOne(a: number, b: number, c: number): number {
  if (isNonPositiveInteger(a) || isNonPositiveInteger(b)) {
    // Terminating: Chu–Vandermonde still holds when c−a−b is fine; sum directly.
    const res = gaussSeries(a, b, c, 1, 1_000_000);
    if (res.converged) return res.sum;
  }
  const d = c - a - b;
  if (!(d > 0)) {
    throw new Hyp2f1Error("series diverges at z = 1 (c − a − b ≤ 0)", a, b, c, 1);
  }
  const sign = gammaSign(c) * gammaSign(d) * gammaSign(c - a) * gammaSign(c - b);
  if (sign === 0) return 0; // 1/Γ at a pole in the denominator
  return sign * Math.exp(lgamma(c) + lgamma(d) - lgamma(c - a) - lgamma(c - b));
}

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for real z ≤ 1.
 *
 * Uses the Pfaff transformation for z < 0 and picks between the direct series
 * and the Euler transformation for 0 < z < 1, with an explicit tail bound and a
 * rounding-error estimate. Throws Hyp2f1Error instead of returning an
 * inaccurate value (slow convergence very close to z = 1, cancellation, z > 1).
 */
export function hyp2f1(a: number, b: number, c: number, z: number, options?: Hyp2f1Options): number {
  return scaledHyp2f1(a, b, c, z, 0, options);
}
