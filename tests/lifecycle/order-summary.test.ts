import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ShopStatsAccumulator,
  summarizeOrders,
  validateLifecycleSettings,
  type LifecycleSettings,
  type OrderFacts,
} from "../../app/lifecycle/index";
import { buildSummary, summaryOfPurchaseDays } from "../../app/lifecycle/clv";
import { oracleGaps, oracleQualifyingTimes, oracleShopQ } from "./oracle";
import { DAY, NOW, ago, order, settings } from "./helpers";

const RUNS = { numRuns: 300, seed: 20261202 } as const;

// Orders around NOW, some after it (not happened yet), some that never qualify, amounts that may be refunded away.
const orderArb: fc.Arbitrary<OrderFacts> = fc.record({
  createdAt: fc.oneof(
    fc.integer({ min: -700 * DAY, max: 20 * DAY }).map((d) => NOW + d),
    fc.constantFrom(0, 1, 30, 364, 365, 366).map((d) => ago(d)),
  ),
  totalMinor: fc.integer({ min: 0, max: 50_000 }),
  refundedMinor: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50_000 })),
  cancelled: fc.constantFrom(false, false, false, false, false, true),
  test: fc.constantFrom(false, false, false, true),
  voided: fc.constantFrom(false, false, false, true),
  fullyRefunded: fc.constantFrom(false, false, false, true),
});
const ordersArb = fc.array(orderArb, { maxLength: 14 });
const ruleArb: fc.Arbitrary<LifecycleSettings> = fc
  .record({ regularMinOrders: fc.integer({ min: 2, max: 4 }), regularWindowDays: fc.constantFrom(1, 30, 365) })
  .map((rule) => validateLifecycleSettings(rule));

/** The regular rule by hand: the first order at which the latest k orders (itself included) lie within W days. */
function plainRegularAt(times: readonly number[], k: number, windowDays: number): number | null {
  for (let n = 0; n < times.length; n++) {
    const inWindow = times.filter((t, i) => i <= n && times[n] - t < windowDays * DAY).length;
    if (inWindow >= k) return times[n];
  }
  return null;
}

describe("order summaries (what the daily passes read instead of orders)", () => {
  it("hold the first, second and regular orders, the gaps and the next order, as the orders say", () => {
    fc.assert(
      fc.property(ordersArb, ruleArb, (orders, rule) => {
        const times = oracleQualifyingTimes(orders, NOW);
        const summary = summarizeOrders(orders, rule, NOW);
        expect(summary.firstOrderAt).toBe(times[0] ?? null);
        expect(summary.secondOrderAt).toBe(times[1] ?? null);
        expect(summary.regularAt).toBe(plainRegularAt(times, rule.regularMinOrders, rule.regularWindowDays));
        expect(summary.regularRule).toBe(`${rule.regularMinOrders}/${rule.regularWindowDays}`);
        expect(summary.gapsMs.map((ms) => ms / DAY)).toEqual(oracleGaps(times));
        // The next order: the earliest one after NOW that will qualify when it happens.
        const later = oracleQualifyingTimes(orders, Infinity).filter((t) => t > NOW);
        expect(summary.nextOrderAt).toBe(later.length > 0 ? Math.min(...later) : null);
      }),
      RUNS,
    );
  });

  it("give the value models' calibration summary of the purchases as of any later day", () => {
    fc.assert(
      fc.property(ordersArb, fc.integer({ min: 0, max: 400 }), (orders, laterDays) => {
        const summary = summarizeOrders(orders, settings(), NOW);
        const purchases = orders
          .filter((o) => oracleQualifyingTimes([o], NOW).length === 1)
          .map((o) => ({ customerId: "c", at: o.createdAt, value: o.totalMinor - o.refundedMinor }));
        const end = NOW + laterDays * DAY;
        const expected = buildSummary(purchases, end);
        if (expected.length === 0) {
          expect(summary.purchaseDays).toBeNull();
          return;
        }
        const { customerId: _id, ...row } = expected[0];
        expect(summaryOfPurchaseDays(summary.purchaseDays!, end)).toEqual(row);
      }),
      RUNS,
    );
  });

  it("give Q from the kept gaps exactly as from the orders", () => {
    fc.assert(
      fc.property(fc.array(ordersArb, { maxLength: 25 }), (customers) => {
        const s = settings();
        const fromGaps = new ShopStatsAccumulator(s, NOW);
        for (const orders of customers) fromGaps.addGapsMs(summarizeOrders(orders, s, NOW).gapsMs);
        const q = oracleShopQ(
          customers.map((orders) => oracleQualifyingTimes(orders, NOW)),
          s,
        );
        expect(fromGaps.result().gapThresholdDays).toBe(q);
      }),
      RUNS,
    );
  });

  it("a customer without orders has an empty summary", () => {
    expect(summarizeOrders([], settings(), NOW)).toEqual({
      firstOrderAt: null,
      secondOrderAt: null,
      regularAt: null,
      regularRule: "3/365",
      nextOrderAt: null,
      gapsMs: [],
      purchaseDays: null,
    });
    // An order dated later than now counts once it has happened.
    expect(summarizeOrders([order(NOW + DAY)], settings(), NOW).nextOrderAt).toBe(NOW + DAY);
  });
});
