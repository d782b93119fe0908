/**
 * Runs in a worker thread started by no-hang.test.ts: property runs of the model over the whole valid range of the
 * settings and far beyond it. Before each case it posts the case's label, so the test (on the main thread) can stop
 * a worker that stopped making progress and name the case that hung, instead of hanging itself: a synchronous
 * endless loop cannot be interrupted from inside the thread it runs on.
 */
import fc from "fast-check";
import { parentPort, workerData } from "node:worker_threads";
import {
  EMAIL_MARKETING_STATES,
  SETTING_RANGES,
  checkLifecycleSettings,
  classifyTimes,
  computeShopStats,
  type Classification,
  type EmailMarketingState,
  type LifecycleSettings,
  type SettingRange,
  type ShopStats,
} from "../../app/lifecycle/index";
import { MAX_INSTANT_MS } from "../../app/lifecycle/rules";
import { explain } from "../../app/i18n/explain";
import { oracleClassify } from "./oracle";

export type Suite = "named" | "valid" | "beyond" | "garbage";
export type WorkerMessage =
  { type: "case"; label: string } | { type: "done"; cases: number } | { type: "failed"; message: string };

const DAY = 86_400_000;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

type NumberKey = Exclude<keyof typeof SETTING_RANGES, "winbackTierDays">;
const NUMBER_KEYS = Object.keys(SETTING_RANGES).filter((k) => k !== "winbackTierDays") as NumberKey[];
const PAIRS = [
  ["shopThresholdMinDays", "shopThresholdMaxDays"],
  ["customerThresholdMinDays", "customerThresholdMaxDays"],
] as const;

interface Scenario {
  times: number[];
  state: EmailMarketingState;
  stats: ShopStats;
  settings: LifecycleSettings;
  now: number;
}

const observable = (c: Classification) => ({ stage: c.stage, tier: c.winbackTier, ordersInWindow: c.ordersInWindow });
const describeScenario = (s: Scenario) =>
  JSON.stringify(s, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));

/** The model's answer and the oracle's agree (stage and tier). */
function agreesWithOracle(s: Scenario, at: number, c: Classification): void {
  const expected = oracleClassify(s.times, s.state === "SUBSCRIBED", s.stats.gapThresholdDays, s.settings, at);
  if (c.stage !== expected.stage || c.winbackTier !== expected.tier) {
    throw new Error(`model ${c.stage}/${c.winbackTier} vs oracle ${expected.stage}/${expected.tier} at ${at}`);
  }
}

/**
 * One case: classify, explain in every language and compute the shop statistics (they must all return); with
 * `oracle`, the stage and tier agree with the plain oracle now, at the next transition and a millisecond before it;
 * with `semantic`, the result changes exactly at the next transition (and a "none" holds ever after).
 */
function checkScenario(s: Scenario, options: { oracle: boolean; semantic: boolean }): void {
  const c = classifyTimes(s.times, s.state, s.stats, s.settings, s.now);
  for (const locale of ["en", "ja", "nl"] as const)
    if (typeof explain(c.explanation, locale) !== "string") throw new Error("explain");
  computeShopStats([s.times], s.settings, s.now);
  const at = c.nextTransitionAt;
  if (at !== null && !(Number.isInteger(at) && at > s.now && at <= MAX_INSTANT_MS))
    throw new Error(`next transition ${at} is not an instant after ${s.now}`);
  if (options.oracle) agreesWithOracle(s, s.now, c);
  if (at === null) {
    if (options.semantic) {
      const later = Math.min(MAX_INSTANT_MS, s.now + 20_000 * DAY);
      const afterwards = classifyTimes(s.times, s.state, s.stats, s.settings, later);
      if (JSON.stringify(observable(afterwards)) !== JSON.stringify(observable(c)))
        throw new Error(`no transition promised, but it changed by ${later}`);
    }
    return;
  }
  const atResult = classifyTimes(s.times, s.state, s.stats, s.settings, at);
  const before = classifyTimes(s.times, s.state, s.stats, s.settings, at - 1);
  if (options.oracle) {
    agreesWithOracle(s, at, atResult);
    agreesWithOracle(s, at - 1, before);
  }
  if (options.semantic) {
    if (JSON.stringify(observable(atResult)) === JSON.stringify(observable(c)))
      throw new Error(`nothing changed at the promised transition ${at}`);
    if (JSON.stringify(observable(before)) !== JSON.stringify(observable(c)))
      throw new Error(`changed before the promised transition ${at}`);
  }
}

// ---------- arbitraries ----------

function inRangeArb(range: SettingRange): fc.Arbitrary<number> {
  const inside = range.integer
    ? fc.integer({ min: range.min, max: range.max })
    : fc.double({ min: range.min, max: range.max, noNaN: true });
  const ends = fc.constantFrom(range.min, range.max);
  // Whole days are what merchants type; the percentile has none in its range.
  const whole =
    Math.ceil(range.min) <= Math.floor(range.max)
      ? fc.integer({ min: Math.ceil(range.min), max: Math.floor(range.max) })
      : ends;
  return fc.oneof({ weight: 3, arbitrary: inside }, { weight: 2, arbitrary: whole }, { weight: 1, arbitrary: ends });
}

/** Far outside every range, but still numbers a comparison can order (no NaN). */
const EXTREMES = [
  0,
  -1,
  -1e15,
  1e-300,
  1e-9,
  0.5,
  2e8,
  1e9,
  1e15,
  MAX_INSTANT_MS / DAY,
  1e308,
  Number.MAX_VALUE,
  Infinity,
  -Infinity,
];
const beyondArb = (range: SettingRange) => fc.oneof(inRangeArb(range), fc.constantFrom(...EXTREMES));
const garbageArb = (range: SettingRange) => fc.oneof(beyondArb(range), fc.constant(Number.NaN));

/** Settings from per-field number arbitraries; `ordered` sorts min/max pairs and makes the tiers strictly increase. */
function settingsArb(
  numberArb: (range: SettingRange) => fc.Arbitrary<number>,
  ordered: boolean,
): fc.Arbitrary<LifecycleSettings> {
  const fields = Object.fromEntries(NUMBER_KEYS.map((k) => [k, numberArb(SETTING_RANGES[k])])) as Record<
    NumberKey,
    fc.Arbitrary<number>
  >;
  const tierArb = numberArb(SETTING_RANGES.winbackTierDays);
  const tiers = ordered
    ? fc
        .uniqueArray(tierArb, { minLength: 3, maxLength: 3, comparator: "SameValueZero" })
        .map((t) => [...t].sort((a, b) => a - b))
    : fc.tuple(tierArb, tierArb, tierArb);
  return fc
    .record({ ...fields, lapseMode: fc.constantFrom("cadence" as const, "fixed" as const), tiers })
    .map(({ tiers: t, ...rest }) => {
      const settings = {
        ...rest,
        winbackTierDays: [t[0], t[1], t[2]] as const,
        tagPrefix: "lifecycle:",
      } as LifecycleSettings;
      if (ordered) {
        for (const [low, high] of PAIRS) {
          const [a, b] = [settings[low], settings[high]].sort((x, y) => x - y);
          Object.assign(settings, { [low]: a, [high]: b });
        }
      }
      return settings;
    });
}

/** Order offsets before now, with the settings' own day counts (± 1 ms) among them so boundaries get hit. */
function scenarioArb(
  settings: fc.Arbitrary<LifecycleSettings>,
  nowArb: fc.Arbitrary<number>,
  qArb: fc.Arbitrary<number>,
  maxOffsetDays: number,
): fc.Arbitrary<Scenario> {
  return fc.tuple(settings, nowArb).chain(([s, now]) => {
    const boundaries = [
      s.fixedLapseDays,
      s.returnedWindowDays,
      s.regularWindowDays,
      ...s.winbackTierDays,
      s.customerThresholdMinDays,
      s.customerThresholdMaxDays,
    ]
      .filter((d) => Number.isFinite(d) && d >= 0 && d <= maxOffsetDays)
      .flatMap((d) => [Math.round(d * DAY) - 1, Math.round(d * DAY), Math.round(d * DAY) + 1])
      .filter((o) => o >= 0);
    const offset = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: Math.round(maxOffsetDays * DAY) }) },
      { weight: 1, arbitrary: boundaries.length > 0 ? fc.constantFrom(...boundaries) : fc.constant(0) },
    );
    return fc.record({
      times: fc
        .array(offset, { maxLength: 10 })
        .map((offsets) => offsets.map((o) => Math.max(-MAX_INSTANT_MS, now - o)).sort((a, b) => a - b)),
      state: fc.constantFrom(...EMAIL_MARKETING_STATES),
      stats: qArb.map((q) => ({ gapThresholdDays: q, gapCount: 100, usedSmallShopFallback: false })),
      settings: fc.constant(s),
      now: fc.constant(now),
    });
  });
}

const ordinaryNow = fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2030, 0, 1) });
const extremeNow = fc.oneof(
  ordinaryNow,
  fc.constantFrom(0, 1, -8e15, MAX_INSTANT_MS - DAY, MAX_INSTANT_MS - 1, MAX_INSTANT_MS),
);

// ---------- suites ----------

/** The extreme values (9 of 11 used to hang), each alone on otherwise default settings. */
const NAMED: Array<[string, Partial<LifecycleSettings>]> = [
  ["fixed lapse 1e15 days", { lapseMode: "fixed", fixedLapseDays: 1e15 }],
  ["third win-back after 200000000 days", { winbackTierDays: [90, 180, 200_000_000] }],
  ["win-back tiers 1e9, 2e9, 3e9", { winbackTierDays: [1e9, 2e9, 3e9] }],
  ["regular window 1e15 days", { regularWindowDays: 1e15 }],
  ["returned window 1e12 days", { returnedWindowDays: 1e12 }],
  ["customer threshold 1e15–1e16 days", { customerThresholdMinDays: 1e15, customerThresholdMaxDays: 1e16 }],
  ["multiplier 1e15", { customerGapMultiplier: 1e15, customerThresholdMaxDays: Infinity }],
  ["shop fallback 1e15 days", { smallShopFallbackDays: 1e15 }],
  ["fixed lapse Number.MAX_VALUE", { lapseMode: "fixed", fixedLapseDays: Number.MAX_VALUE }],
  ["fixed lapse Infinity", { lapseMode: "fixed", fixedLapseDays: Infinity }],
  ["fixed lapse 1e-300 days", { lapseMode: "fixed", fixedLapseDays: 1e-300 }],
  ["regular orders 1e15", { regularMinOrders: 1e15 }],
  ["every day count 0", { fixedLapseDays: 0, returnedWindowDays: 0, regularWindowDays: 0, winbackTierDays: [0, 0, 0] }],
];

function runNamed(): number {
  const now = Date.UTC(2026, 10, 23);
  const customers = [
    [],
    [now - 400 * DAY],
    [now - 500 * DAY, now - 40 * DAY, now - 10 * DAY],
    [now - 3 * DAY, now - 2 * DAY, now - DAY, now],
  ];
  let cases = 0;
  for (const [label, overrides] of NAMED) {
    for (const mode of ["cadence", "fixed"] as const) {
      const settings = { ...checkSettingsOk({}), lapseMode: mode, ...overrides } as LifecycleSettings;
      for (const q of [90, 1e15]) {
        for (const times of customers) {
          post({ type: "case", label: `${label} (${settings.lapseMode}, Q ${q}, ${times.length} orders)` });
          checkScenario(
            {
              times,
              state: "NOT_SUBSCRIBED",
              stats: { gapThresholdDays: q, gapCount: 100, usedSmallShopFallback: false },
              settings,
              now,
            },
            { oracle: true, semantic: true },
          );
          cases++;
        }
      }
    }
  }
  return cases;
}

function checkSettingsOk(input: unknown): LifecycleSettings {
  const result = checkLifecycleSettings(input);
  if (!result.ok) throw new Error(`generated settings outside the valid range: ${JSON.stringify(result.problems)}`);
  return result.settings;
}

function runProperty(
  arb: fc.Arbitrary<Scenario>,
  options: { oracle: boolean; semantic: boolean; validOnly: boolean },
  runs: number,
  seed: number,
): number {
  let cases = 0;
  fc.assert(
    fc.property(arb, (s) => {
      post({ type: "case", label: describeScenario(s) });
      if (options.validOnly) checkSettingsOk(s.settings);
      checkScenario(s, options);
      cases++;
    }),
    { numRuns: runs, seed },
  );
  return cases;
}

function run(suite: Suite, runs: number, seed: number): number {
  const validQ = fc.double({ min: 1, max: 3650, noNaN: true });
  const extremeQ = fc.oneof(validQ, fc.constantFrom(0, -1, 1e-300, 1e15, 1e308, Infinity));
  switch (suite) {
    case "named":
      return runNamed();
    case "valid":
      return runProperty(
        scenarioArb(settingsArb(inRangeArb, true), ordinaryNow, validQ, 4000),
        { oracle: true, semantic: true, validOnly: true },
        runs,
        seed,
      );
    case "beyond":
      return runProperty(
        scenarioArb(settingsArb(beyondArb, true), extremeNow, extremeQ, 40_000),
        { oracle: true, semantic: true, validOnly: false },
        runs,
        seed,
      );
    case "garbage":
      // Inverted pairs, tiers in any order, NaN: no answer is "right", but every call must return.
      return runProperty(
        scenarioArb(settingsArb(garbageArb, false), extremeNow, fc.oneof(extremeQ, fc.constant(Number.NaN)), 40_000),
        { oracle: false, semantic: false, validOnly: false },
        runs,
        seed,
      );
  }
}

if (parentPort) {
  const { suite, runs, seed } = workerData as { suite: Suite; runs: number; seed: number };
  try {
    post({ type: "done", cases: run(suite, runs, seed) });
  } catch (error) {
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}
