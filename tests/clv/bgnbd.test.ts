import { describe, expect, it } from "vitest";
import {
  bgnbdIndividualLogLikelihood,
  bgnbdLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  lgamma,
  probabilityAlive,
  type BgNbdParams,
} from "../../app/lifecycle/clv/index";
import { loadCdnowSummary, PUBLISHED_BGNBD } from "./cdnow";

const data = loadCdnowSummary();
const fit = fitBgNbd(data);

describe("BG/NBD fit on the CDNOW sample (Fader, Hardie & Lee 2005)", () => {
  it("uses all 2,357 customers and converges", () => {
    expect(fit.customers).toBe(2357);
    expect(fit.converged).toBe(true);
    expect(fit.message).toBe("converged");
    expect(fit.iterations).toBeGreaterThan(0);
  });

  it("reproduces the published r, α, a, b to about 1e-3", () => {
    expect(Math.abs(fit.params.r - PUBLISHED_BGNBD.r)).toBeLessThan(1e-3);
    expect(Math.abs(fit.params.alpha - PUBLISHED_BGNBD.alpha)).toBeLessThan(1e-3);
    expect(Math.abs(fit.params.a - PUBLISHED_BGNBD.a)).toBeLessThan(1e-3);
    expect(Math.abs(fit.params.b - PUBLISHED_BGNBD.b)).toBeLessThan(1e-3);
  });

  it("reproduces the precise optimum (r 0.242593, α 4.413531, a 0.792886, b 2.425754)", () => {
    expect(fit.params.r).toBeCloseTo(0.242593, 6);
    expect(fit.params.alpha).toBeCloseTo(4.413531, 5);
    expect(fit.params.a).toBeCloseTo(0.792886, 5);
    expect(fit.params.b).toBeCloseTo(2.425754, 5);
  });

  it("reaches the published log-likelihood −9582.43 (|LL + 9582.43| < 0.005; precisely −9582.4256)", () => {
    expect(Math.abs(fit.logLikelihood + 9582.43)).toBeLessThan(0.005);
    expect(fit.logLikelihood).toBeCloseTo(-9582.42556, 4);
  });

  it("has a log-likelihood gradient ≈ 0 at the optimum, and not next to it", () => {
    const names = ["r", "alpha", "a", "b"] as const;
    const grad = (p: BgNbdParams) =>
      names.map((k) => {
        const h = 1e-4 * p[k];
        const up = bgnbdLogLikelihood({ ...p, [k]: p[k] + h }, data);
        const down = bgnbdLogLikelihood({ ...p, [k]: p[k] - h }, data);
        return (p[k] * (up - down)) / (2 * h); // ∂LL/∂ln θ
      });
    for (const g of grad(fit.params)) expect(Math.abs(g)).toBeLessThan(1e-2);
    const off = grad({ ...fit.params, r: fit.params.r * 1.01 });
    expect(Math.max(...off.map(Math.abs))).toBeGreaterThan(1);
    // and it is a maximum: every 1% move lowers the likelihood
    for (const k of names) {
      for (const f of [0.99, 1.01]) {
        expect(bgnbdLogLikelihood({ ...fit.params, [k]: fit.params[k] * f }, data)).toBeLessThan(fit.logLikelihood);
      }
    }
  });

  it("is deterministic: the same input gives bit-identical results", () => {
    const again = fitBgNbd(data);
    expect(again).toEqual(fit);
  });
});

describe("BG/NBD log-likelihood", () => {
  const p = PUBLISHED_BGNBD;
  /** Eq. (6) of the paper, evaluated naively (no log space). */
  const naive = (x: number, tx: number, T: number) => {
    const { r, alpha, a, b } = p;
    const lbeta = (u: number, v: number) => lgamma(u) + lgamma(v) - lgamma(u + v);
    const common = Math.exp(lgamma(r + x) - lgamma(r) + r * Math.log(alpha));
    const t1 = (Math.exp(lbeta(a, b + x) - lbeta(a, b)) * common) / Math.pow(alpha + T, r + x);
    const t2 = x > 0 ? (Math.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b)) * common) / Math.pow(alpha + tx, r + x) : 0;
    return Math.log(t1 + t2);
  };
  it("matches a direct evaluation of the paper's likelihood, including the x > 0 indicator", () => {
    for (const [x, tx, T] of [
      [0, 0, 38.86],
      [0, 0, 0.5],
      [1, 1.71, 38.86],
      [2, 30.43, 38.86],
      [7, 35, 38.86],
      [25, 10, 38],
    ]) {
      expect(bgnbdIndividualLogLikelihood(p, x, tx, T)).toBeCloseTo(naive(x, tx, T), 10);
    }
  });
  it("sums the individual contributions", () => {
    const sub = { x: data.x.slice(0, 300), tx: data.tx.slice(0, 300), T: data.T.slice(0, 300) };
    let sum = 0;
    for (let i = 0; i < 300; i++) sum += bgnbdIndividualLogLikelihood(p, sub.x[i], sub.tx[i], sub.T[i]);
    expect(bgnbdLogLikelihood(p, sub)).toBeCloseTo(sum, 8);
  });
  it("stays finite where a naive evaluation under/overflows (large x)", () => {
    const ll = bgnbdIndividualLogLikelihood(p, 400, 300, 310);
    expect(Number.isFinite(ll)).toBe(true);
  });
  it("rejects malformed data with the customer index", () => {
    expect(() => fitBgNbd({ x: [1, -1], tx: [1, 0], T: [2, 2] })).toThrow(/customer #1/);
    expect(() => fitBgNbd({ x: [1.5], tx: [1], T: [2] })).toThrow(/integer/);
    expect(() => fitBgNbd({ x: [1], tx: [3], T: [2] })).toThrow(/exceed/);
    expect(() => fitBgNbd({ x: [], tx: [], T: [] })).toThrow(/no customers/);
  });
});

describe("P(alive | x, t_x, T)", () => {
  it("is exactly 1 for x = 0, whatever t_x and T (no repeat purchase, no chance to drop out)", () => {
    for (const T of [0, 0.14, 38.86, 500]) expect(probabilityAlive(fit.params, 0, 0, T)).toBe(1);
    expect(probabilityAlive(PUBLISHED_BGNBD, 0, 0, 1e6)).toBe(1);
  });
  it("follows eq. (11) for x > 0", () => {
    const { r, alpha, a, b } = PUBLISHED_BGNBD;
    const x = 2;
    const want = 1 / (1 + (a / (b + x - 1)) * Math.pow((alpha + 38.86) / (alpha + 30.43), r + x));
    expect(probabilityAlive(PUBLISHED_BGNBD, x, 30.43, 38.86)).toBeCloseTo(want, 14);
  });
  it("is 1 when the last purchase is at T, falls with the time since the last purchase, never NaN", () => {
    const p = PUBLISHED_BGNBD;
    expect(probabilityAlive(p, 3, 20, 20)).toBeCloseTo(1 / (1 + p.a / (p.b + 2)), 14);
    expect(probabilityAlive(p, 3, 5, 38)).toBeLessThan(probabilityAlive(p, 3, 30, 38));
    const tiny = probabilityAlive(p, 500, 0.1, 1000);
    expect(tiny).toBeGreaterThanOrEqual(0);
    expect(tiny).toBeLessThan(1e-100);
  });
});

describe("E[Y(t) | x, t_x, T]", () => {
  it("gives the paper's 1.226 for x = 2, t_x = 30.43, T = 38.86, t = 39 weeks", () => {
    expect(conditionalExpectedPurchases(PUBLISHED_BGNBD, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
    expect(conditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  /**
   * Independent check of the 2F1 closed form: integrate over the posterior of (λ, p) numerically.
   * E[Y(t)] = ∫∫ (1−p)^x λ^x e^{−λT} (1 − e^{−λpt})/p g(λ) f(p) / ∫∫ L(λ, p) g(λ) f(p).
   */
  function byQuadrature(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
    const { r, alpha, a, b } = params;
    const nu = 1500;
    const ny = 4000;
    // λ down to e^−250: with r < 1 the prior keeps noticeable mass at tiny rates.
    let num = 0;
    let den = 0;
    // p = u^(1/a): p^(a−1) dp = du / a; λ = e^y: λ^(r−1) dλ = λ^r dy.
    for (let i = 0; i < nu; i++) {
      const u = (i + 0.5) / nu;
      const p = Math.pow(u, 1 / a);
      const q = Math.pow(1 - p, b - 1);
      for (let j = 0; j < ny; j++) {
        const y = -250 + (256 * (j + 0.5)) / ny;
        const lam = Math.exp(y);
        const w = q * Math.pow(lam, r + x) * Math.exp(-lam * alpha);
        const aliveL = Math.pow(1 - p, x) * Math.exp(-lam * T);
        const deadL = x > 0 ? p * Math.pow(1 - p, x - 1) * Math.exp(-lam * tx) : 0;
        num += w * aliveL * (-Math.expm1(-lam * p * t) / p);
        den += w * (aliveL + deadL);
      }
    }
    return num / den;
  }

  it("agrees to 1e-6 with a direct numerical integration over the posterior of (λ, p)", () => {
    const p = PUBLISHED_BGNBD;
    for (const [x, tx, T] of [
      [2, 30.43, 38.86],
      [0, 0, 38.86],
      [5, 12, 20],
    ]) {
      const closed = conditionalExpectedPurchases(p, 52.18, x, tx, T);
      const d = Math.abs(closed - byQuadrature(p, 52.18, x, tx, T)) / closed;
      expect(d).toBeLessThan(1e-6);
    }
  });

  it("is continuous through the removable singularity at a = 1", () => {
    const base = { r: 0.5, alpha: 5, b: 2.5 };
    const at = (a: number) => conditionalExpectedPurchases({ ...base, a }, 52.18, 3, 20, 40);
    const left = at(1 - 2e-4);
    const mid = at(1);
    const right = at(1 + 2e-4);
    expect(Number.isFinite(mid)).toBe(true);
    expect(Math.abs(mid - (left + right) / 2)).toBeLessThan(1e-7);
  });

  it("equals E[X(t)] for a customer acquired just now (x = 0, T = 0) and grows with t", () => {
    const p = fit.params;
    expect(conditionalExpectedPurchases(p, 52.18, 0, 0, 0)).toBeCloseTo(expectedPurchases(p, 52.18), 12);
    expect(expectedPurchases(p, 0.001)).toBeCloseTo((p.r / p.alpha) * 0.001, 7);
    let prev = 0;
    for (const t of [1, 5, 20, 52.18, 200]) {
      const v = conditionalExpectedPurchases(p, t, 3, 25, 38);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });

  it("stays finite and positive for very frequent buyers (large x)", () => {
    const v = conditionalExpectedPurchases(fit.params, 52.18, 300, 38, 38.86);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(100);
  });
});
