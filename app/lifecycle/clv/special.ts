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
  /**
   * Maximum number of terms per series before giving up (default 100,000: a few milliseconds). With the 1 − z route
   * a series needs more than a few hundred terms only for huge parameters with z near 1 or 1/2.
   */
  maxTerms?: number;
  /** Largest acceptable estimated relative error (default 1e-10). */
  maxRelativeError?: number;
}

interface SeriesResult {
  /** Signed sum of the series. */
  sum: number;
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
 * Upper bound of the term ratio |t_(m+1)/t_m| = |z| (a+m)(b+m)/((c+m)(m+1)) over every m ≥ k, or Infinity while a
 * factor can still change sign. Each of (p+m)/(q+m) is monotone in m and tends to 1, so its supremum over m ≥ k is
 * its value at k when it falls and 1 when it rises; the product of the two suprema bounds the product. Either
 * parameter may pair with m+1 (the other with c): the smaller bound is taken.
 */
function ratioBound(a: number, b: number, c: number, absZ: number, k: number): number {
  if (k + 1 <= 0 || a + k <= 0 || b + k <= 0 || c + k <= 0) return Infinity;
  const sup = (p: number, q: number) => Math.max(1, (p + k) / (q + k));
  return absZ * Math.min(sup(a, 1) * sup(b, c), sup(b, 1) * sup(a, c));
}

/**
 * Plain Gauss series Σ (a)_n (b)_n / ((c)_n n!) z^n for |z| < 1, with an explicit tail bound: once every later term
 * ratio is bounded by ρ < 1 (ratioBound), the remaining tail is at most |t_n| ρ / (1 − ρ). The bound holds from the
 * first term after the parameters' signs have settled, so a series whose terms shrink at once stops at once, whatever
 * the size of the parameters (b ≈ c ≈ 6·10^7 in a degenerate MBG/NBD fit).
 */
function gaussSeries(a: number, b: number, c: number, z: number, maxTerms: number): SeriesResult {
  let term = 1;
  let sum = 1;
  let absSum = 1;
  // Σ (n+1)|t_n|: each term carries ~n rounding errors from the recurrence.
  let weighted = 1;
  const absZ = Math.abs(z);
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    if (term === 0) {
      // Terminating series: exact up to rounding.
      return { sum, terms: n + 1, converged: true, relErr: (EPS * (weighted + (n + 2) * absSum)) / Math.abs(sum) };
    }
    sum += term;
    absSum += Math.abs(term);
    weighted += (n + 2) * Math.abs(term);
    if (!Number.isFinite(sum) || !Number.isFinite(absSum)) {
      return { sum, terms: n + 1, converged: false, relErr: Infinity, failure: "series terms overflow" };
    }
    const rho = ratioBound(a, b, c, absZ, n + 1);
    if (rho < 1) {
      const tail = (Math.abs(term) * rho) / (1 - rho);
      if (tail <= EPS * Math.abs(sum)) {
        const rounding = (EPS * (weighted + Math.sqrt(n + 1) * absSum)) / Math.abs(sum);
        return { sum, terms: n + 1, converged: true, relErr: rounding + tail / Math.abs(sum) };
      }
    }
  }
  return {
    sum,
    terms: maxTerms,
    converged: false,
    relErr: Infinity,
    failure: `series did not converge within ${maxTerms} terms`,
  };
}

/**
 * Rough number of terms gaussSeries needs (only orders the routes; each route still proves its own accuracy): the
 * terms settle once n passes the negative parameters, grow while the ratio w (1 + (a+b−c−1)/n) is above 1, then
 * shrink geometrically by w down to 2^−52.
 */
function seriesCost(a: number, b: number, c: number, w: number): number {
  if (w === 0) return 0;
  const settle = Math.max(0, -a, -b, -c);
  const growth = Math.max(0, (w * (a + b - c - 1)) / (1 - w));
  return settle + growth + 37 / -Math.log(w);
}

interface RouteResult {
  value: number;
  relErr: number;
  failure?: string;
}

/** One series times (1−z)^p, the power kept in log space so large exponents neither overflow nor lose accuracy. */
function poweredSeries(
  a: number,
  b: number,
  c: number,
  z: number,
  p: number,
  lnOneMinusZ: number,
  maxTerms: number,
): RouteResult {
  const res = gaussSeries(a, b, c, z, maxTerms);
  if (!res.converged) return { value: NaN, relErr: Infinity, failure: res.failure };
  if (res.sum === 0) return { value: 0, relErr: res.relErr };
  const exponent = p * lnOneMinusZ;
  const value = Math.sign(res.sum) * Math.exp(exponent + Math.log(Math.abs(res.sum)));
  return { value, relErr: res.relErr + EPS * (2 + Math.abs(exponent)) };
}

/** Distance from x to the nearest pole of Γ (0, −1, −2, …); Infinity for x > 0.5. */
function distanceToPole(x: number): number {
  return x > 0.5 ? Infinity : Math.abs(x - Math.round(x));
}

/**
 * ln|Γ(c)/(Γ(p)Γ(q)) · Γ(g)| with its sign (g = ±(c−a−b)), and the relative error of exp of it: lgamma's own error
 * (~1e-14 absolute, EPS relative to its size) and the rounding of arguments computed from a, b, c (EPS·scale
 * absolute, magnified by the digamma ψ ≈ ln|x| + 1/(distance to a pole)).
 */
function gammaRatio(
  c: number,
  g: number,
  p: number,
  q: number,
  scale: number,
): { log: number; sign: number; relErr: number } {
  const sign = gammaSign(c) * gammaSign(g) * gammaSign(p) * gammaSign(q);
  // 1/Γ at a pole of the denominator is exactly 0.
  if (isNonPositiveInteger(p) || isNonPositiveInteger(q)) return { log: -Infinity, sign: 0, relErr: 0 };
  const logs = [lgamma(c), lgamma(g), lgamma(p), lgamma(q)];
  let relErr = 4e-14;
  for (const [i, x] of [c, g, p, q].entries()) {
    relErr += EPS * Math.abs(logs[i]) * 2 + EPS * scale * (Math.log(2 + Math.abs(x)) + 1 / distanceToPole(x));
  }
  return { log: logs[0] + logs[1] - logs[2] - logs[3], sign, relErr };
}

/** Digamma ψ(x) = Γ'(x)/Γ(x): shifted to x ≥ 10, then the asymptotic series (error < 1e-15); reflection below 0. */
export function digamma(x: number): number {
  if (x <= 0) {
    if (Number.isInteger(x)) return NaN;
    // ψ(1−x) − ψ(x) = π cot(πx)
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  const series =
    inv2 *
    (1 / 12 -
      inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))));
  return shift + Math.log(x) - 0.5 / x - series;
}

/** Bound of |ψ(u) − ψ(v)| for u, v > 0 (ln x − 1/x < ψ(x) < ln x), falling as u and v grow together. */
function digammaGapBound(u: number, v: number): number {
  return Math.abs(Math.log(u / v)) + 1 / Math.min(u, v);
}

/**
 * (1−z)^s 2F1(a, b; a+b+m; z) for an integer m ≥ 0, the case where the two terms of A&S 15.3.6 both have a pole
 * (A&S 15.3.10, 15.3.11; DLMF 15.8.10), with w = 1 − z:
 *   Γ(m)Γ(c)/(Γ(a+m)Γ(b+m)) Σ_(k<m) (a)_k (b)_k / (k! (1−m)_k) w^k
 *   − (−w)^m Γ(c)/(Γ(a)Γ(b)) Σ_k (a+m)_k (b+m)_k / (k! (k+m)!) w^k [ln w − ψ(k+1) − ψ(k+m+1) + ψ(a+k+m) + ψ(b+k+m)]
 * The infinite sum's coefficients are a Gauss series in (a+m, b+m; m+1; w) divided by m!, so ratioBound bounds its
 * tail; the bracket is bounded by |ln w| plus digammaGapBound of its two pairs, which only falls as k grows.
 */
function integerGapRoute(
  a: number,
  b: number,
  m: number,
  z: number,
  s: number,
  lnW: number,
  maxTerms: number,
): RouteResult {
  const c = a + b + m;
  const w = 1 - z;
  const scale = Math.abs(a) + Math.abs(b) + Math.abs(c) + 1;
  let value = 0;
  let absError = 0;
  if (m > 0 && !isNonPositiveInteger(a + m) && !isNonPositiveInteger(b + m)) {
    let term = 1;
    let finite = 1;
    let absFinite = 1;
    for (let k = 0; k < m - 1; k++) {
      term *= (((a + k) * (b + k)) / ((k + 1) * (1 - m + k))) * w;
      finite += term;
      absFinite += Math.abs(term);
    }
    const ratio = gammaRatio(c, m, a + m, b + m, scale);
    if (finite !== 0 && ratio.sign !== 0) {
      const exponent = ratio.log + s * lnW + Math.log(Math.abs(finite));
      const part = ratio.sign * Math.sign(finite) * Math.exp(exponent);
      value += part;
      absError +=
        Math.abs(part) *
        (ratio.relErr + (EPS * (m + 2) * absFinite) / Math.abs(finite) + EPS * (2 + Math.abs(exponent)));
    }
  }
  if (!isNonPositiveInteger(a) && !isNonPositiveInteger(b)) {
    const lnCoefficient = lgamma(c) - lgamma(a) - lgamma(b) - lgamma(m + 1) + (m + s) * lnW;
    const sign = -(m % 2 === 0 ? 1 : -1) * gammaSign(c) * gammaSign(a) * gammaSign(b);
    const bracket = (k: number) => lnW - digamma(k + 1) - digamma(k + m + 1) + digamma(a + k + m) + digamma(b + k + m);
    let coefficient = 1;
    let sum = bracket(0);
    let absSum = Math.abs(sum);
    let converged = false;
    let tail = 0;
    let terms = 1;
    for (let k = 0; k < maxTerms; k++, terms++) {
      coefficient *= (((a + m + k) * (b + m + k)) / ((k + 1) * (m + 1 + k))) * w;
      const t = coefficient * bracket(k + 1);
      sum += t;
      absSum += Math.abs(t);
      if (!Number.isFinite(absSum)) return { value: NaN, relErr: Infinity, failure: "integer-gap series overflows" };
      const rho = ratioBound(a + m, b + m, m + 1, w, k + 1);
      const n = k + 2;
      if (rho < 1 && a + m + n > 0 && b + m + n > 0) {
        const bracketMax = -lnW + digammaGapBound(n + 1, a + n + m) + digammaGapBound(n + m + 1, b + n + m);
        tail = (Math.abs(coefficient) * bracketMax * rho) / (1 - rho);
        if (tail <= EPS * Math.abs(sum)) {
          converged = true;
          break;
        }
      }
    }
    if (!converged)
      return { value: NaN, relErr: Infinity, failure: `integer-gap series did not converge within ${maxTerms} terms` };
    if (sum !== 0) {
      const exponent = lnCoefficient + Math.log(Math.abs(sum));
      const part = sign * Math.sign(sum) * Math.exp(exponent);
      value += part;
      const coefficientErr =
        4e-14 + EPS * (Math.abs(lgamma(c)) + Math.abs(lgamma(a)) + Math.abs(lgamma(b)) + Math.abs(exponent)) * 2;
      // digamma to ~1e-15 absolute per term, rounding of the recurrence ~k EPS per term.
      const sumErr = tail + 1e-14 * absSum + EPS * Math.sqrt(terms) * absSum;
      absError += Math.abs(part) * (coefficientErr + sumErr / Math.abs(sum));
    }
  }
  if (value === 0 || !Number.isFinite(value))
    return { value: NaN, relErr: Infinity, failure: "integer-gap route gives no finite value" };
  return { value, relErr: absError / Math.abs(value) + EPS };
}

/**
 * (1−z)^s 2F1(a,b;c;z) by the linear transformation z → 1−z (Abramowitz & Stegun 15.3.6):
 *   2F1(a,b;c;z) = Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) · 2F1(a, b; a+b−c+1; 1−z)
 *                + (1−z)^(c−a−b) Γ(c)Γ(a+b−c)/(Γ(a)Γ(b)) · 2F1(c−a, c−b; c−a−b+1; 1−z)
 * whose series converge fast for z near 1. When c−a−b is near an integer both terms grow like 1/distance and cancel
 * (the limit is A&S 15.3.10–15.3.12); the error estimate then sees the cancellation and the route is refused. At
 * an exact integer the limit itself is summed (integerGapRoute).
 */
function oneMinusZRoute(
  a: number,
  b: number,
  c: number,
  z: number,
  s: number,
  lnOneMinusZ: number,
  maxTerms: number,
): RouteResult {
  const d = c - a - b;
  if (Number.isInteger(d)) {
    // c = a+b+m: the limit formula for m ≥ 0; for m < 0 after Euler's transformation, whose c−a−b is −m.
    return d >= 0
      ? integerGapRoute(a, b, d, z, s, lnOneMinusZ, maxTerms)
      : integerGapRoute(c - a, c - b, -d, z, s + d, lnOneMinusZ, maxTerms);
  }
  const w = 1 - z;
  const scale = Math.abs(a) + Math.abs(b) + Math.abs(c) + 1;
  const parts = [
    { ratio: gammaRatio(c, d, c - a, c - b, scale), A: a, B: b, C: 1 - d, p: s },
    { ratio: gammaRatio(c, -d, a, b, scale), A: c - a, B: c - b, C: 1 + d, p: s + d },
  ];
  let value = 0;
  let absError = 0;
  for (const part of parts) {
    if (part.ratio.sign === 0) continue;
    const res = gaussSeries(part.A, part.B, part.C, w, maxTerms);
    if (!res.converged) return { value: NaN, relErr: Infinity, failure: res.failure };
    if (res.sum === 0) continue;
    const exponent = part.ratio.log + part.p * lnOneMinusZ + Math.log(Math.abs(res.sum));
    const term = part.ratio.sign * Math.sign(res.sum) * Math.exp(exponent);
    if (!Number.isFinite(term)) return { value: NaN, relErr: Infinity, failure: "1 − z route overflows" };
    value += term;
    absError +=
      Math.abs(term) *
      (part.ratio.relErr + res.relErr + EPS * (2 + Math.abs(exponent) + Math.abs(part.p * lnOneMinusZ)));
  }
  if (value === 0) return { value: NaN, relErr: Infinity, failure: "1 − z route cancels to 0" };
  return { value, relErr: absError / Math.abs(value) + EPS };
}

/**
 * Computes (1 − z)^s · 2F1(a, b; c; z) for real z < 1, choosing among the direct series, the Euler transformation
 *   2F1(a,b;c;z) = (1−z)^(c−a−b) 2F1(c−a, c−b; c; z),
 * the linear transformation z → 1−z (oneMinusZRoute, for z near 1) and, for z < 0, the Pfaff transformation
 *   2F1(a,b;c;z) = (1−z)^(−a) 2F1(a, c−b; c; z/(z−1)),
 * so that the series argument is always in [0, 1). Routes are tried cheapest first (seriesCost); the first whose
 * estimated error is well below `maxRelativeError` wins, else the most accurate one. Power prefactors are kept in
 * log space and combined with the series only at the end, so huge intermediate factors (large parameters) do not
 * overflow.
 *
 * Throws Hyp2f1Error when no route converges to `maxRelativeError`. Never clamps.
 */
export function scaledHyp2f1(
  a: number,
  b: number,
  c: number,
  z: number,
  s: number,
  options: Hyp2f1Options = {},
): number {
  const maxTerms = options.maxTerms ?? 100_000;
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

  // 0 < z < 1.
  const lnOneMinusZ = Math.log1p(-z);
  const terminating = isNonPositiveInteger(a) || isNonPositiveInteger(b);
  const routes: Array<{ cost: number; run: () => RouteResult }> = [
    { cost: terminating ? -1 : seriesCost(a, b, c, z), run: () => poweredSeries(a, b, c, z, s, lnOneMinusZ, maxTerms) },
    {
      cost: seriesCost(c - a, c - b, c, z),
      run: () => poweredSeries(c - a, c - b, c, z, s + c - a - b, lnOneMinusZ, maxTerms),
    },
  ];
  if (!terminating && z > 0.5) {
    const d = c - a - b;
    routes.push({
      cost: Math.max(seriesCost(a, b, 1 - d, 1 - z), seriesCost(c - a, c - b, 1 + d, 1 - z)),
      run: () => oneMinusZRoute(a, b, c, z, s, lnOneMinusZ, maxTerms),
    });
  }
  routes.sort((p, q) => p.cost - q.cost);

  let best: RouteResult | undefined;
  let lastFailure = "";
  for (const route of routes) {
    const res = route.run();
    if (!(res.relErr < Infinity)) {
      lastFailure = res.failure ?? "no convergence";
      continue;
    }
    if (!best || res.relErr < best.relErr) best = res;
    if (res.relErr <= maxRelErr * 1e-3) break; // accurate enough, skip the other routes
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
 * Uses the Pfaff transformation for z < 0 and picks among the direct series, the Euler transformation and the
 * z → 1−z transformation for 0 < z < 1 (scaledHyp2f1), each with an explicit tail bound and a rounding-error
 * estimate. Throws Hyp2f1Error instead of returning an inaccurate value (c − a − b within ~1e-5 of an integer with
 * z within ~3e-4 of 1, cancellation, z > 1).
 */
export function hyp2f1(a: number, b: number, c: number, z: number, options?: Hyp2f1Options): number {
  return scaledHyp2f1(a, b, c, z, 0, options);
}
