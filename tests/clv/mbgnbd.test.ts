/**
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007) against values computed without the code under test:
 * - the published fit on the CDNOW sample (BTYDplus's mbgcnbd estimates r 0.525, α 6.183, a 0.891, b 1.614, which
 *   the lifetimes library's ModifiedBetaGeoFitter test reproduces to 3 decimals);
 * - a plain direct evaluation of the likelihood written here (own log-gamma, no log-space tricks, no row merging),
 *   which must agree with the model's at any point and be highest at the fitted point on a grid around it;
 * - E[Y(t)] and E[X(t)] by numerical integration over the dropout probability, from the model's assumptions alone
 *   (no hypergeometric function), and P(alive) as the share of the "still alive" term of that plain likelihood.
 */
import { describe, expect, it } from "vitest";
import {
  fitMbgNbd,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdExpectedPurchases,
  mbgnbdIndividualLogLikelihood,
  mbgnbdLogLikelihood,
  mbgnbdProbabilityAlive,
  probabilityAlive,
  buildSummary,
  RIDGE_DROPOUT_CHANCE,
  simulateCustomers,
  type MbgNbdParams,
} from "../../app/lifecycle/clv/index";
import { loadCdnowSummary, PUBLISHED_BGNBD } from "./cdnow";
import { ONLINE_RETAIL_ANCHOR, readOnlineRetailInvoices } from "../devstore/seed/online-retail";

/** BTYDplus / lifetimes: MBG/NBD on cdnow_customers_summary.csv. */
const PUBLISHED_MBGNBD = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

const data = loadCdnowSummary();
const fit = fitMbgNbd(data);

// ---------- independent plain computations ----------

/** ln Γ(x), Lanczos (g = 7, 9 terms), reflection below 1/2. */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
const lnBeta = (u: number, v: number) => lnGamma(u) + lnGamma(v) - lnGamma(u + v);

/** The constants of a customer with x repeat purchases: Γ(r+x)α^r/Γ(r) × the two beta ratios. */
function plainConstants(p: MbgNbdParams, x: number) {
  const common = Math.exp(lnGamma(p.r + x) - lnGamma(p.r) + p.r * Math.log(p.alpha));
  return {
    alive: common * Math.exp(lnBeta(p.a, p.b + x + 1) - lnBeta(p.a, p.b)),
    dead: common * Math.exp(lnBeta(p.a + 1, p.b + x) - lnBeta(p.a, p.b)),
  };
}
/** The two terms of one customer's likelihood: alive at T, or dropped out at the last purchase (time 0 when x = 0). */
function plainTerms(p: MbgNbdParams, x: number, tx: number, T: number, constants = plainConstants(p, x)) {
  return {
    alive: constants.alive * Math.pow(p.alpha + T, -(p.r + x)),
    dead: constants.dead * Math.pow(p.alpha + (x === 0 ? 0 : tx), -(p.r + x)),
  };
}
function plainLogLikelihood(p: MbgNbdParams): number {
  const byX = new Map<number, ReturnType<typeof plainConstants>>();
  let sum = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i];
    if (!byX.has(x)) byX.set(x, plainConstants(p, x));
    const { alive, dead } = plainTerms(p, x, data.tx[i], data.T[i], byX.get(x));
    sum += Math.log(alive + dead);
  }
  return sum;
}

/**
 * ∫₀¹ g(p) Beta(p; a, b) dp by tanh-sinh quadrature (p = (1 + tanh(π/2 · sinh t)) / 2, step 1/64 over t in [−5, 5]):
 * the density's endpoint singularities (a or b below 1) cost it nothing. p and 1 − p are computed separately so
 * neither loses digits near its end.
 */
function betaExpectation(a: number, b: number, g: (p: number) => number): number {
  const h = 1 / 64;
  let sum = 0;
  for (let k = -5 * 64; k <= 5 * 64; k++) {
    const t = k * h;
    const s = (Math.PI / 2) * Math.sinh(t);
    const lnP = -Math.log1p(Math.exp(-2 * s));
    const lnQ = -Math.log1p(Math.exp(2 * s));
    // dp/dt = π · p · (1 − p) · cosh t; with the density's p^(a−1) (1 − p)^(b−1): π cosh t · p^a (1 − p)^b.
    sum += g(Math.exp(lnP)) * Math.PI * Math.cosh(t) * Math.exp(a * lnP + b * lnQ);
  }
  return (sum * h) / Math.exp(lnBeta(a, b));
}
/**
 * Expected purchases in the next t of a customer alive now, dropout probability q after each purchase:
 * (1 − e^(−λqt)) / q for a rate λ, averaged over λ ~ Gamma(shape, rate): (1 − (rate/(rate + qt))^shape) / q
 * (written with expm1/log1p so a tiny q does not cancel to 0; its limit at q = 0 is t·shape/rate).
 */
const aliveExpectation = (shape: number, rate: number, t: number) => (q: number) =>
  q === 0 ? (t * shape) / rate : -Math.expm1(-shape * Math.log1p((q * t) / rate)) / q;

// ---------- tests ----------

describe("MBG/NBD fit on the CDNOW sample", () => {
  it("converges on all 2,357 customers", () => {
    expect(fit.customers).toBe(2357);
    expect(fit.converged).toBe(true);
    expect(fit.message).toBe("converged");
  });

  it("reproduces the published estimates (r 0.525, α 6.183, a 0.891, b 1.614) to 1e-3", () => {
    for (const k of ["r", "alpha", "a", "b"] as const)
      expect(Math.abs(fit.params[k] - PUBLISHED_MBGNBD[k]), k).toBeLessThan(1e-3);
  });

  it("its log-likelihood is the plain direct evaluation's, there and elsewhere", () => {
    expect(Math.abs(fit.logLikelihood - plainLogLikelihood(fit.params))).toBeLessThan(
      1e-7 * Math.abs(fit.logLikelihood),
    );
    for (const p of [PUBLISHED_BGNBD, { r: 1, alpha: 1, a: 1, b: 1 }, { r: 2.5, alpha: 30, a: 0.2, b: 7 }]) {
      expect(Math.abs(mbgnbdLogLikelihood(p, data) - plainLogLikelihood(p))).toBeLessThan(
        1e-7 * Math.abs(plainLogLikelihood(p)),
      );
    }
    expect(mbgnbdIndividualLogLikelihood(fit.params, 2, 30.43, 38.86)).toBeCloseTo(
      Math.log(Object.values(plainTerms(fit.params, 2, 30.43, 38.86)).reduce((s, v) => s + v)),
      10,
    );
  });

  it("is the maximum: no point of a 5⁴ grid around it (±1%, ±5% per parameter) has a higher plain likelihood", () => {
    const best = plainLogLikelihood(fit.params);
    const factors = [0.95, 0.99, 1, 1.01, 1.05];
    let higher = 0;
    let evaluated = 0;
    for (const fr of factors)
      for (const fa of factors)
        for (const fA of factors)
          for (const fb of factors) {
            const p = {
              r: fit.params.r * fr,
              alpha: fit.params.alpha * fa,
              a: fit.params.a * fA,
              b: fit.params.b * fb,
            };
            if (plainLogLikelihood(p) > best + 1e-9) higher++;
            evaluated++;
          }
    expect(evaluated).toBe(625);
    expect(higher).toBe(0);
    // And it is better than BG/NBD's published optimum under this model's likelihood.
    expect(best).toBeGreaterThan(plainLogLikelihood(PUBLISHED_BGNBD));
  });

  it("is deterministic, whatever order the customers come in (a shop's pages give the fit of the whole list)", () => {
    expect(fitMbgNbd(data)).toEqual(fit);
    const reversed = { x: [...data.x].reverse(), tx: [...data.tx].reverse(), T: [...data.T].reverse() };
    expect(fitMbgNbd(reversed)).toEqual(fit);
  });
});

/** A year of UCI Online Retail as the refit sees it: each customer's non-cancelled invoices, up to the data's end. */
async function onlineRetailSummary() {
  const { invoices } = await readOnlineRetailInvoices();
  const purchases = [...invoices.values()]
    .filter((invoice) => invoice.customer !== null && !invoice.no.startsWith("C"))
    .map((invoice) => ({ customerId: invoice.customer!, at: invoice.at, value: invoice.sum }));
  const summary = buildSummary(purchases, ONLINE_RETAIL_ANCHOR);
  return { x: summary.map((c) => c.x), tx: summary.map((c) => c.tx), T: summary.map((c) => c.T) };
}

describe("MBG/NBD on a likelihood with a flat no-dropout ridge (a year of Online Retail)", () => {
  it("finds the interior maximum, above every point of the ridge near where the usual start's search stopped", async () => {
    const retail = await onlineRetailSummary();
    const fitted = fitMbgNbd(retail);
    expect(fitted.converged).toBe(true);
    expect(fitted.params.a / (fitted.params.a + fitted.params.b)).toBeGreaterThan(RIDGE_DROPOUT_CHANCE);
    const best = mbgnbdLogLikelihood(fitted.params, retail);
    // The ridge: dropout chance 1e-12, b from 1e4 to the 1e8 bound, r and α on a grid around the point the search
    // from the usual start stopped at before it was searched again (r 0.8267, α 9.919, b 3.96e7).
    let ridgeBest = -Infinity;
    for (const b of [1e4, 1e6, 3.96e7, 1e8])
      for (const fr of [0.99, 0.995, 1, 1.005, 1.01])
        for (const fa of [0.99, 0.995, 1, 1.005, 1.01])
          ridgeBest = Math.max(
            ridgeBest,
            mbgnbdLogLikelihood({ r: 0.8267 * fr, alpha: 9.919 * fa, a: b * 1e-12, b }, retail),
          );
    expect(best).toBeGreaterThan(ridgeBest + 0.01);
    // And no point of a 3⁴ grid around it (±1% per parameter) is higher.
    const factors = [0.99, 1, 1.01];
    for (const fr of factors)
      for (const fa of factors)
        for (const fA of factors)
          for (const fb of factors) {
            const { r, alpha, a, b } = fitted.params;
            expect(
              mbgnbdLogLikelihood({ r: r * fr, alpha: alpha * fa, a: a * fA, b: b * fb }, retail),
            ).toBeLessThanOrEqual(best + 1e-9);
          }
  });
});

describe("MBG/NBD predictions", () => {
  const p = fit.params;

  it("P(alive) is the share of the 'alive' term of the likelihood, for one-order and repeat customers", () => {
    for (const [x, tx, T] of [
      [0, 0, 1],
      [0, 0, 38.86],
      [2, 30.43, 38.86],
      [1, 1.71, 38.86],
      [10, 35, 39],
    ] as const) {
      const { alive, dead } = plainTerms(p, x, tx, T);
      expect(mbgnbdProbabilityAlive(p, x, tx, T)).toBeCloseTo(alive / (alive + dead), 12);
    }
  });

  it("one-order customers are not alive by construction: below 1, and lower the longer they have been silent", () => {
    const ages = [0.5, 1, 4, 13, 26, 39, 52, 104];
    const chances = ages.map((T) => mbgnbdProbabilityAlive(p, 0, 0, T));
    for (const c of chances) expect(c).toBeLessThan(1);
    for (let i = 1; i < chances.length; i++) expect(chances[i]).toBeLessThan(chances[i - 1]);
    // BG/NBD, for contrast, says 1 whatever the age.
    expect(ages.map((T) => probabilityAlive(PUBLISHED_BGNBD, 0, 0, T))).toEqual(ages.map(() => 1));
    // A repeat customer's chance grows with the recency of the last purchase.
    expect(mbgnbdProbabilityAlive(p, 3, 35, 39)).toBeGreaterThan(mbgnbdProbabilityAlive(p, 3, 10, 39));
  });

  it("E[Y(t) | x, t_x, T] equals P(alive) × the expectation over the posterior, integrated numerically", () => {
    for (const p of [fit.params, { r: 1.2, alpha: 10, a: 1.3, b: 3 }, { r: 0.3, alpha: 2, a: 4, b: 0.7 }]) {
      for (const [t, x, tx, T] of [
        [39, 2, 30.43, 38.86],
        [52.18, 0, 0, 38.86],
        [52.18, 0, 0, 2],
        [10, 5, 20, 30],
        [52.18, 12, 38, 39],
      ] as const) {
        const { alive, dead } = plainTerms(p, x, tx, T);
        // Alive now: λ | data ~ Gamma(r+x, α+T), p | alive ~ Beta(a, b+x+1).
        const integral = betaExpectation(p.a, p.b + x + 1, aliveExpectation(p.r + x, p.alpha + T, t));
        const expected = (alive / (alive + dead)) * integral;
        const actual = mbgnbdConditionalExpectedPurchases(p, t, x, tx, T);
        expect(Math.abs(actual - expected) / expected, `${JSON.stringify(p)} ${t} ${x} ${tx} ${T}`).toBeLessThan(1e-8);
      }
    }
  });

  it("E[X(t)] of a new customer equals (1 − p) × the alive expectation, integrated over the prior", () => {
    for (const t of [0.1429, 1, 3, 31.8571, 52.18, 78]) {
      const expected = betaExpectation(p.a, p.b, (q) => (1 - q) * aliveExpectation(p.r, p.alpha, t)(q));
      expect(Math.abs(mbgnbdExpectedPurchases(p, t) - expected) / expected, String(t)).toBeLessThan(1e-8);
    }
  });

  it("is continuous across the removable singularity at a = 1", () => {
    const near = (a: number) => mbgnbdConditionalExpectedPurchases({ ...p, a }, 52.18, 2, 30.43, 38.86);
    // Inside the interpolated band the values lie on the curve outside it (a smooth function: second order).
    for (const a of [1 - 5e-5, 1, 1 + 5e-5]) {
      const outside = near(1 - 2e-4) + ((a - (1 - 2e-4)) / 4e-4) * (near(1 + 2e-4) - near(1 - 2e-4));
      expect(Math.abs(near(a) - outside) / near(1), String(a)).toBeLessThan(1e-8);
    }
    const integral = betaExpectation(1, p.b + 3, aliveExpectation(p.r + 2, p.alpha + 38.86, 52.18));
    const { alive, dead } = plainTerms({ ...p, a: 1 }, 2, 30.43, 38.86);
    expect(Math.abs(near(1) - (alive / (alive + dead)) * integral) / near(1)).toBeLessThan(1e-8);
  });

  it("recovers the parameters of 30,000 customers simulated from the model", () => {
    const truth = { r: 0.8, alpha: 8, a: 0.9, b: 2.5 };
    const sim = simulateCustomers(30_000, truth, { p: 6, q: 4, v: 15 }, { seed: 7, model: "mbgnbd", cohortDays: 730 });
    const recovered = fitMbgNbd(sim);
    expect(recovered.converged).toBe(true);
    for (const k of ["r", "alpha", "a", "b"] as const)
      expect(Math.abs(recovered.params[k] / truth[k] - 1), k).toBeLessThan(0.2);
  });

  it("refuses invalid input instead of answering", () => {
    expect(() => mbgnbdProbabilityAlive({ ...p, a: 0 }, 0, 0, 1)).toThrow(RangeError);
    expect(() => mbgnbdProbabilityAlive(p, 1, 5, 4)).toThrow(/must not exceed T/);
    expect(() => mbgnbdConditionalExpectedPurchases(p, -1, 0, 0, 1)).toThrow(/t must be/);
  });
});
