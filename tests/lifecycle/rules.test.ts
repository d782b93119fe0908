import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstInstantAtLeast, MAX_INSTANT_MS } from "../../app/lifecycle/rules";
import {
  classifyCustomer,
  classifyTimes,
  computeShopStats,
  needsReevaluation,
  qualifyingOrderTimes,
  ShopStatsAccumulator,
  type EmailMarketingState,
  type LifecycleSettings,
  type Stage,
  type ThresholdSource,
  type WinbackTier,
} from "../../app/lifecycle/index";
import { DAY, NOW, ago, order, settings, shop, timesFromGaps } from "./helpers";

interface Case {
  name: string;
  times: number[];
  state?: EmailMarketingState;
  q?: number;
  settings?: Partial<LifecycleSettings>;
  stage: Stage;
  tier?: WinbackTier | null;
  L?: number;
  source?: ThresholdSource;
  inWindow?: number;
}

const MS = 1 / DAY; // one millisecond, in days

const cases: Case[] = [
  // n = 0
  { name: "no orders and SUBSCRIBED is an enquirer", times: [], state: "SUBSCRIBED", stage: "enquirer" },
  { name: "no orders and NOT_SUBSCRIBED is a visitor", times: [], state: "NOT_SUBSCRIBED", stage: "visitor" },
  {
    name: "no orders and PENDING is a visitor (only SUBSCRIBED counts)",
    times: [],
    state: "PENDING",
    stage: "visitor",
  },
  { name: "no orders and UNSUBSCRIBED is a visitor", times: [], state: "UNSUBSCRIBED", stage: "visitor" },
  { name: "no orders and REDACTED is a visitor", times: [], state: "REDACTED", stage: "visitor" },
  { name: "no orders and INVALID is a visitor", times: [], state: "INVALID", stage: "visitor" },

  // one order: L = Q
  {
    name: "one recent order is a first-time buyer with L = Q",
    times: [ago(10)],
    q: 90,
    stage: "first-time-buyer",
    L: 90,
    source: "shop",
  },
  { name: "one order exactly L = Q days ago has lapsed (d >= L)", times: [ago(90)], q: 90, stage: "lapsed", tier: 90 },
  { name: "one order 1 ms short of L is not lapsed", times: [ago(90 - MS)], q: 90, stage: "first-time-buyer" },
  { name: "lapsed before the first tier has no win-back tier", times: [ago(50)], q: 40, stage: "lapsed", tier: null },

  // tiers at exactly 90 / 180 / 360
  { name: "tier 90 starts at exactly d = 90", times: [ago(90)], q: 30, stage: "lapsed", tier: 90 },
  { name: "1 ms before d = 90 there is no tier", times: [ago(90 - MS)], q: 30, stage: "lapsed", tier: null },
  { name: "tier 180 starts at exactly d = 180", times: [ago(180)], q: 30, stage: "lapsed", tier: 180 },
  { name: "1 ms before d = 180 the tier is still 90", times: [ago(180 - MS)], q: 30, stage: "lapsed", tier: 90 },
  { name: "tier 360 starts at exactly d = 360", times: [ago(360)], q: 30, stage: "lapsed", tier: 360 },
  { name: "1 ms before d = 360 the tier is still 180", times: [ago(360 - MS)], q: 30, stage: "lapsed", tier: 180 },
  {
    name: "custom tier days are honoured",
    times: [ago(100)],
    q: 30,
    settings: { winbackTierDays: [60, 100, 200] },
    stage: "lapsed",
    tier: 180,
  },

  // customer thresholds: 2 × median, clamps, even counts, same-day gaps
  {
    name: "two gaps give L = 2 × median",
    times: timesFromGaps([10, 20], 5),
    stage: "regular-buyer",
    L: 30,
    source: "customer",
  },
  { name: "d exactly 2 × median lapses", times: timesFromGaps([10, 20], 30), stage: "lapsed", L: 30 },
  {
    name: "1 ms before 2 × median does not lapse",
    times: timesFromGaps([10, 20], 30 - MS),
    stage: "regular-buyer",
    L: 30,
  },
  {
    name: "median of an even count is the mean of the two middle gaps",
    times: timesFromGaps([10, 100, 20, 30], 5),
    stage: "regular-buyer",
    L: 50,
  },
  {
    name: "median of an odd count is the middle gap",
    times: timesFromGaps([10, 40, 20], 5),
    stage: "regular-buyer",
    L: 40,
  },
  {
    name: "customer threshold clamps up to 14 days",
    times: timesFromGaps([1, 1], 13.9),
    stage: "regular-buyer",
    L: 14,
  },
  {
    name: "customer threshold clamped to 14 lapses at exactly 14 days",
    times: timesFromGaps([1, 1], 14),
    stage: "lapsed",
    L: 14,
  },
  {
    name: "customer threshold clamps down to 365 days",
    times: timesFromGaps([300, 300], 364),
    stage: "repeat-buyer",
    L: 365,
  },
  {
    name: "orders on the same day (gap 0) give the minimum threshold",
    times: timesFromGaps([0, 0], 1),
    stage: "regular-buyer",
    L: 14,
  },
  {
    name: "orders at the same instant count separately",
    times: [ago(3), ago(3), ago(3)],
    stage: "regular-buyer",
    L: 14,
    inWindow: 3,
  },
  {
    name: "one gap is too few for a customer threshold: L = Q",
    times: timesFromGaps([10], 5),
    q: 77,
    stage: "repeat-buyer",
    L: 77,
    source: "shop",
  },
  {
    name: "customerMinGaps is a setting",
    times: timesFromGaps([10, 20], 5),
    q: 77,
    settings: { customerMinGaps: 3 },
    stage: "regular-buyer",
    L: 77,
    source: "shop",
  },
  {
    name: "customerGapMultiplier is a setting",
    times: timesFromGaps([10, 20], 5),
    settings: { customerGapMultiplier: 3 },
    stage: "regular-buyer",
    L: 45,
  },

  // returned
  {
    name: "a last gap above L of the gaps before it, with d < 30, is returned",
    times: timesFromGaps([20, 20, 200], 29),
    stage: "returned",
    L: 40,
  },
  {
    name: "the returned window ends at exactly d = 30",
    times: timesFromGaps([20, 20, 200], 30),
    stage: "regular-buyer",
  },
  { name: "1 ms before d = 30 is still returned", times: timesFromGaps([20, 20, 200], 30 - MS), stage: "returned" },
  {
    name: "with two orders the returned comparison uses Q",
    times: timesFromGaps([100], 5),
    q: 90,
    stage: "returned",
    L: 90,
    source: "shop",
  },
  {
    name: "a last gap equal to the threshold is not a return (strictly greater)",
    times: timesFromGaps([90], 5),
    q: 90,
    stage: "repeat-buyer",
  },
  {
    name: "with three orders the lapse rule uses both gaps but returned compares with Q",
    times: timesFromGaps([10, 200], 5),
    q: 90,
    stage: "returned",
    L: 210,
    source: "customer",
  },
  {
    name: "a last gap not above Q is no return, even after a long earlier gap",
    times: timesFromGaps([200, 80], 5),
    q: 90,
    stage: "regular-buyer",
    L: 280,
  },
  { name: "lapsed outranks returned", times: timesFromGaps([1, 1, 1, 200], 20), stage: "lapsed", L: 14 },
  {
    name: "returnedWindowDays is a setting",
    times: timesFromGaps([20, 20, 200], 35),
    settings: { returnedWindowDays: 40 },
    stage: "returned",
  },

  // 365-day window
  {
    name: "three orders inside the 365-day window make a regular buyer",
    times: [ago(365 - MS), ago(100), ago(10)],
    stage: "regular-buyer",
    inWindow: 3,
  },
  {
    name: "an order exactly 365 days old has left the window",
    times: [ago(365), ago(100), ago(10)],
    stage: "repeat-buyer",
    inWindow: 2,
  },
  { name: "two orders are a repeat buyer, not regular", times: [ago(20), ago(10)], q: 90, stage: "repeat-buyer" },
  {
    name: "regularMinOrders and regularWindowDays are settings",
    times: [ago(40), ago(20), ago(10)],
    settings: { regularWindowDays: 30, regularMinOrders: 2 },
    stage: "regular-buyer",
    inWindow: 2,
  },

  // fixed mode
  {
    name: "fixed mode uses L = 90 for everyone",
    times: timesFromGaps([1, 1], 89),
    settings: { lapseMode: "fixed" },
    stage: "regular-buyer",
    L: 90,
    source: "fixed",
  },
  {
    name: "fixed mode lapses at exactly 90 days",
    times: timesFromGaps([1, 1], 90),
    settings: { lapseMode: "fixed" },
    stage: "lapsed",
    tier: 90,
    L: 90,
  },
  {
    name: "fixed mode ignores Q for one-order customers",
    times: [ago(60)],
    q: 30,
    settings: { lapseMode: "fixed" },
    stage: "first-time-buyer",
    L: 90,
  },
  {
    name: "fixed mode compares the returned gap with 90",
    times: timesFromGaps([2, 2, 91], 5),
    settings: { lapseMode: "fixed" },
    stage: "returned",
  },
  {
    name: "fixed mode: a 90-day gap is not a return",
    times: timesFromGaps([2, 2, 90], 5),
    settings: { lapseMode: "fixed" },
    stage: "regular-buyer",
  },
  {
    name: "fixedLapseDays is a setting",
    times: [ago(45)],
    settings: { lapseMode: "fixed", fixedLapseDays: 45 },
    stage: "lapsed",
    L: 45,
  },
];

describe("stage rules (hand-built table)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = classifyTimes(c.times, c.state ?? "NOT_SUBSCRIBED", shop(c.q ?? 90), settings(c.settings), NOW);
      expect(result.stage).toBe(c.stage);
      if (c.tier !== undefined) expect(result.winbackTier).toBe(c.tier);
      if (c.stage !== "lapsed") expect(result.winbackTier).toBeNull();
      if (c.L !== undefined) expect(result.lapseThresholdDays).toBeCloseTo(c.L, 9);
      if (c.source !== undefined) expect(result.thresholdSource).toBe(c.source);
      if (c.inWindow !== undefined) expect(result.ordersInWindow).toBe(c.inWindow);
    });
  }
});

describe("qualifying orders", () => {
  const now = NOW;
  const variants: [string, Parameters<typeof order>[1], boolean][] = [
    ["a plain paid order counts", {}, true],
    ["a test order is ignored", { test: true }, false],
    ["a cancelled order is ignored", { cancelled: true }, false],
    ["a voided order is ignored", { voided: true }, false],
    ["a fully refunded order is ignored", { fullyRefunded: true }, false],
    ["an order refunded down to zero net value is ignored", { totalMinor: 500, refundedMinor: 500 }, false],
    ["a partially refunded order with net value left counts", { totalMinor: 500, refundedMinor: 499 }, true],
    ["a zero-value order is ignored", { totalMinor: 0 }, false],
    ["a negative-value order is ignored", { totalMinor: -100 }, false],
  ];
  for (const [name, extra, counts] of variants) {
    it(name, () => {
      expect(qualifyingOrderTimes([order(ago(5), extra)], now)).toHaveLength(counts ? 1 : 0);
    });
  }
  it("an order created after now is ignored; one created exactly at now counts", () => {
    expect(qualifyingOrderTimes([order(now + 1), order(now)], now)).toEqual([now]);
  });
  it("qualifying times come back sorted ascending", () => {
    expect(qualifyingOrderTimes([order(ago(1)), order(ago(30)), order(ago(7))], now)).toEqual([
      ago(30),
      ago(7),
      ago(1),
    ]);
  });
  it("a customer whose only orders do not qualify is a visitor (or enquirer)", () => {
    const orders = [order(ago(5), { test: true }), order(ago(6), { cancelled: true }), order(now + DAY)];
    expect(classifyCustomer({ emailMarketingState: "NOT_SUBSCRIBED", orders }, shop(90), settings(), now).stage).toBe(
      "visitor",
    );
    expect(classifyCustomer({ emailMarketingState: "SUBSCRIBED", orders }, shop(90), settings(), now).stage).toBe(
      "enquirer",
    );
  });
  it("ignored orders do not create gaps: test orders between two real ones leave one gap", () => {
    const orders = [order(ago(200)), order(ago(100), { test: true }), order(ago(5))];
    const c = classifyCustomer({ emailMarketingState: "NOT_SUBSCRIBED", orders }, shop(90), settings(), now);
    expect(c.qualifyingOrderCount).toBe(2);
    expect(c.stage).toBe("returned");
  });
  it("classifyTimes ignores times after now even if a caller passes them", () => {
    const c = classifyTimes([ago(10), now + DAY], "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(c.qualifyingOrderCount).toBe(1);
    expect(c.stage).toBe("first-time-buyer");
  });
  it("classifyTimes rejects unsorted times instead of guessing", () => {
    expect(() => classifyTimes([ago(1), ago(10), ago(5)], "NOT_SUBSCRIBED", shop(90), settings(), NOW)).toThrow(
      /sorted/,
    );
  });
});

describe("shop gap threshold Q", () => {
  // One customer per gap keeps the sample exactly as listed.
  const customersWithGaps = (gaps: number[]) => gaps.map((g) => [ago(400), ago(400) + g * DAY]);

  it("49 gaps use the small-shop fallback of 90 days", () => {
    const stats = computeShopStats(customersWithGaps(Array(49).fill(200)), settings(), NOW);
    expect(stats).toEqual({ gapThresholdDays: 90, gapCount: 49, usedSmallShopFallback: true });
  });
  it("50 gaps use the percentile", () => {
    const stats = computeShopStats(customersWithGaps(Array(50).fill(200)), settings(), NOW);
    expect(stats).toEqual({ gapThresholdDays: 200, gapCount: 50, usedSmallShopFallback: false });
  });
  it("nearest rank: of 50 gaps 31..80 days the 90th percentile is the 45th smallest (75)", () => {
    const gaps = Array.from({ length: 50 }, (_, i) => 31 + i);
    expect(computeShopStats(customersWithGaps(gaps), settings(), NOW).gapThresholdDays).toBe(75);
  });
  it("nearest rank: m = 70 → the 63rd smallest", () => {
    const gaps = Array.from({ length: 70 }, (_, i) => 101 + i);
    expect(computeShopStats(customersWithGaps(gaps), settings(), NOW).gapThresholdDays).toBe(163);
  });
  it("nearest rank does not overshoot when fraction × m carries floating point noise (0.55 × 100 = 55.00000000000001 → 55th)", () => {
    const gaps = Array.from({ length: 100 }, (_, i) => 101 + i);
    const s = settings({ shopGapPercentile: 0.55 });
    expect(computeShopStats(customersWithGaps(gaps), s, NOW).gapThresholdDays).toBe(155);
  });
  it("nearest rank rounds a fractional rank up (m = 51 → ceil(45.9) = 46th)", () => {
    const gaps = Array.from({ length: 51 }, (_, i) => 101 + i);
    expect(computeShopStats(customersWithGaps(gaps.reverse()), settings(), NOW).gapThresholdDays).toBe(146);
  });
  it("Q is clamped up to 30 days", () => {
    expect(computeShopStats(customersWithGaps(Array(60).fill(5)), settings(), NOW).gapThresholdDays).toBe(30);
  });
  it("Q is clamped down to 365 days", () => {
    expect(computeShopStats(customersWithGaps(Array(60).fill(380)), settings(), NOW).gapThresholdDays).toBe(365);
  });
  it("gaps of every customer count, including a customer's several gaps", () => {
    const times = Array.from({ length: 51 }, (_, i) => ago(400) + i * 2 * DAY);
    const stats = computeShopStats([times], settings(), NOW);
    expect(stats.gapCount).toBe(50);
    expect(stats.gapThresholdDays).toBe(30);
  });
  it("gaps that end after now are not counted", () => {
    const stats = computeShopStats([[ago(10), ago(5), NOW + DAY]], settings(), NOW);
    expect(stats.gapCount).toBe(1);
  });
  it("the streaming accumulator equals the one-pass function, page by page", () => {
    const customers = Array.from({ length: 300 }, (_, i) => timesFromGaps([(i * 7) % 97, (i * 13) % 211], i % 50));
    const acc = new ShopStatsAccumulator(settings(), NOW);
    for (let page = 0; page < customers.length; page += 64) {
      for (const c of customers.slice(page, page + 64)) acc.add(c);
    }
    expect(acc.result()).toEqual(computeShopStats(customers, settings(), NOW));
  });
  it("settings change the percentile, clamps and fallback", () => {
    const gaps = Array.from({ length: 20 }, (_, i) => 10 * (i + 1));
    const s = settings({
      smallShopMinGaps: 10,
      shopGapPercentile: 0.5,
      shopThresholdMinDays: 1,
      shopThresholdMaxDays: 1000,
    });
    expect(computeShopStats(customersWithGaps(gaps), s, NOW).gapThresholdDays).toBe(100);
    expect(
      computeShopStats(
        customersWithGaps(gaps.slice(0, 9)),
        settings({ smallShopMinGaps: 10, smallShopFallbackDays: 45 }),
        NOW,
      ).gapThresholdDays,
    ).toBe(45);
  });
});

describe("next transition", () => {
  it("a first-time buyer's next transition is the lapse at t + Q", () => {
    const c = classifyTimes([ago(10)], "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(c.nextTransitionAt).toBe(ago(10) + 90 * DAY);
  });
  it("a lapsed customer's next transition is the next tier", () => {
    const c = classifyTimes([ago(100)], "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(c.nextTransitionAt).toBe(ago(100) + 180 * DAY);
  });
  it("a returned customer's next transition is the end of the returned window", () => {
    const times = timesFromGaps([20, 20, 200], 5);
    const c = classifyTimes(times, "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(c.stage).toBe("returned");
    expect(c.nextTransitionAt).toBe(times[3] + 30 * DAY);
  });
  it("a regular buyer's next transition can be an order leaving the 365-day window", () => {
    const times = [ago(364), ago(300), ago(240), ago(180), ago(120), ago(60), ago(10)];
    const c = classifyTimes(times, "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(c.stage).toBe("regular-buyer");
    expect(c.nextTransitionAt).toBe(times[0] + 365 * DAY);
  });
  it("tier 360 with nothing in the window has no next transition", () => {
    expect(classifyTimes([ago(400)], "NOT_SUBSCRIBED", shop(90), settings(), NOW).nextTransitionAt).toBeNull();
  });
  it("visitors and enquirers have no next transition", () => {
    expect(classifyTimes([], "SUBSCRIBED", shop(90), settings(), NOW).nextTransitionAt).toBeNull();
  });
  it("a boundary at a fractional millisecond is rounded up to the first whole millisecond of the new state", () => {
    const times = timesFromGaps([10, 10.0000001], 1);
    const c = classifyTimes(times, "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    const at = c.nextTransitionAt!;
    expect(Number.isInteger(at)).toBe(true);
    expect(classifyTimes(times, "NOT_SUBSCRIBED", shop(90), settings(), at).stage).toBe("lapsed");
    expect(classifyTimes(times, "NOT_SUBSCRIBED", shop(90), settings(), at - 1).stage).not.toBe("lapsed");
  });
  it("the daily job re-evaluates when the transition has passed, or when Q changed and Q was used", () => {
    expect(needsReevaluation({ nextTransitionAt: NOW, usesShopThreshold: false }, 90, 90, NOW)).toBe(true);
    expect(needsReevaluation({ nextTransitionAt: NOW + 1, usesShopThreshold: false }, 90, 95, NOW)).toBe(false);
    expect(needsReevaluation({ nextTransitionAt: null, usesShopThreshold: true }, 90, 95, NOW)).toBe(true);
    expect(needsReevaluation({ nextTransitionAt: null, usesShopThreshold: true }, 90, 90, NOW)).toBe(false);
  });
  it("a customer whose returned comparison uses Q is flagged as depending on Q, even with its own L", () => {
    const c = classifyTimes(timesFromGaps([10, 50], 5), "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(c.thresholdSource).toBe("customer");
    expect(c.usesShopThreshold).toBe(true);
    // A smaller Q would make it returned: the flag is what makes the daily job notice.
    expect(classifyTimes(timesFromGaps([10, 50], 5), "NOT_SUBSCRIBED", shop(40), settings(), NOW).stage).toBe(
      "returned",
    );
  });
});

describe("firstInstantAtLeast: the boundary is computed, not stepped", () => {
  /** The definition, checked directly: x is a whole millisecond, the boundary is reached at x and not at x − 1. */
  const isFirstInstant = (from: number, days: number, x: number) =>
    Number.isInteger(x) && (x - from) / DAY >= days && (x - 1 - from) / DAY < days;

  it("hand-worked instants, including ones where from + days × DAY_MS rounds past the answer", () => {
    expect(firstInstantAtLeast(0, 1)).toBe(86_400_000);
    expect(firstInstantAtLeast(1, 0.5)).toBe(43_200_001);
    // 0.7 × 86,400,000 = 60,479,999.99999999 in binary floating point; the answer is 60,480,000 (0.7 days exactly).
    expect(firstInstantAtLeast(0, 0.7)).toBe(60_480_000);
    expect(firstInstantAtLeast(NOW, 3650)).toBe(NOW + 3650 * DAY);
  });

  it("a boundary a Date cannot hold is no boundary at all (1e15 days, 200,000,000 days, Infinity, NaN)", () => {
    for (const days of [1e15, 200_000_000, 1e308, Infinity, Number.NaN])
      expect(firstInstantAtLeast(NOW, days), String(days)).toBe(Infinity);
    // The last instant a Date holds is 8.64e15 ms: 1e8 days after the epoch is exactly it, a hair more is beyond.
    expect(firstInstantAtLeast(0, 1e8)).toBe(MAX_INSTANT_MS);
    expect(firstInstantAtLeast(0, 1e8 + 1e-6)).toBe(Infinity);
  });

  it("matches the definition for any start and any day count a Date can reach", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -8e15, max: 8e15 }),
        fc.oneof(
          fc.double({ min: 0, max: 3650, noNaN: true }),
          fc.double({ min: 0, max: 1e5, noNaN: true }),
          fc.integer({ min: 0, max: 3650 }),
        ),
        (from, days) => {
          const x = firstInstantAtLeast(from, days);
          if (x === Infinity) expect(from + days * DAY).toBeGreaterThan(MAX_INSTANT_MS - 64);
          else expect(isFirstInstant(from, days, x), `${from} + ${days} days → ${x}`).toBe(true);
        },
      ),
      { numRuns: 2000, seed: 42 },
    );
  });
});
