import { describe, expect, it } from "vitest";
import { createRng, fitBgNbd, fitGammaGamma, simulateCustomers } from "../../app/lifecycle/clv/index";
import { PUBLISHED_BGNBD } from "./cdnow";

describe("simulation from the published CDNOW parameters", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = simulateCustomers(500, PUBLISHED_BGNBD, { p: 6.25, q: 3.74, v: 15.44 }, { seed: 7 });
    const b = simulateCustomers(500, PUBLISHED_BGNBD, { p: 6.25, q: 3.74, v: 15.44 }, { seed: 7 });
    const c = simulateCustomers(500, PUBLISHED_BGNBD, { p: 6.25, q: 3.74, v: 15.44 }, { seed: 8 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const u = createRng(1);
    const draws = Array.from({ length: 10_000 }, u);
    expect(Math.min(...draws)).toBeGreaterThan(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it("fitting simulated data recovers the generating BG/NBD parameters", () => {
    const sim = simulateCustomers(20_000, PUBLISHED_BGNBD, { p: 6.25, q: 3.74, v: 15.44 }, { seed: 11 });
    const fit = fitBgNbd(sim);
    expect(fit.converged).toBe(true);
    expect(fit.params.r / PUBLISHED_BGNBD.r).toBeGreaterThan(0.9);
    expect(fit.params.r / PUBLISHED_BGNBD.r).toBeLessThan(1.1);
    expect(fit.params.alpha / PUBLISHED_BGNBD.alpha).toBeGreaterThan(0.85);
    expect(fit.params.alpha / PUBLISHED_BGNBD.alpha).toBeLessThan(1.15);
    // mean purchase rate r/α is well identified
    expect(fit.params.r / fit.params.alpha / (PUBLISHED_BGNBD.r / PUBLISHED_BGNBD.alpha)).toBeCloseTo(1, 1);
    const gg = fitGammaGamma(sim);
    expect(gg.converged).toBe(true);
    // mean spend pv/(q−1) is well identified even where p, q, v individually are not
    const mean = (gg.params.p * gg.params.v) / (gg.params.q - 1);
    expect(mean / ((6.25 * 15.44) / 2.74)).toBeCloseTo(1, 1);
  });
});
