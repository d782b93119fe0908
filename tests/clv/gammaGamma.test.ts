import { describe, expect, it } from "vitest";
import {
  conditionalExpectedSpend,
  fitGammaGamma,
  gammaGammaIndividualLogLikelihood,
  gammaGammaLogLikelihood,
  lgamma,
  type GammaGammaParams,
} from "../../app/lifecycle/clv/index";
import { loadCdnowSummaryWithSpend } from "./cdnow";

const data = loadCdnowSummaryWithSpend();
const fit = fitGammaGamma(data);

describe("Gamma-Gamma fit on the CDNOW repeat buyers", () => {
  it("uses exactly the 946 repeat buyers (x > 0) and converges", () => {
    expect(data.x.filter((x) => x > 0)).toHaveLength(946);
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
  });

  it("reproduces the published p = 6.25, q = 3.74, v = 15.45 to 2 decimals", () => {
    expect(Math.abs(fit.params.p - 6.25)).toBeLessThan(0.005);
    expect(Math.abs(fit.params.q - 3.74)).toBeLessThan(0.005);
    expect(Math.abs(fit.params.v - 15.45)).toBeLessThan(0.005);
  });

  it("finds the precise optimum p 6.248803, q 3.744589, v 15.447748 (zbar rounded to cents in the file)", () => {
    expect(fit.params.p).toBeCloseTo(6.248803, 4);
    expect(fit.params.q).toBeCloseTo(3.744589, 4);
    expect(fit.params.v).toBeCloseTo(15.447748, 3);
    expect(fit.logLikelihood).toBeCloseTo(-4055.92324, 3);
  });

  it("has a log-likelihood gradient ≈ 0 at the optimum", () => {
    for (const k of ["p", "q", "v"] as const) {
      const h = 1e-4 * fit.params[k];
      const up = gammaGammaLogLikelihood({ ...fit.params, [k]: fit.params[k] + h }, data);
      const down = gammaGammaLogLikelihood({ ...fit.params, [k]: fit.params[k] - h }, data);
      expect(Math.abs((fit.params[k] * (up - down)) / (2 * h))).toBeLessThan(1e-2);
    }
  });

  it("is deterministic", () => {
    expect(fitGammaGamma(data)).toEqual(fit);
  });
});

describe("Gamma-Gamma likelihood and expected spend", () => {
  const params: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };
  it("matches the density of the mean of x gamma draws with gamma-mixed rate", () => {
    const naive = (x: number, z: number) => {
      const { p, q, v } = params;
      const lb = (a: number, b: number) => lgamma(a) + lgamma(b) - lgamma(a + b);
      // zbar | ν ~ Gamma(px, xν), ν ~ Gamma(q, v): compound = scaled beta-prime
      return (
        -lb(p * x, q) +
        q * Math.log(v) +
        (p * x - 1) * Math.log(z) +
        p * x * Math.log(x) -
        (p * x + q) * Math.log(v + x * z)
      );
    };
    for (const [x, z] of [
      [1, 11.77],
      [2, 22.35],
      [12, 40.1],
    ]) {
      expect(gammaGammaIndividualLogLikelihood(params, x, z)).toBeCloseTo(naive(x, z), 11);
    }
  });
  it("ignores non-repeat buyers and rejects a repeat buyer without spend", () => {
    const a = gammaGammaLogLikelihood(params, { x: [0, 2], zbar: [0, 20] });
    const b = gammaGammaLogLikelihood(params, { x: [2], zbar: [20] });
    expect(a).toBe(b);
    expect(() => fitGammaGamma({ x: [2, 1], zbar: [20, 0] })).toThrow(/customer #1/);
    expect(() => fitGammaGamma({ x: [0, 0], zbar: [0, 0] })).toThrow(/no repeat buyers/);
  });
  it("E[spend] is the population mean pv/(q−1) for x = 0 and moves towards zbar as x grows", () => {
    const pop = (params.p * params.v) / (params.q - 1);
    expect(conditionalExpectedSpend(params, 0, 0)).toBeCloseTo(pop, 12);
    const near = conditionalExpectedSpend(params, 50, 100);
    const few = conditionalExpectedSpend(params, 1, 100);
    expect(few).toBeGreaterThan(pop);
    expect(near).toBeGreaterThan(few);
    expect(near).toBeLessThan(100);
    expect(conditionalExpectedSpend(params, 2, 22.35)).toBeCloseTo(
      (params.p * (params.v + 2 * 22.35)) / (params.p * 2 + params.q - 1),
      12,
    );
  });
  it("refuses a population mean that does not exist (q ≤ 1)", () => {
    expect(() => conditionalExpectedSpend({ p: 2, q: 0.8, v: 10 }, 0, 0)).toThrow(/q ≤ 1/);
  });
});
