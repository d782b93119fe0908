import { describe, expect, it } from "vitest";
import { fitGammaGamma, fitMbgNbd, simulateCustomers } from "../../app/lifecycle/clv/index";
import { centralGradient, newtonPolish } from "../../app/lifecycle/clv/optimize";

const sim = simulateCustomers(4000, { r: 0.6, alpha: 4, a: 0.8, b: 2.5 }, { p: 6, q: 4, v: 15 }, { seed: 11 });
const purchases = { x: sim.x, tx: sim.tx, T: sim.T };
// The same customers a day later, as the nightly refit sees them: everyone's T is a day longer.
const dayLater = { ...purchases, T: Float64Array.from(sim.T, (T) => T + 1 / 7) };

const relativeGap = (a: Record<string, number>, b: Record<string, number>) =>
  Math.max(...Object.keys(a).map((k) => Math.abs(a[k] - b[k]) / Math.abs(b[k])));

describe("a refit started from the previous fit", () => {
  it("reaches the optimum the full search finds, in a fraction of its evaluations", () => {
    const previous = fitMbgNbd(purchases);
    const cold = fitMbgNbd(dayLater);
    const warm = fitMbgNbd(dayLater, { warmStart: previous.params });
    expect(cold.converged && warm.converged).toBe(true);
    expect(warm.gradientNorm).toBeLessThanOrEqual(1e-6);
    expect(relativeGap(warm.params, cold.params)).toBeLessThan(1e-4);
    expect(warm.logLikelihood).toBeGreaterThanOrEqual(cold.logLikelihood - 1e-6 * Math.abs(cold.logLikelihood));
    expect(warm.evaluations).toBeLessThan(cold.evaluations / 4);

    const spend = { x: sim.x, zbar: sim.zbar };
    const gg = fitGammaGamma(spend);
    const ggWarm = fitGammaGamma(spend, { warmStart: gg.params });
    expect(ggWarm.converged).toBe(true);
    expect(relativeGap(ggWarm.params, gg.params)).toBeLessThan(1e-4);
    expect(ggWarm.evaluations).toBeLessThan(gg.evaluations / 4);
  });

  it("from a start far from the optimum still converges to it (the full search takes over)", () => {
    const cold = fitMbgNbd(dayLater);
    const far = fitMbgNbd(dayLater, { warmStart: { r: 50, alpha: 0.01, a: 30, b: 0.001 } });
    expect(far.converged).toBe(true);
    expect(relativeGap(far.params, cold.params)).toBeLessThan(1e-3);
  });

  it("gives up where Newton's method cannot work: a saddle, or a start on the bound", () => {
    // f = x² − y²: the Hessian is not positive definite.
    const saddle = (z: readonly number[]) => z[0] * z[0] - z[1] * z[1];
    expect(newtonPolish(saddle, [0.1, 0.1], { lower: [-10, -10], upper: [10, 10] })).toBeNull();
    const bowl = (z: readonly number[]) => (z[0] - 1) ** 2 + 3 * (z[1] + 2) ** 2 + z[0] * z[1];
    expect(newtonPolish(bowl, [-10, 0], { lower: [-10, -10], upper: [10, 10] })).toBeNull();
    // A plain bowl from inside the box: the minimum, where the gradient vanishes.
    const result = newtonPolish(bowl, [0, 0], { lower: [-10, -10], upper: [10, 10] })!;
    expect(result.converged).toBe(true);
    expect(Math.max(...centralGradient(bowl, result.x).map(Math.abs))).toBeLessThanOrEqual(1e-6);
    // Solved by hand: ∂/∂x = 2(x − 1) + y = 0, ∂/∂y = 6(y + 2) + x = 0 → x = 24/11, y = −26/11.
    expect(result.x[0]).toBeCloseTo(24 / 11, 6);
    expect(result.x[1]).toBeCloseTo(-26 / 11, 6);
  });
});
