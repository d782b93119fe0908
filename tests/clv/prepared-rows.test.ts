import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bgnbdIndividualLogLikelihood, bgnbdLogLikelihood, prepareBgNbd } from "../../app/lifecycle/clv/bgnbd";
import { mbgnbdIndividualLogLikelihood, mbgnbdLogLikelihood } from "../../app/lifecycle/clv/mbgnbd";

type Row = [x: number, tx: number, T: number];

/** The merge spelled out: rows keyed by their text, counted, sorted by (x, t_x, T); t_x is 0 where x is 0. */
function naiveMerge(rows: readonly Row[]) {
  const weights = new Map<string, { row: Row; weight: number }>();
  for (const [x, tx, T] of rows) {
    const row: Row = [x, x === 0 ? 0 : tx, T];
    const entry = weights.get(row.join("|")) ?? { row, weight: 0 };
    entry.weight++;
    weights.set(row.join("|"), entry);
  }
  return [...weights.values()].sort((p, q) => p.row[0] - q.row[0] || p.row[1] - q.row[1] || p.row[2] - q.row[2]);
}

const columns = (rows: readonly Row[]) => ({
  x: rows.map((r) => r[0]),
  tx: rows.map((r) => r[1]),
  T: rows.map((r) => r[2]),
});

/** Observations on a grid of whole days in weeks, so customers share times as a shop's do. */
const observation = fc
  .tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 60 }))
  .map(([x, a, b]): Row => [x, Math.min(a, b) / 7, Math.max(a, b) / 7]);

function expectMerged(rows: readonly Row[]) {
  const prepared = prepareBgNbd(columns(rows));
  const expected = naiveMerge(rows);
  expect(Array.from(prepared.x)).toEqual(expected.map((e) => e.row[0]));
  expect(Array.from(prepared.tx)).toEqual(expected.map((e) => e.row[1]));
  expect(Array.from(prepared.T)).toEqual(expected.map((e) => e.row[2]));
  expect(Array.from(prepared.weight)).toEqual(expected.map((e) => e.weight));
  expect(prepared.customers).toBe(rows.length);
  // Each row's time indexes point at its own t_x and T.
  expect(Array.from(prepared.txAt, (k) => prepared.times[k])).toEqual(Array.from(prepared.tx));
  expect(Array.from(prepared.TAt, (k) => prepared.times[k])).toEqual(Array.from(prepared.T));
}

describe("prepared (x, t_x, T) rows", () => {
  it("merge identical customers with their count, in (x, t_x, T) order, whatever order they come in", () => {
    fc.assert(
      fc.property(fc.array(observation, { minLength: 1, maxLength: 300 }), (rows) => expectMerged(rows)),
      { numRuns: 200 },
    );
  });

  it("merge the same way when the rows cannot be keyed by one exact number (x of a billion)", () => {
    const rows: Row[] = Array.from({ length: 4000 }, (_, i) => [i % 3, (i % 1500) / 7, (i % 2000) / 7 + 300]);
    rows.push([1_000_000_000, 1, 400], [1_000_000_000, 1, 400], [0, 0, 301]);
    expect(new Set(rows.flatMap((r) => [r[0] === 0 ? 0 : r[1], r[2]])).size).toBeGreaterThan(3000);
    expectMerged(rows);
  });

  it("give the log-likelihood of the customers one by one (BG/NBD and MBG/NBD)", () => {
    const params = { r: 0.24, alpha: 4.4, a: 0.79, b: 2.43 };
    fc.assert(
      fc.property(fc.array(observation, { minLength: 1, maxLength: 200 }), (rows) => {
        let bg = 0;
        let mbg = 0;
        for (const [x, tx, T] of rows) {
          bg += bgnbdIndividualLogLikelihood(params, x, tx, T);
          mbg += mbgnbdIndividualLogLikelihood(params, x, tx, T);
        }
        expect(bgnbdLogLikelihood(params, columns(rows))).toBeCloseTo(bg, 8);
        expect(mbgnbdLogLikelihood(params, columns(rows))).toBeCloseTo(mbg, 8);
      }),
      { numRuns: 100 },
    );
  });
});
