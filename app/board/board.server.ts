/**
 * The stage board, assembled: customers and revenue per level, the campaigns running in each stage, each stage's
 * measured conversion with its interval and verdict, the weakest stage and how sure that call is, the two arrows and
 * the import's progress. The loader path reads only stored rows (app/models/board.server.ts): the conversions are
 * measured by the daily job and at the end of every import (storeShopConversions) and stored; only a small shop
 * without stored measures is measured on the request (storedConversions).
 */
import type { Db } from "../db.server";
import { DAY_MS, DEFAULT_LIFECYCLE_SETTINGS, readStoredSettings, type LifecycleSettings } from "../lifecycle";
import {
  CUSTOMER_LEVELS,
  STAGE_DEFINITIONS,
  type CustomerLevel,
  type IdeaKey,
  type StageNumber,
} from "../domain/stages";
import {
  assessStage,
  COHORT_DAYS,
  CONVERSION_WINDOW_DAYS,
  emptyMeasure,
  HISTORY_GUARD_DAYS,
  NOT_WEAK_VERDICTS,
  weakestStage,
  type ConversionMeasure,
  type StageAssessment,
  type UnmeasuredReason,
  type WeakestCall,
} from "./conversion";
import { countRatio, kaplanMeier, proportion } from "./survival";
import { manArrow, type ManArrow } from "./arrows";
import { activeCampaignsByStage, type CampaignView } from "../models/campaign.server";
import {
  MEASURED_STAGES,
  queryConversionFacts,
  readBoardShop,
  readLevelCounts,
  readStoredConversions,
  saveStoredConversions,
  type MeasuredStage,
  type StoredConversion,
} from "../models/board.server";
import { loadSyncStatus, type SyncStatus } from "./sync-status.server";
import { refreshOrderSummaries, type SummariesOptions } from "../sync/order-summaries.server";
import { readShopPrediction, type ShopPredictionView } from "../models/prediction.server";
import { predictionReason } from "./prediction-reason";
import { loadShopAnalytics, type ShopAnalyticsView } from "../analytics/shop-analytics.server";

export type CountedState = CustomerLevel | "lapsed" | "returned";
export const COUNTED_STATES: readonly CountedState[] = [...CUSTOMER_LEVELS, "lapsed", "returned"];

export interface LevelFigures {
  customers: number;
  /** Net spent of all its customers, integer minor units as a decimal string (BigInt does not survive JSON). */
  netSpentMinor: string;
  /** Average net spent per customer, minor units (the CLV arrow), null without customers. */
  averageMinor: number | null;
  /**
   * Average predicted value of the next 12 months per customer with a prediction (buyers), minor units, as of the
   * shop's last fit; null unless that fit is ok and the level has buyers with a prediction.
   */
  predictedAverageMinor: number | null;
}

/** The shop's last customer-value fit, as the board tells it (null before the first fit). */
export interface BoardPrediction {
  status: ShopPredictionView["status"];
  code: string | null;
  fittedAt: string;
  buyers: number;
  repeatBuyers: number;
  historyDays: number;
  /** Why there is no prediction, as a message and its values (null when ok). */
  reason: ReturnType<typeof predictionReason>;
}

export interface BoardStage {
  number: StageNumber;
  source: string;
  target: CustomerLevel;
  /**
   * Customers at the source level; the Visitors level is the visitors of the last complete month from Shopify's
   * analytics, else the monthly sessions the merchant entered, or null; the world has no number.
   */
  sourceCustomers: number | null;
  /** Stages 1–2: where the visitor numbers come from (Shopify's analytics or the sessions entered); else null. */
  visitorsFrom: "analytics" | "manual" | null;
  /** Customers at the goal level (Visitors: as sourceCustomers). */
  targetCustomers: number | null;
  /** Stage 4 also works on lapsed and returned customers. */
  lapsed: number | null;
  returned: number | null;
  conversion: ConversionMeasure;
  assessment: StageAssessment;
  campaigns: CampaignView[];
  empty: boolean;
  /** The weakest stage, and not known to be typical or better (the "Weakest stage" badge). */
  weakest: boolean;
  /** Weak, or the weakest stage unless it is strong: it gets ideas even when it has campaigns. */
  weak: boolean;
  /** Ideas to show: for an empty or weak stage, the stage's ideas; otherwise none. */
  ideas: IdeaKey[];
}

export type UnjudgedReason = UnmeasuredReason;

export interface BoardData {
  shop: string;
  now: string;
  currencyCode: string | null;
  monthlySessions: number | null;
  /** The shop's win-back tiers (days without an order), for the win-back idea. */
  winbackTierDays: readonly [number, number, number];
  totalCustomers: number;
  levels: Record<CountedState, LevelFigures>;
  /** The Man arrow: visitors (a month's), then the customers at each level, and where the shape is not a funnel. */
  manArrow: ManArrow;
  stages: BoardStage[];
  emptyStages: StageNumber[];
  /** The weakest stage, how sure the call is, and which stages could also be it; null when none was measured. */
  weakest: WeakestCall | null;
  /** Stages that could not be measured, with why (no visitor numbers, nobody entered the level yet...). */
  unjudged: Array<{ stage: StageNumber; reason: UnjudgedReason }>;
  /** Shopify's analytics as last read (ShopifyQL), or null when never read. */
  analytics: ShopAnalyticsView | null;
  /** The customer-value fit behind the CLV arrow's predicted values, null before the first fit. */
  prediction: BoardPrediction | null;
  /** When the conversions shown were measured (ISO), null while they are being measured. */
  conversionsMeasuredAt: string | null;
  /** Settings were saved at this instant and their reclassification has not finished yet (ISO), else null. */
  updatingSince: string | null;
  sync: SyncStatus;
}

/** Everything the board page shows, for one shop as of `now`. */
export async function loadBoard(
  db: Db,
  shop: string,
  now: Date,
  options: { conversions?: ConversionSource } = {},
): Promise<BoardData> {
  const conversions = options.conversions ?? storedConversions;
  const [counts, shopRow, campaigns, sync, analytics, prediction] = await Promise.all([
    readLevelCounts(db, shop),
    readBoardShop(db, shop),
    activeCampaignsByStage(db, shop, now),
    loadSyncStatus(db, shop),
    loadShopAnalytics(db, shop, now),
    readShopPrediction(db, shop),
  ]);
  const levels = levelFigures(counts, prediction);
  const totalCustomers = COUNTED_STATES.reduce((sum, s) => sum + levels[s].customers, 0);
  const monthlySessions = shopRow?.monthlySessions ?? null;
  const measured = await conversions(db, shop, now, { totalCustomers, importRunning: sync.current?.running ?? false });
  const measures = STAGE_DEFINITIONS.map((def) =>
    withVisitors(measured[def.number] ?? emptyMeasure(def.number), monthlySessions, analytics),
  );
  const weakest = weakestStage(measures);
  const visitors = stage1Visitors(analytics) ?? monthlySessions;
  const stages = STAGE_DEFINITIONS.map((def, i) =>
    boardStage(def, measures[i], { levels, campaigns, weakest, visitors, monthlySessions }),
  );
  return {
    shop,
    now: now.toISOString(),
    currencyCode: shopRow?.currencyCode ?? null,
    monthlySessions,
    winbackTierDays: parseSettings(shopRow?.settings ?? null).winbackTierDays,
    totalCustomers,
    levels,
    manArrow: manArrow(
      {
        count: visitors,
        from: stage1Visitors(analytics) != null ? "analytics" : monthlySessions != null ? "manual" : null,
      },
      CUSTOMER_LEVELS.filter((l) => l !== "visitor").map((level) => ({ level, customers: levels[level].customers })),
    ),
    stages,
    emptyStages: stages.filter((s) => s.empty).map((s) => s.number),
    weakest,
    unjudged: measures.flatMap((m) =>
      m.estimate == null ? [{ stage: m.stage, reason: m.unmeasured ?? "noCohort" }] : [],
    ),
    analytics,
    prediction: prediction && {
      status: prediction.status,
      code: prediction.code,
      fittedAt: prediction.fittedAt,
      buyers: prediction.buyers,
      repeatBuyers: prediction.repeatBuyers,
      historyDays: prediction.historyDays,
      reason: predictionReason(prediction),
    },
    conversionsMeasuredAt: measured.measuredAt ?? null,
    updatingSince: updatingSince(shopRow),
    sync,
  };
}

/** The settings save whose reclassification has not finished (its counts and conversions are not in yet). */
function updatingSince(
  row: { reclassifyRequestedAt: Date | null; settingsAppliedAt: Date | null } | null,
): string | null {
  const requested = row?.reclassifyRequestedAt;
  if (!requested) return null;
  return row.settingsAppliedAt && row.settingsAppliedAt >= requested ? null : requested.toISOString();
}

function boardStage(
  def: (typeof STAGE_DEFINITIONS)[number],
  measure: ConversionMeasure,
  context: {
    levels: Record<CountedState, LevelFigures>;
    campaigns: Map<StageNumber, CampaignView[]>;
    weakest: WeakestCall | null;
    visitors: number | null;
    monthlySessions: number | null;
  },
): BoardStage {
  const { levels, weakest } = context;
  const assessment = assessStage(measure);
  const stageCampaigns = context.campaigns.get(def.number) ?? [];
  const empty = stageCampaigns.length === 0;
  const isWeakest = weakest?.assessment.stage === def.number;
  // The weakest stage gets ideas too, unless even it is strong.
  const weak = assessment.verdict === "weak" || (isWeakest && assessment.verdict !== "strong");
  return {
    number: def.number,
    source: def.source,
    target: def.target,
    sourceCustomers:
      def.source === "world" ? null : def.source === "visitor" ? context.visitors : levels[def.source].customers,
    visitorsFrom:
      def.number > 2 ? null : measure.fromAnalytics ? "analytics" : context.monthlySessions != null ? "manual" : null,
    targetCustomers: def.target === "visitor" ? context.visitors : levels[def.target].customers,
    lapsed: def.alsoFrom.includes("lapsed") ? levels.lapsed.customers : null,
    returned: def.alsoFrom.includes("returned") ? levels.returned.customers : null,
    conversion: measure,
    assessment,
    campaigns: stageCampaigns,
    empty,
    weakest: isWeakest && !NOT_WEAK_VERDICTS.includes(assessment.verdict),
    weak,
    ideas: empty || weak ? [...def.ideas] : [],
  };
}

/**
 * Customers and net spent per level (StageCount) with the historical average per customer, and the predicted
 * average of the next 12 months from the shop's last fit (only when that fit is ok: the app shows no predicted
 * number it cannot stand behind).
 */
export function levelFigures(
  rows: ReadonlyArray<{ stage: string; customers: number; netSpentMinor: bigint }>,
  prediction: Pick<ShopPredictionView, "status" | "levels"> | null = null,
): Record<CountedState, LevelFigures> {
  const result = Object.fromEntries(
    COUNTED_STATES.map((s) => [
      s,
      { customers: 0, netSpentMinor: "0", averageMinor: null, predictedAverageMinor: null },
    ]),
  ) as Record<CountedState, LevelFigures>;
  for (const row of rows) {
    if (!(COUNTED_STATES as readonly string[]).includes(row.stage)) continue;
    result[row.stage as CountedState] = {
      customers: row.customers,
      netSpentMinor: row.netSpentMinor.toString(),
      averageMinor: row.customers > 0 ? Number(row.netSpentMinor) / row.customers : null,
      predictedAverageMinor: null,
    };
  }
  if (prediction?.status === "ok") {
    for (const state of COUNTED_STATES) {
      const level = prediction.levels[state];
      if (level && level.customers > 0) result[state].predictedAverageMinor = level.predictedMinor / level.customers;
    }
  }
  return result;
}

/** Stage 1's visitors from Shopify's analytics (the last complete month), or null when they are not known. */
function stage1Visitors(analytics: ShopAnalyticsView | null): number | null {
  return analytics?.hasVisitors ? analytics.summary.stage1.visitors : null;
}

const monthStart = (month: string, offset = 0) => {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1 + offset, 1)).toISOString();
};

/**
 * Stages 1 and 2 from Shopify's analytics when the app can read them (app/analytics/metrics.ts): Stage 1 is the
 * visitors trend (the last three complete months ÷ the three before), Stage 2 the new subscribers of the last
 * complete month ÷ its visitors. Without analytics they fall back to the monthly sessions the merchant entered:
 * Stage 1 shows them without a verdict, Stage 2 divides the last 30 days' new subscribers by them; without either
 * the stages cannot be measured ("sessionsUnknown").
 */
function withVisitors(
  measure: ConversionMeasure,
  monthlySessions: number | null,
  analytics: ShopAnalyticsView | null,
): ConversionMeasure {
  const summary = analytics?.hasVisitors ? analytics.summary : null;
  const month = summary?.month ?? null;
  if (measure.stage === 1 && summary && month) {
    const k = summary.stage1.trendMonths;
    const estimate = k > 0 ? countRatio(summary.stage1.recent ?? 0, summary.stage1.previous ?? 0, 30 * k) : null;
    if (!estimate) return { ...measure, estimate: null, unmeasured: "analyticsShort", fromAnalytics: true };
    return {
      ...measure,
      windowDays: 30 * k,
      estimate,
      cohortFrom: monthStart(month, 1 - 2 * k),
      cohortTo: monthStart(month, 1),
      unmeasured: null,
      fromAnalytics: true,
    };
  }
  if (measure.stage === 2 && summary && month && (summary.stage2.visitors ?? 0) > 0) {
    return {
      ...measure,
      windowDays: 30,
      estimate: proportion(summary.stage2.subscribers ?? 0, summary.stage2.visitors ?? 0, 30),
      cohortFrom: monthStart(month),
      cohortTo: monthStart(month, 1),
      unmeasured: null,
      fromAnalytics: true,
    };
  }
  if (measure.stage === 1)
    return { ...measure, estimate: null, unmeasured: monthlySessions == null ? "sessionsUnknown" : null };
  if (measure.stage !== 2 || measure.unmeasured === "measuring") return measure;
  if (monthlySessions == null || monthlySessions <= 0)
    return { ...measure, estimate: null, unmeasured: "sessionsUnknown" };
  return { ...measure, estimate: proportion(measure.newSubscribers ?? 0, monthlySessions, 30), unmeasured: null };
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion measures

export type MeasuredConversions = Partial<Record<StageNumber, ConversionMeasure>> & {
  /** When the measures were taken (ISO), null when they were not (being measured). */
  measuredAt?: string | null;
};
export interface ConversionHints {
  /** The shop's customers (StageCount): decides whether the board may measure on the request. */
  totalCustomers: number;
  /** An import is running: a measure taken now would be of half the data, so it is shown but not stored. */
  importRunning?: boolean;
}
export type ConversionSource = (
  db: Db,
  shop: string,
  now: Date,
  hints: ConversionHints,
) => Promise<MeasuredConversions>;

/** Customers who entered a measured stage's level within this many days count: one window and COHORT_DAYS more. */
export const LOOKBACK_DAYS: Readonly<Record<MeasuredStage, number>> = {
  3: CONVERSION_WINDOW_DAYS[3] + COHORT_DAYS,
  4: CONVERSION_WINDOW_DAYS[4] + COHORT_DAYS,
  5: CONVERSION_WINDOW_DAYS[5] + COHORT_DAYS,
};

/**
 * Measures stages 2–5 from the stored facts: stages 3–5 by Kaplan–Meier over the life tables of
 * queryConversionFacts (everyone who entered the level in LOOKBACK_DAYS, censored where not yet followed for the
 * window; stages 4–5 from HISTORY_GUARD_DAYS after the shop's first order), Stage 2's new subscribers of the last
 * 30 days (divided by the monthly sessions on the board). Seconds at a million customers: a large shop's measure is
 * taken by the daily job and the import (storeShopConversions) and the board reads the stored rows.
 */
export async function measureConversions(
  db: Db,
  shop: string,
  now: Date,
  settings: LifecycleSettings = DEFAULT_LIFECYCLE_SETTINGS,
  options: SummariesOptions = {},
): Promise<Record<StageNumber, ConversionMeasure>> {
  // The first and second orders and the instant each customer became regular (by these settings) are read from
  // the customers' order summaries.
  if (!options.summariesHold) await refreshOrderSummaries(db, shop, settings, now);
  const facts = await queryConversionFacts(db, shop, {
    now,
    windowDays: { 3: CONVERSION_WINDOW_DAYS[3], 4: CONVERSION_WINDOW_DAYS[4], 5: CONVERSION_WINDOW_DAYS[5] },
    lookbackDays: LOOKBACK_DAYS,
    historyGuardDays: HISTORY_GUARD_DAYS,
    newSubscriberDays: CONVERSION_WINDOW_DAYS[2],
  });
  const measured = (stage: MeasuredStage): ConversionMeasure => {
    const from = now.getTime() - LOOKBACK_DAYS[stage] * DAY_MS;
    const guarded = stage > 3 && facts.guardedFrom ? Math.max(from, facts.guardedFrom.getTime()) : from;
    const estimate = kaplanMeier(facts.lifeTables[stage], CONVERSION_WINDOW_DAYS[stage]);
    return {
      ...emptyMeasure(stage, estimate ? null : "noCohort"),
      estimate,
      // A shop whose records started less than the guard ago counts nobody yet: the range is empty, never reversed.
      cohortFrom: new Date(Math.min(guarded, now.getTime())).toISOString(),
      cohortTo: now.toISOString(),
    };
  };
  return {
    1: emptyMeasure(1, null),
    2: {
      ...emptyMeasure(2, null),
      newSubscribers: facts.newSubscribers,
      cohortFrom: new Date(now.getTime() - CONVERSION_WINDOW_DAYS[2] * DAY_MS).toISOString(),
      cohortTo: now.toISOString(),
    },
    3: measured(3),
    4: measured(4),
    5: measured(5),
  };
}

function parseSettings(json: string | null): LifecycleSettings {
  return readStoredSettings(json).settings;
}

/** The settings the measures depend on (Stage 5's regular rule): changing one clears the stored measures. */
export const MEASURE_SETTINGS = ["regularMinOrders", "regularWindowDays"] as const satisfies ReadonlyArray<
  keyof LifecycleSettings
>;

/** Measures with the shop's own settings (the regular rule). */
export async function measureShopConversions(
  db: Db,
  shop: string,
  now: Date,
  options: SummariesOptions = {},
): Promise<Record<StageNumber, ConversionMeasure>> {
  const row = await readBoardShop(db, shop);
  return measureConversions(db, shop, now, parseSettings(row?.settings ?? null), options);
}

// ---------------------------------------------------------------------------------------------------------------
// Stored measures (StageConversion)

/** The stages whose measure is stored: Stage 1 has none (its number is the merchant's sessions or analytics). */
export const STORED_STAGES: readonly StageNumber[] = [2, ...MEASURED_STAGES];
/**
 * Up to this many customers the board measures on the request when no stored measure exists (tens of milliseconds;
 * better-sqlite3 runs the query on the web process's thread); a larger shop shows "being measured" until the daily
 * job or the end of an import stores the measure.
 */
export const MEASURE_ON_REQUEST_MAX_CUSTOMERS = 50_000;
/**
 * A stored measure older than this is taken again on the request of a small shop (the daily job refreshes it every
 * day; this covers a shop whose daily run did not happen). A large shop keeps showing its older measure.
 */
export const STORED_MEASURE_MAX_AGE_MS = 36 * 60 * 60 * 1000;

function toStored(m: ConversionMeasure, measuredAt: Date): StoredConversion {
  const e = m.estimate;
  const date = (iso: string | null) => (iso == null ? null : new Date(iso));
  return {
    stage: m.stage,
    windowDays: m.windowDays,
    // Stage 2's base is the monthly sessions (or the analytics' visitors), joined when the board is read.
    base: m.stage === 2 ? null : (e?.customers ?? 0),
    converted: m.stage === 2 ? (m.newSubscribers ?? 0) : (e?.converted ?? 0),
    rate: e?.rate ?? null,
    rateLower: e?.lower ?? null,
    rateUpper: e?.upper ?? null,
    horizonDays: e?.horizonDays ?? null,
    atRiskAtHorizon: e?.atRiskAtHorizon ?? null,
    cohortFrom: date(m.cohortFrom),
    cohortTo: date(m.cohortTo),
    measuredAt,
  };
}

function fromStored(row: StoredConversion): ConversionMeasure {
  const stage = row.stage as StageNumber;
  const base = {
    ...emptyMeasure(stage, null),
    windowDays: row.windowDays,
    cohortFrom: row.cohortFrom?.toISOString() ?? null,
    cohortTo: row.cohortTo?.toISOString() ?? null,
  };
  // Stage 2 is completed with the monthly sessions by the board (withVisitors).
  if (stage === 2) return { ...base, newSubscribers: row.converted };
  if (row.rate == null || row.rateLower == null || row.rateUpper == null || row.horizonDays == null)
    return { ...base, unmeasured: "noCohort" };
  return {
    ...base,
    estimate: {
      rate: row.rate,
      lower: row.rateLower,
      upper: row.rateUpper,
      customers: row.base ?? 0,
      converted: row.converted,
      horizonDays: row.horizonDays,
      atRiskAtHorizon: row.atRiskAtHorizon ?? 0,
    },
  };
}

/**
 * Measures the shop's conversions (measureShopConversions, with its own settings) and stores them as its
 * StageConversion rows, stages 2–5, which the board then reads. Called by the daily job and at the end of an
 * import; the board calls it itself for a small shop without stored rows.
 */
export async function storeShopConversions(
  db: Db,
  shop: string,
  now: Date,
  options: SummariesOptions = {},
): Promise<void> {
  const measures = await measureShopConversions(db, shop, now, options);
  await saveStoredConversions(
    db,
    shop,
    STORED_STAGES.map((stage) => toStored(measures[stage], now)),
  );
}

/** The shop's stored measures, or null when none are stored. */
export async function readShopConversions(db: Db, shop: string): Promise<MeasuredConversions | null> {
  const rows = await readStoredConversions(db, shop);
  if (rows.length === 0) return null;
  const result: MeasuredConversions = { measuredAt: null };
  let oldest: Date | null = null;
  for (const stage of STORED_STAGES) {
    const row = rows.find((r) => r.stage === stage);
    if (!row) {
      result[stage] = emptyMeasure(stage, "measuring");
      continue;
    }
    if (!oldest || row.measuredAt < oldest) oldest = row.measuredAt;
    result[stage] = fromStored(row);
  }
  result.measuredAt = oldest?.toISOString() ?? null;
  return result;
}

const beingMeasured = (): MeasuredConversions => ({
  ...(Object.fromEntries(STORED_STAGES.map((s) => [s, emptyMeasure(s, "measuring")])) as MeasuredConversions),
  measuredAt: null,
});

/**
 * The board's default source: the stored StageConversion rows. Without rows (never measured, or cleared by a
 * settings change or a re-import) — or with rows older than STORED_MEASURE_MAX_AGE_MS — a shop up to
 * MEASURE_ON_REQUEST_MAX_CUSTOMERS is measured on the request and the measure stored (not while an import runs:
 * then it is shown only); a larger shop shows its older rows, or "being measured".
 */
export const storedConversions: ConversionSource = async (db, shop, now, hints) => {
  const stored = await readShopConversions(db, shop);
  const small = hints.totalCustomers <= MEASURE_ON_REQUEST_MAX_CUSTOMERS;
  const fresh =
    stored?.measuredAt != null && now.getTime() - new Date(stored.measuredAt).getTime() <= STORED_MEASURE_MAX_AGE_MS;
  if (stored && (fresh || !small)) return stored;
  if (!small) return beingMeasured();
  const measures = await measureShopConversions(db, shop, now);
  if (!hints.importRunning)
    await saveStoredConversions(
      db,
      shop,
      STORED_STAGES.map((stage) => toStored(measures[stage], now)),
    );
  return { ...measures, measuredAt: now.toISOString() };
};
