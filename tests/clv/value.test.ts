import { describe, expect, it } from "vitest";
import {
  conditionalExpectedPurchases,
  conditionalExpectedSpend,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdProbabilityAlive,
  MAX_HORIZON_WEEKS,
  predictCustomerValue,
  probabilityAlive,
  WEEKS_PER_YEAR,
} from "../../app/lifecycle/clv/index";
import { PUBLISHED_BGNBD } from "./cdnow";

const BGNBD = { model: "bgnbd", params: PUBLISHED_BGNBD } as const;
/** The MBG/NBD estimates on CDNOW (tests/clv/mbgnbd.test.ts). */
const MBGNBD = { model: "mbgnbd", params: { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 } } as const;

const gg = { p: 6.25, q: 3.74, v: 15.44 };
const customer = { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 };

describe("predicted 12-month value", () => {
  it("is E[Y(52.18 weeks)] × E[spend], undiscounted by default", () => {
    const pred = predictCustomerValue(BGNBD, gg, customer);
    const purchases = conditionalExpectedPurchases(PUBLISHED_BGNBD, 52.18, 2, 30.43, 38.86);
    const spend = conditionalExpectedSpend(gg, 2, 22.35);
    expect(WEEKS_PER_YEAR).toBe(52.18);
    expect(pred.expectedPurchases).toBe(purchases);
    expect(pred.expectedSpend).toBe(spend);
    expect(pred.value).toBe(purchases * spend);
    expect(pred.probabilityAlive).toBe(probabilityAlive(PUBLISHED_BGNBD, 2, 30.43, 38.86));
  });
  it("with a monthly discount rate is lower, and tends to the undiscounted value as the rate → 0", () => {
    const plain = predictCustomerValue(BGNBD, gg, customer).value;
    const discounted = predictCustomerValue(BGNBD, gg, customer, { monthlyDiscountRate: 0.01 }).value;
    const almost = predictCustomerValue(BGNBD, gg, customer, { monthlyDiscountRate: 1e-12 }).value;
    expect(discounted).toBeLessThan(plain);
    expect(discounted).toBeGreaterThan(plain / 1.01 ** 12);
    expect(Math.abs(almost - plain) / plain).toBeLessThan(1e-9);
  });
  it("uses the population mean spend for one-time buyers and needs zbar for repeat buyers", () => {
    const one = predictCustomerValue(BGNBD, gg, { x: 0, tx: 0, T: 10 });
    expect(one.expectedSpend).toBeCloseTo((gg.p * gg.v) / (gg.q - 1), 12);
    expect(one.probabilityAlive).toBe(1);
    expect(() => predictCustomerValue(BGNBD, gg, { x: 2, tx: 3, T: 10 })).toThrow(/zbar/);
  });

  it("with MBG/NBD (the app's model) is MBG/NBD purchases × Gamma-Gamma spend, with MBG/NBD's P(alive)", () => {
    const pred = predictCustomerValue(MBGNBD, gg, customer);
    const purchases = mbgnbdConditionalExpectedPurchases(MBGNBD.params, 52.18, 2, 30.43, 38.86);
    expect(pred.expectedPurchases).toBe(purchases);
    expect(pred.value).toBe(purchases * conditionalExpectedSpend(gg, 2, 22.35));
    expect(pred.probabilityAlive).toBe(mbgnbdProbabilityAlive(MBGNBD.params, 2, 30.43, 38.86));
  });
  it("with MBG/NBD, one-order customers differ by how long ago they bought: the longer, the lower both numbers", () => {
    const byAge = [1, 4, 13, 26, 39, 52].map((T) => predictCustomerValue(MBGNBD, gg, { x: 0, tx: 0, T }));
    for (let i = 1; i < byAge.length; i++) {
      expect(byAge[i].probabilityAlive).toBeLessThan(byAge[i - 1].probabilityAlive);
      expect(byAge[i].value).toBeLessThan(byAge[i - 1].value);
    }
    expect(byAge.every((p) => p.probabilityAlive < 1)).toBe(true);
    // BG/NBD gives every one of them P(alive) = 1.
    expect([1, 52].map((T) => predictCustomerValue(BGNBD, gg, { x: 0, tx: 0, T }).probabilityAlive)).toEqual([1, 1]);
  });
  it("the horizon is bounded: at most ten years (the discounted sum has one term per month)", () => {
    expect(MAX_HORIZON_WEEKS).toBeCloseTo(521.8, 10);
    expect(() => predictCustomerValue(MBGNBD, gg, customer, { horizonWeeks: 1e9, monthlyDiscountRate: 0.01 })).toThrow(
      /horizonWeeks/,
    );
    expect(
      predictCustomerValue(MBGNBD, gg, customer, { horizonWeeks: MAX_HORIZON_WEEKS, monthlyDiscountRate: 0.01 }).value,
    ).toBeGreaterThan(0);
  });
});
