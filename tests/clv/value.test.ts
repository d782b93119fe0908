import { describe, expect, it } from "vitest";
import {
  conditionalExpectedPurchases,
  conditionalExpectedSpend,
  predictCustomerValue,
  probabilityAlive,
  WEEKS_PER_YEAR,
} from "../../app/lifecycle/clv/index";
import { PUBLISHED_BGNBD } from "./cdnow";

const gg = { p: 6.25, q: 3.74, v: 15.44 };
const customer = { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 };

describe("predicted 12-month value", () => {
  it("is E[Y(52.18 weeks)] × E[spend], undiscounted by default", () => {
    const pred = predictCustomerValue(PUBLISHED_BGNBD, gg, customer);
    const purchases = conditionalExpectedPurchases(PUBLISHED_BGNBD, 52.18, 2, 30.43, 38.86);
    const spend = conditionalExpectedSpend(gg, 2, 22.35);
    expect(WEEKS_PER_YEAR).toBe(52.18);
    expect(pred.expectedPurchases).toBe(purchases);
    expect(pred.expectedSpend).toBe(spend);
    expect(pred.value).toBe(purchases * spend);
    expect(pred.probabilityAlive).toBe(probabilityAlive(PUBLISHED_BGNBD, 2, 30.43, 38.86));
  });
  it("with a monthly discount rate is lower, and tends to the undiscounted value as the rate → 0", () => {
    const plain = predictCustomerValue(PUBLISHED_BGNBD, gg, customer).value;
    const discounted = predictCustomerValue(PUBLISHED_BGNBD, gg, customer, { monthlyDiscountRate: 0.01 }).value;
    const almost = predictCustomerValue(PUBLISHED_BGNBD, gg, customer, { monthlyDiscountRate: 1e-12 }).value;
    expect(discounted).toBeLessThan(plain);
    expect(discounted).toBeGreaterThan(plain / 1.01 ** 12);
    expect(Math.abs(almost - plain) / plain).toBeLessThan(1e-9);
  });
  it("uses the population mean spend for one-time buyers and needs zbar for repeat buyers", () => {
    const one = predictCustomerValue(PUBLISHED_BGNBD, gg, { x: 0, tx: 0, T: 10 });
    expect(one.expectedSpend).toBeCloseTo((gg.p * gg.v) / (gg.q - 1), 12);
    expect(one.probabilityAlive).toBe(1);
    expect(() => predictCustomerValue(PUBLISHED_BGNBD, gg, { x: 2, tx: 3, T: 10 })).toThrow(/zbar/);
  });
});
