import { describe, expect, it } from "vitest";
import { assessFitability, simulateCustomers, type CustomerSummary } from "../../app/lifecycle/clv/index";
import { loadCdnowSummaryWithSpend } from "./cdnow";

const cdnow = loadCdnowSummaryWithSpend();
const cdnowRows: CustomerSummary[] = cdnow.x.map((x, i) => ({
  x,
  tx: cdnow.tx[i],
  T: cdnow.T[i],
  zbar: cdnow.zbar[i],
}));

function expectNoNumbers(result: ReturnType<typeof assessFitability>) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason.length).toBeGreaterThan(10);
  expect(result.mbgnbd).toBeUndefined();
  expect(result.gammaGamma).toBeUndefined();
}

describe("assessFitability", () => {
  it("accepts CDNOW (2,357 buyers, 272 days) and hands back both converged fits", () => {
    const result = assessFitability(cdnowRows, { minBuyers: 500, minHistoryDays: 180 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.mbgnbd.converged && result.gammaGamma.converged).toBe(true);
    // The purchase model is MBG/NBD: its CDNOW estimates (tests/clv/mbgnbd.test.ts), not BG/NBD's r = 0.2426.
    expect(result.mbgnbd.params.r).toBeCloseTo(0.525, 3);
  });

  it("too few buyers gives a reason, not numbers", () => {
    const result = assessFitability(cdnowRows.slice(0, 499), { minBuyers: 500, minHistoryDays: 180 });
    expectNoNumbers(result);
    if (!result.ok) {
      expect(result.code).toBe("too-few-buyers");
      expect(result.reason).toMatch(/499 customers.*at least 500/);
    }
  });

  it("too short a history gives a reason, not numbers", () => {
    const short = cdnowRows.map((c) => ({ ...c, T: Math.min(c.T, 25), tx: Math.min(c.tx, 25) }));
    const result = assessFitability(short, { minBuyers: 500, minHistoryDays: 180 });
    expectNoNumbers(result);
    if (!result.ok) {
      expect(result.code).toBe("history-too-short");
      expect(result.reason).toMatch(/175 days; at least 180/);
    }
  });

  it("too few repeat buyers or missing spend gives a reason, not numbers", () => {
    const noRepeat = cdnowRows.map((c) => ({ x: 0, tx: 0, T: c.T, zbar: 0 }));
    const r1 = assessFitability(noRepeat);
    expectNoNumbers(r1);
    if (!r1.ok) expect(r1.code).toBe("too-few-repeat-buyers");
    const noSpend = cdnowRows.map(({ x, tx, T }) => ({ x, tx, T }));
    const r2 = assessFitability(noSpend);
    expectNoNumbers(r2);
    if (!r2.ok) expect(r2.code).toBe("spend-missing");
  });

  it("a fit that does not converge gives a reason: a shop where nobody churns is not identified", () => {
    // Everyone buys at the same rate and nobody drops out: r, α → ∞ and a → 0, parameters run to the bounds.
    const sim = simulateCustomers(600, { r: 1e3, alpha: 1e4, a: 0.01, b: 1e5 }, { p: 6, q: 4, v: 15 }, { seed: 3 });
    const rows = Array.from(sim.x, (x, i) => ({ x, tx: sim.tx[i], T: sim.T[i], zbar: sim.zbar[i] }));
    const result = assessFitability(rows);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("purchase-model-not-converged");
      expect(result.reason).toMatch(/did not converge/);
      expect(result.mbgnbd?.converged).toBe(false);
    }
  });

  it("an exhausted iteration budget counts as not converged", () => {
    const result = assessFitability(cdnowRows, { fit: { maxIterations: 5 } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("purchase-model-not-converged");
      expect(result.reason).toMatch(/budget/);
    }
  });
});
