import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EMAIL_MARKETING_STATES,
  STAGES,
  appTagsFor,
  applyTagPlan,
  classifyBatch,
  classifyCustomer,
  classifyTimes,
  computeShopStats,
  computeShopStatsFlat,
  planTagChange,
  qualifyingOrderTimes,
  validateLifecycleSettings,
  type Classification,
  type EmailMarketingState,
  type LifecycleSettings,
  type OrderFacts,
  type ShopStats,
} from "../../app/lifecycle/index";
import { oracleClassify, oracleQualifyingTimes, oracleShopQ } from "./oracle";

const DAY = 86_400_000;
const RUNS = { numRuns: 400, seed: 20240601 } as const;

// Offsets before `now` that favour the boundaries (same instant, exactly N days) as well as arbitrary values.
const offsetMs = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 800 * DAY }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 14, 29, 30, 31, 90, 180, 360, 364, 365, 366).map((d) => d * DAY) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((d) => d * DAY + 1) },
);

const nowArb = fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2030, 0, 1) });
const timesArb = (now: number) =>
  fc.array(offsetMs, { maxLength: 12 }).map((offsets) => offsets.map((o) => now - o).sort((a, b) => a - b));

const settingsArb: fc.Arbitrary<LifecycleSettings> = fc
  .record({
    lapseMode: fc.constantFrom("cadence" as const, "fixed" as const),
    customerMinGaps: fc.constantFrom(1, 2, 3),
    customerGapMultiplier: fc.constantFrom(1.5, 2, 3),
    returnedWindowDays: fc.constantFrom(30, 45),
  })
  .map((overrides) => validateLifecycleSettings(overrides));

const statsArb: fc.Arbitrary<ShopStats> = fc
  .oneof(fc.integer({ min: 30, max: 365 }), fc.double({ min: 30, max: 365, noNaN: true }))
  .map((q) => ({ gapThresholdDays: q, gapCount: 100, usedSmallShopFallback: false }));

const stateArb = fc.constantFrom(...EMAIL_MARKETING_STATES);

const scenario = nowArb.chain((now) =>
  fc.record({ now: fc.constant(now), times: timesArb(now), state: stateArb, stats: statsArb, settings: settingsArb }),
);

const observable = (c: Classification) => ({ stage: c.stage, tier: c.winbackTier, ordersInWindow: c.ordersInWindow });

describe("lifecycle properties (fast-check)", () => {
  it("every customer gets exactly one stage, and the one the rules pick in order", () => {
    fc.assert(
      fc.property(scenario, ({ now, times, state, stats, settings }) => {
        const c = classifyTimes(times, state, stats, settings, now);
        expect(STAGES.filter((s) => s === c.stage)).toHaveLength(1);
        const stageTags = appTagsFor(c, settings.tagPrefix).filter((t) => !t.includes("winback-"));
        expect(stageTags).toEqual([`${settings.tagPrefix}${c.stage}`]);
        if (c.winbackTier !== null) expect(c.stage).toBe("lapsed");
        const expected = oracleClassify(times, state === "SUBSCRIBED", stats.gapThresholdDays, settings, now);
        expect({ stage: c.stage, tier: c.winbackTier }).toEqual(expected);
      }),
      RUNS,
    );
  });

  it("after a qualifying order at now the stage is never lapsed or visitor", () => {
    fc.assert(
      fc.property(scenario, ({ now, times, state, stats, settings }) => {
        const c = classifyTimes([...times, now], state, stats, settings, now);
        expect(c.stage).not.toBe("lapsed");
        expect(c.stage).not.toBe("visitor");
        expect(c.stage).not.toBe("enquirer");
      }),
      RUNS,
    );
  });

  it("next transition is strictly after now; at it the result changes, just before it nothing does", () => {
    fc.assert(
      fc.property(scenario, ({ now, times, state, stats, settings }) => {
        const c = classifyTimes(times, state, stats, settings, now);
        if (c.nextTransitionAt === null) {
          // Nothing left that time alone can change: evaluating much later gives the same stage and tier.
          const later = classifyTimes(times, state, stats, settings, now + 2000 * DAY);
          expect(observable(later)).toEqual(observable(c));
          return;
        }
        const at = c.nextTransitionAt;
        expect(at).toBeGreaterThan(now);
        expect(Number.isInteger(at)).toBe(true);
        const atResult = classifyTimes(times, state, stats, settings, at);
        expect(observable(atResult)).not.toEqual(observable(c));
        expect(atResult.nextTransitionAt === null || atResult.nextTransitionAt > at).toBe(true);
        const before = classifyTimes(times, state, stats, settings, at - 1);
        expect(observable(before)).toEqual(observable(c));
        // And somewhere strictly between, too.
        const mid = now + Math.floor((at - 1 - now) / 2);
        expect(observable(classifyTimes(times, state, stats, settings, mid))).toEqual(observable(c));
      }),
      RUNS,
    );
  });

  it("tags round-trip: applying a plan and planning again is empty, merchant tags survive", () => {
    const tagArb = fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }).filter((t) => !t.includes(",") && t.trim().length > 0),
      fc
        .constantFrom(...STAGES, "winback-90", "winback-180", "junk")
        .chain((s) => fc.constantFrom(`lifecycle:${s}`, `LIFECYCLE:${s.toUpperCase()}`, `Lifecycle:${s}`)),
    );
    fc.assert(
      fc.property(
        fc.array(tagArb, { maxLength: 20 }),
        fc.constantFrom(...STAGES),
        fc.constantFrom(90 as const, 180 as const, 360 as const, null),
        (current, stage, tier) => {
          const desired = appTagsFor({ stage, winbackTier: stage === "lapsed" ? tier : null }, "lifecycle:");
          const plan = planTagChange(current, desired, "lifecycle:");
          expect(plan.overLimit).toBe(false);
          const after = applyTagPlan(current, plan);
          expect(planTagChange(after, desired, "lifecycle:")).toEqual({ add: [], remove: [], overLimit: false });
          const appTags = after.filter((t) => t.toLowerCase().startsWith("lifecycle:")).map((t) => t.toLowerCase());
          expect(appTags.sort()).toEqual(desired.map((t) => t.toLowerCase()).sort());
          const merchant = (tags: string[]) =>
            [
              ...new Set(tags.map((t) => t.trim().toLowerCase()).filter((t) => t && !t.startsWith("lifecycle:"))),
            ].sort();
          expect(merchant(after)).toEqual(merchant(current));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it("qualifying orders match a plain filter-and-sort", () => {
    const orderArb = (now: number): fc.Arbitrary<OrderFacts> =>
      fc.record({
        createdAt: fc.integer({ min: now - 400 * DAY, max: now + 5 * DAY }),
        totalMinor: fc.integer({ min: -100, max: 1000 }),
        refundedMinor: fc.integer({ min: 0, max: 1000 }),
        cancelled: fc.boolean(),
        test: fc.boolean(),
        voided: fc.boolean(),
        fullyRefunded: fc.boolean(),
      });
    fc.assert(
      fc.property(
        nowArb.chain((now) => fc.tuple(fc.constant(now), fc.array(orderArb(now), { maxLength: 15 }))),
        ([now, orders]) => {
          expect(qualifyingOrderTimes(orders, now)).toEqual(oracleQualifyingTimes(orders, now));
          const c = classifyCustomer(
            { emailMarketingState: "NOT_SUBSCRIBED", orders },
            { gapThresholdDays: 90, gapCount: 0, usedSmallShopFallback: true },
            validateLifecycleSettings({}),
            now,
          );
          expect(c.qualifyingOrderCount).toBe(oracleQualifyingTimes(orders, now).length);
        },
      ),
      RUNS,
    );
  });

  it("shop statistics match a sort-everything percentile, for shops small and large", () => {
    const shopArb = nowArb.chain((now) =>
      fc.tuple(
        fc.constant(now),
        fc.array(fc.array(fc.integer({ min: 0, max: 500 * DAY }), { maxLength: 8 }), { maxLength: 40 }),
        fc.constantFrom(1, 5, 50),
        fc.constantFrom(0.5, 0.9, 0.55, 0.99),
      ),
    );
    fc.assert(
      fc.property(shopArb, ([now, offsets, smallShopMinGaps, shopGapPercentile]) => {
        const settings = validateLifecycleSettings({ smallShopMinGaps, shopGapPercentile });
        const customers = offsets.map((o) => o.map((x) => now - x).sort((a, b) => a - b));
        expect(computeShopStats(customers, settings, now).gapThresholdDays).toBe(oracleShopQ(customers, settings));
      }),
      RUNS,
    );
  });

  it("the batch fast path gives exactly what classifyTimes gives", () => {
    fc.assert(
      fc.property(
        nowArb.chain((now) =>
          fc.record({
            now: fc.constant(now),
            customers: fc.array(fc.record({ times: timesArb(now), state: stateArb }), { maxLength: 30 }),
            settings: settingsArb,
          }),
        ),
        ({ now, customers, settings }) => {
          const offsets = [0];
          for (const c of customers) offsets.push(offsets[offsets.length - 1] + c.times.length);
          const flat = {
            offsets: Uint32Array.from(offsets),
            times: Float64Array.from(customers.flatMap((c) => c.times)),
            emailStates: Uint8Array.from(
              customers.map((c) => EMAIL_MARKETING_STATES.indexOf(c.state as EmailMarketingState)),
            ),
          };
          const stats = computeShopStatsFlat(flat, settings, now);
          expect(stats).toEqual(
            computeShopStats(
              customers.map((c) => c.times),
              settings,
              now,
            ),
          );
          const batch = classifyBatch(flat, stats, settings, now);
          customers.forEach((c, i) => {
            const one = classifyTimes(c.times, c.state, stats, settings, now);
            expect(STAGES[batch.stage[i]]).toBe(one.stage);
            expect(batch.winbackTier[i]).toBe(one.winbackTier ?? 0);
            expect(Number.isNaN(batch.nextTransitionAt[i]) ? null : batch.nextTransitionAt[i]).toBe(
              one.nextTransitionAt,
            );
            expect(batch.lapseThresholdDays[i]).toBe(one.lapseThresholdDays);
            expect(batch.usesShopThreshold[i] === 1).toBe(one.usesShopThreshold);
          });
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });
});
