import { describe, expect, it } from "vitest";
import { buildSummary, fitGammaGamma, type Purchase } from "../../app/lifecycle/clv/index";
import {
  CDNOW_CALIBRATION_END,
  cdnowDate,
  loadCdnowMaster,
  loadCdnowSample,
  loadCdnowSummary,
  loadCdnowSummaryWithSpend,
} from "./cdnow";

const DAY = 86_400_000;
const summaryFile = loadCdnowSummary();
const withSpend = loadCdnowSummaryWithSpend();
const sample = loadCdnowSample();
const fromSample = buildSummary(
  sample.map((t) => ({ customerId: String(Number(t.sampleId)), at: cdnowDate(t.date), value: t.dollars })),
  CDNOW_CALIBRATION_END,
);

describe("buildSummary on CDNOW", () => {
  it("the published summary (2,357 rows) is the CDNOW sample, not the 23,570-customer master file", () => {
    const master = loadCdnowMaster();
    expect(new Set(master.map((t) => t.masterId)).size).toBe(23_570);
    expect(new Set(sample.map((t) => t.sampleId)).size).toBe(2357);
    expect(summaryFile.id).toHaveLength(2357);
    const fromMaster = buildSummary(
      master.map((t) => ({ customerId: t.masterId, at: cdnowDate(t.date), value: t.dollars })),
      CDNOW_CALIBRATION_END,
    );
    expect(fromMaster).toHaveLength(23_570);
    // every sample customer is a master customer with identical transactions
    const key = (t: { date: string; cds: number; dollars: number }) => `${t.date}|${t.cds}|${t.dollars}`;
    const masterTx = new Map<string, string[]>();
    for (const t of master) masterTx.set(t.masterId, [...(masterTx.get(t.masterId) ?? []), key(t)]);
    const sampleTx = new Map<string, string[]>();
    for (const t of sample) sampleTx.set(t.masterId, [...(sampleTx.get(t.masterId) ?? []), key(t)]);
    for (const [id, txs] of sampleTx) expect(txs.sort()).toEqual((masterTx.get(id) ?? []).sort());
    expect(fromSample).toHaveLength(2357);
  });

  it("reproduces cdnow_customers_summary.csv exactly (x, and t_x, T to 2 decimals) for every sample customer", () => {
    const byId = new Map(fromSample.map((r) => [r.customerId, r]));
    const text = withSpend.text;
    for (let i = 0; i < summaryFile.id.length; i++) {
      const row = byId.get(summaryFile.id[i]);
      expect(row, `customer ${summaryFile.id[i]}`).toBeDefined();
      expect(row!.x).toBe(summaryFile.x[i]);
      expect(row!.tx.toFixed(2)).toBe(text[i][2]);
      expect(row!.T.toFixed(2)).toBe(text[i][3]);
      expect(Math.abs(row!.tx - summaryFile.tx[i])).toBeLessThanOrEqual(0.005);
      expect(Math.abs(row!.T - summaryFile.T[i])).toBeLessThanOrEqual(0.005);
    }
  });

  it("reproduces zbar of cdnow_customers_summary_with_transactions.csv to the cent", () => {
    const byId = new Map(fromSample.map((r) => [r.customerId, r]));
    for (let i = 0; i < withSpend.id.length; i++) {
      const row = byId.get(withSpend.id[i])!;
      expect(Math.abs(row.zbar - withSpend.zbar[i])).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it("with unrounded zbar, the Gamma-Gamma MLE is v = 15.44 (Fader–Hardie's figure); the cent-rounded file gives 15.45", () => {
    const gg = fitGammaGamma({ x: fromSample.map((r) => r.x), zbar: fromSample.map((r) => r.zbar) });
    expect(gg.converged).toBe(true);
    expect(Math.abs(gg.params.p - 6.25)).toBeLessThan(0.005);
    expect(Math.abs(gg.params.q - 3.74)).toBeLessThan(0.005);
    expect(Math.abs(gg.params.v - 15.44)).toBeLessThan(0.005);
  });
});

describe("buildSummary conventions", () => {
  const end = Date.UTC(2024, 5, 30, 12);
  const d = (day: number, hour = 10) => Date.UTC(2024, 0, 1 + day, hour);
  it("counts repeat purchases per distinct UTC day and sums same-day values into zbar", () => {
    const purchases: Purchase[] = [
      { customerId: "a", at: d(0), value: 10 },
      { customerId: "a", at: d(0, 23), value: 5 }, // same day as the first: no repeat
      { customerId: "a", at: d(14), value: 20 },
      { customerId: "a", at: d(14, 1), value: 30 }, // same day: one purchase of 50
      { customerId: "a", at: d(28), value: 10 },
    ];
    const [row] = buildSummary(purchases, end);
    expect(row.x).toBe(2);
    expect(row.tx).toBe(4);
    expect(row.zbar).toBe(30);
    const endDay = Math.floor(end / DAY);
    expect(row.T).toBe((endDay - Math.floor(d(0) / DAY)) / 7);
  });
  it("ignores purchases after calibrationEnd, keeps customers in first-appearance order, zbar 0 when x = 0", () => {
    const rows = buildSummary(
      [
        { customerId: "late", at: end + 1, value: 5 },
        { customerId: "b", at: d(3), value: 7 },
        { customerId: "c", at: d(1), value: 7 },
        { customerId: "b", at: end + DAY, value: 9 },
        { customerId: "c", at: end, value: 3 },
      ],
      end,
    );
    expect(rows.map((r) => r.customerId)).toEqual(["b", "c"]);
    expect(rows[0]).toMatchObject({ x: 0, tx: 0, zbar: 0 });
    expect(rows[1]).toMatchObject({ x: 1, zbar: 3 });
    expect(rows[1].tx).toBe(rows[1].T);
  });
  it("rejects non-finite times and values", () => {
    expect(() => buildSummary([{ customerId: "a", at: NaN, value: 1 }], end)).toThrow(/purchase #0/);
    expect(() => buildSummary([{ customerId: "a", at: 0, value: Infinity }], end)).toThrow(/value/);
  });
});
