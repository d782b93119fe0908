/**
 * The stage board's data: customers and revenue per level (StageCount, precomputed by the sync layer), the active
 * campaigns per stage, each stage's measured conversion and the weakest stage, and the import's progress.
 * The loader path reads only precomputed rows and indexed ranges, the conversions included: they are measured over
 * the Order table by the daily job and the import and stored as StageConversion rows (storeShopConversions); only a
 * small shop without stored rows is measured on the request (storedConversions).
 */
import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { DAY_MS, DEFAULT_LIFECYCLE_SETTINGS, readStoredSettings, type LifecycleSettings } from "../lifecycle";
import { CUSTOMER_LEVELS, STAGE_DEFINITIONS, type CustomerLevel, type IdeaKey, type StageNumber } from "../board/stages";
import {
  assessStage,
  COHORT_DAYS,
  CONVERSION_WINDOW_DAYS,
  emptyMeasure,
  weakestStage,
  type ConversionMeasure,
  type StageAssessment,
} from "../board/conversion";
import { activeCampaignsByStage, type CampaignView } from "./campaign.server";
import { syncErrorKey, syncProgress, type SyncErrorKey } from "../board/sync-status";
import { greatest, julianDay, sqlDialect } from "../board/sql-dialect.server";
import { predictionReason, readShopPrediction, type ShopPredictionView } from "./prediction.server";
import { loadShopAnalytics, type ShopAnalyticsView } from "./analytics.server";

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
   * Customers at the source level (Stage 1: the visitors of the last complete month from Shopify's analytics, else
   * the monthly sessions the merchant entered, or null).
   */
  sourceCustomers: number | null;
  /** Stages 1–2: where the visitor numbers come from (Shopify's analytics or the sessions entered); else null. */
  visitorsFrom: "analytics" | "manual" | null;
  targetCustomers: number;
  /** Stage 4 also works on lapsed and returned customers. */
  lapsed: number | null;
  returned: number | null;
  conversion: ConversionMeasure;
  assessment: StageAssessment;
  campaigns: CampaignView[];
  empty: boolean;
  weak: boolean;
  /** Ideas to show: for an empty or weak stage, the stage's ideas; otherwise none. */
  ideas: IdeaKey[];
}

export interface BoardData {
  shop: string;
  now: string;
  currencyCode: string | null;
  monthlySessions: number | null;
  /** The shop's win-back tiers (days without an order), for the win-back idea. */
  winbackTierDays: readonly [number, number, number];
  totalCustomers: number;
  levels: Record<CountedState, LevelFigures>;
  stages: BoardStage[];
  emptyStages: StageNumber[];
  weakest: StageAssessment | null;
  /** Stages the weakest-stage call could not judge, with why (not measured, cohort too small...). */
  unjudged: Array<{ stage: StageNumber; reason: UnjudgedReason }>;
  /** Shopify's analytics as last read (ShopifyQL), or null when never read. */
  analytics: ShopAnalyticsView | null;
  /** The customer-value fit behind the CLV arrow's predicted values, null before the first fit. */
  prediction: BoardPrediction | null;
  /** When the conversions shown were measured (ISO), null while they are being measured. */
  conversionsMeasuredAt: string | null;
  sync: SyncStatus;
}

/** Everything the board page shows, for one shop as of `now`. */
export async function loadBoard(db: Db, shop: string, now: Date, options: { conversions?: ConversionSource } = {}): Promise<BoardData> {
  const conversions = options.conversions ?? storedConversions;
  const [counts, shopRow, campaigns, sync, analytics] = await Promise.all([
    db.stageCount.findMany({ where: { shop } }),
    db.shop.findUnique({ where: { domain: shop }, select: { currencyCode: true, monthlySessions: true, settings: true } }),
    activeCampaignsByStage(db, shop, now),
    loadSyncStatus(db, shop),
    loadShopAnalytics(db, shop, now),
  ]);
  const prediction = await readShopPrediction(db, shop);
  const levels = levelFigures(counts, prediction);
  const totalCustomers = COUNTED_STATES.reduce((sum, s) => sum + levels[s].customers, 0);
  const monthlySessions = shopRow?.monthlySessions ?? null;
  const measured = await conversions(db, shop, now, { totalCustomers, importRunning: sync.current?.running ?? false });
  const measures = STAGE_DEFINITIONS.map((def) => withVisitors(measured[def.number] ?? emptyMeasure(def.number), monthlySessions, analytics));
  const weakest = weakestStage(measures);
  const unjudged = measures.flatMap((m) => {
    const a = assessStage(m);
    return a.score != null ? [] : [{ stage: m.stage, reason: (a.verdict === "tooFew" ? "tooFew" : (m.unmeasured ?? "noCohort")) as UnjudgedReason }];
  });
  const analyticsVisitors = stage1Visitors(analytics);

  const stages: BoardStage[] = STAGE_DEFINITIONS.map((def, i) => {
    const assessment = assessStage(measures[i]);
    const stageCampaigns = campaigns.get(def.number) ?? [];
    const empty = stageCampaigns.length === 0;
    // The weakest stage gets ideas too, unless even it is strong.
    const weak = assessment.verdict === "weak" || (weakest?.stage === def.number && weakest.verdict !== "strong");
    return {
      number: def.number,
      source: def.source,
      target: def.target,
      sourceCustomers: def.source === "world" ? (analyticsVisitors ?? monthlySessions) : levels[def.source].customers,
      visitorsFrom: def.number > 2 ? null : measures[i].fromAnalytics ? "analytics" : monthlySessions != null ? "manual" : null,
      targetCustomers: levels[def.target].customers,
      lapsed: def.alsoFrom.includes("lapsed") ? levels.lapsed.customers : null,
      returned: def.alsoFrom.includes("returned") ? levels.returned.customers : null,
      conversion: measures[i],
      assessment,
      campaigns: stageCampaigns,
      empty,
      weak,
      ideas: empty || weak ? [...def.ideas] : [],
    };
  });

  return {
    shop,
    now: now.toISOString(),
    currencyCode: shopRow?.currencyCode ?? null,
    monthlySessions,
    winbackTierDays: parseSettings(shopRow?.settings ?? null).winbackTierDays,
    totalCustomers,
    levels,
    stages,
    emptyStages: stages.filter((s) => s.empty).map((s) => s.number),
    weakest,
    unjudged,
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
    sync,
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
    COUNTED_STATES.map((s) => [s, { customers: 0, netSpentMinor: "0", averageMinor: null, predictedAverageMinor: null }]),
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

export type UnjudgedReason = NonNullable<ConversionMeasure["unmeasured"]> | "tooFew";

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
function withVisitors(measure: ConversionMeasure, monthlySessions: number | null, analytics: ShopAnalyticsView | null): ConversionMeasure {
  const summary = analytics?.hasVisitors ? analytics.summary : null;
  const month = summary?.month ?? null;
  if (measure.stage === 1 && summary && month) {
    const k = summary.stage1.trendMonths;
    if (summary.stage1.trend == null || k === 0) return { ...measure, base: null, converted: null, unmeasured: "analyticsShort", fromAnalytics: true };
    return {
      ...measure,
      windowDays: 30 * k,
      base: summary.stage1.previous,
      converted: summary.stage1.recent,
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
      base: summary.stage2.visitors,
      converted: summary.stage2.subscribers ?? 0,
      cohortFrom: monthStart(month),
      cohortTo: monthStart(month, 1),
      unmeasured: null,
      fromAnalytics: true,
    };
  }
  if (measure.stage === 1) return { ...measure, base: monthlySessions, converted: null, unmeasured: monthlySessions == null ? "sessionsUnknown" : null };
  if (measure.stage !== 2) return measure;
  if (monthlySessions == null || monthlySessions <= 0) return { ...measure, base: null, unmeasured: "sessionsUnknown" };
  if (measure.unmeasured === "measuring") return measure;
  return { ...measure, base: monthlySessions, unmeasured: null };
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
export type ConversionSource = (db: Db, shop: string, now: Date, hints: ConversionHints) => Promise<MeasuredConversions>;

const JULIAN_UNIX_EPOCH = 2440587.5;
/**
 * Stages 4 and 5 leave out customers whose first (second) order falls in the first HISTORY_GUARD_DAYS of the shop's
 * records: they may have bought before the records start (a migrated shop, an imported history), and counting such
 * a returning customer as a first-time buyer would overstate the stage.
 */
export const HISTORY_GUARD_DAYS = 30;
const toJulian = (ms: number) => ms / DAY_MS + JULIAN_UNIX_EPOCH;
const fromJulian = (jd: number) => new Date(Math.round((jd - JULIAN_UNIX_EPOCH) * DAY_MS)).toISOString();

type SqlNumber = bigint | number | string | null;
interface MeasureRow {
  firstOrder: SqlNumber;
  new2: SqlNumber;
  cohort3: SqlNumber;
  conv3: SqlNumber;
  cohort4: SqlNumber;
  conv4: SqlNumber;
  cohort5: SqlNumber;
  conv5: SqlNumber;
}

/**
 * Measures stages 2–5 from the stored facts in one query, on SQLite and PostgreSQL alike (day arithmetic through
 * app/board/sql-dialect.server.ts): per customer the first and second qualifying order and the first instant they
 * had `regularMinOrders` orders within `regularWindowDays` (the model's regular rule), then the cohort shares
 * documented in app/board/conversion.ts (see HISTORY_GUARD_DAYS). Qualifying orders as in the model: not test,
 * cancelled, voided or fully refunded, with something left after refunds. It reads every order of the shop (through
 * the (shop, customerGid, createdAt) index): seconds at a million customers, so a large shop's measure is taken by
 * the daily job and the import (storeShopConversions) and the board reads the stored rows.
 */
export async function measureConversions(db: Db, shop: string, now: Date, settings: LifecycleSettings = DEFAULT_LIFECYCLE_SETTINGS): Promise<Record<StageNumber, ConversionMeasure>> {
  const dialect = sqlDialect(db);
  const day = (column: string) => julianDay(dialect, Prisma.raw(column));
  const max2 = (a: Prisma.Sql, b: Prisma.Sql) => greatest(dialect, a, b);
  // Validated whole numbers, written into the query (LAG's offset must be a constant).
  const k = Math.max(1, Math.floor(settings.regularMinOrders));
  const kSql = Prisma.raw(String(k));
  const nowJ = toJulian(now.getTime());
  const w2 = CONVERSION_WINDOW_DAYS[2];
  const w3 = CONVERSION_WINDOW_DAYS[3];
  const w4 = CONVERSION_WINDOW_DAYS[4];
  const w5 = CONVERSION_WINDOW_DAYS[5];
  const from4 = Prisma.sql`${nowJ - w4 - COHORT_DAYS}`;
  const from5 = Prisma.sql`${nowJ - w5 - COHORT_DAYS}`;
  const [row] = await db.$queryRaw<MeasureRow[]>`
    WITH q AS (
      SELECT "customerGid" AS g, ${day('"createdAt"')} AS t,
        ROW_NUMBER() OVER w AS n,
        LAG(${day('"createdAt"')}, ${Prisma.raw(String(k - 1))}) OVER w AS tk
      FROM "Order"
      WHERE "shop" = ${shop} AND "customerGid" IS NOT NULL AND "deletedAt" IS NULL
        AND "test" = false AND "cancelled" = false AND "voided" = false AND "fullyRefunded" = false
        AND "totalMinor" > "refundedMinor"
        AND ${day('"createdAt"')} <= ${nowJ}
      WINDOW w AS (PARTITION BY "customerGid" ORDER BY "createdAt", "id")
    ),
    c AS (
      SELECT g,
        MIN(CASE WHEN n = 1 THEN t END) AS t1,
        MIN(CASE WHEN n = 2 THEN t END) AS t2,
        MIN(CASE WHEN n >= ${kSql} AND (${kSql} = 1 OR t - tk < ${settings.regularWindowDays}) THEN t END) AS tr
      FROM q GROUP BY g
    ),
    s AS (
      SELECT ${day('cu."consentUpdatedAt"')} AS ts, c.t1 AS t1
      FROM "Customer" cu LEFT JOIN c ON c.g = cu."gid"
      WHERE cu."shop" = ${shop} AND cu."deletedAt" IS NULL AND cu."emailMarketingState" = 'SUBSCRIBED'
        AND cu."consentUpdatedAt" IS NOT NULL
    ),
    e AS (SELECT ts, t1 FROM s WHERE t1 IS NULL OR t1 > ts),
    b AS (SELECT MIN(t1) + ${HISTORY_GUARD_DAYS} AS "start" FROM c)
    SELECT
      (SELECT MIN(t1) FROM c) AS "firstOrder",
      (SELECT COUNT(*) FROM e WHERE ts > ${nowJ - w2} AND ts <= ${nowJ}) AS "new2",
      (SELECT COUNT(*) FROM e WHERE ts >= ${nowJ - w3 - COHORT_DAYS} AND ts < ${nowJ - w3}) AS "cohort3",
      (SELECT COUNT(*) FROM e WHERE ts >= ${nowJ - w3 - COHORT_DAYS} AND ts < ${nowJ - w3} AND t1 IS NOT NULL AND t1 - ts <= ${w3}) AS "conv3",
      (SELECT COUNT(*) FROM c, b WHERE t1 >= ${max2(from4, Prisma.sql`b."start"`)} AND t1 < ${nowJ - w4}) AS "cohort4",
      (SELECT COUNT(*) FROM c, b WHERE t1 >= ${max2(from4, Prisma.sql`b."start"`)} AND t1 < ${nowJ - w4} AND t2 IS NOT NULL AND t2 - t1 <= ${w4}) AS "conv4",
      (SELECT COUNT(*) FROM c, b WHERE t2 >= ${max2(from5, Prisma.sql`b."start"`)} AND t2 < ${nowJ - w5}) AS "cohort5",
      (SELECT COUNT(*) FROM c, b WHERE t2 >= ${max2(from5, Prisma.sql`b."start"`)} AND t2 < ${nowJ - w5} AND tr IS NOT NULL AND tr - t2 <= ${w5}) AS "conv5"
  `;
  const num = (v: SqlNumber | undefined) => (v == null ? 0 : Number(v));
  const first = row?.firstOrder == null ? null : Number(row.firstOrder);
  const cohort = (stage: StageNumber, base: number, converted: number, floorAtFirstOrder: boolean): ConversionMeasure => {
    const window = CONVERSION_WINDOW_DAYS[stage];
    const fromJ = nowJ - window - COHORT_DAYS;
    const from = floorAtFirstOrder && first != null ? Math.max(fromJ, first + HISTORY_GUARD_DAYS) : fromJ;
    return {
      stage,
      windowDays: window,
      base,
      converted,
      cohortFrom: fromJulian(from),
      cohortTo: fromJulian(nowJ - window),
      unmeasured: base > 0 ? null : "noCohort",
    };
  };
  return {
    1: emptyMeasure(1, null),
    2: { ...emptyMeasure(2, null), converted: num(row?.new2), cohortFrom: fromJulian(nowJ - w2), cohortTo: now.toISOString() },
    3: cohort(3, num(row?.cohort3), num(row?.conv3), false),
    4: cohort(4, num(row?.cohort4), num(row?.conv4), true),
    5: cohort(5, num(row?.cohort5), num(row?.conv5), true),
  };
}

function parseSettings(json: string | null): LifecycleSettings {
  return readStoredSettings(json).settings;
}

async function shopSettings(db: Db, shop: string): Promise<LifecycleSettings> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  return parseSettings(row?.settings ?? null);
}

/** The settings the measures depend on (Stage 5's regular rule): changing one clears the stored measures. */
export const MEASURE_SETTINGS = ["regularMinOrders", "regularWindowDays"] as const satisfies ReadonlyArray<keyof LifecycleSettings>;

/** Measures with the shop's own settings (the regular rule). */
export async function measureShopConversions(db: Db, shop: string, now: Date): Promise<Record<StageNumber, ConversionMeasure>> {
  return measureConversions(db, shop, now, await shopSettings(db, shop));
}

// ---------------------------------------------------------------------------------------------------------------
// Stored measures (StageConversion)

/** The stages whose measure is stored: Stage 1 has none (its number is the merchant's sessions). */
export const STORED_STAGES: readonly StageNumber[] = [2, 3, 4, 5];
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

async function saveConversions(db: Db, shop: string, measures: Record<StageNumber, ConversionMeasure>, measuredAt: Date): Promise<void> {
  const date = (iso: string | null) => (iso == null ? null : new Date(iso));
  await db.$transaction(
    STORED_STAGES.map((stage) => {
      const m = measures[stage];
      const data = {
        windowDays: m.windowDays,
        // Stage 2's base is the merchant's monthly sessions, joined when the board is read.
        base: stage === 2 ? null : m.base,
        converted: m.converted ?? 0,
        cohortFrom: date(m.cohortFrom),
        cohortTo: date(m.cohortTo),
        measuredAt,
      };
      return db.stageConversion.upsert({ where: { shop_stage: { shop, stage } }, create: { shop, stage, ...data }, update: data });
    }),
  );
}

/**
 * Measures the shop's conversions (measureShopConversions, with its own settings) and stores them as its
 * StageConversion rows, stages 2–5, which the board then reads. Called by the daily job and at the end of an
 * import; the board calls it itself for a small shop without stored rows.
 */
export async function storeShopConversions(db: Db, shop: string, now: Date): Promise<void> {
  await saveConversions(db, shop, await measureShopConversions(db, shop, now), now);
}

/** Forgets the shop's stored measures (after a settings change or a re-import): the next board measures again. */
export async function clearShopConversions(db: Db, shop: string): Promise<void> {
  await db.stageConversion.deleteMany({ where: { shop } });
}

/** The shop's stored measures, or null when none are stored. */
export async function readStoredConversions(db: Db, shop: string): Promise<MeasuredConversions | null> {
  const rows = await db.stageConversion.findMany({ where: { shop } });
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
    result[stage] = {
      stage,
      windowDays: row.windowDays,
      base: row.base,
      converted: row.converted,
      cohortFrom: row.cohortFrom?.toISOString() ?? null,
      cohortTo: row.cohortTo?.toISOString() ?? null,
      // Stage 2 is completed with the monthly sessions by the board (withSessions).
      unmeasured: stage === 2 || (row.base ?? 0) > 0 ? null : "noCohort",
    };
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
  const stored = await readStoredConversions(db, shop);
  const small = hints.totalCustomers <= MEASURE_ON_REQUEST_MAX_CUSTOMERS;
  const fresh = stored?.measuredAt != null && now.getTime() - new Date(stored.measuredAt).getTime() <= STORED_MEASURE_MAX_AGE_MS;
  if (stored && (fresh || !small)) return stored;
  if (!small) return beingMeasured();
  const measures = await measureShopConversions(db, shop, now);
  if (!hints.importRunning) await saveConversions(db, shop, measures, now);
  return { ...measures, measuredAt: now.toISOString() };
};

/** Saves the monthly sessions the merchant entered (null: unknown). */
export async function saveMonthlySessions(db: Db, shop: string, sessions: number | null): Promise<void> {
  await db.shop.upsert({ where: { domain: shop }, create: { domain: shop, monthlySessions: sessions }, update: { monthlySessions: sessions } });
}

// ---------------------------------------------------------------------------------------------------------------
// Import status

export interface SyncStatus {
  /** The latest run, or null before the first import. */
  current: {
    kind: string;
    phase: string;
    running: boolean;
    progress: number;
    linesDone: number;
    linesTotal: number | null;
    customersDone: number;
    customersTotal: number | null;
    startedAt: string;
    finishedAt: string | null;
    error: string | null;
    errorKey: SyncErrorKey | null;
  } | null;
  lastFinishedAt: string | null;
  lastDailyRunAt: string | null;
  /** A re-import is waiting in the job queue (not yet picked up by the worker). */
  queued: boolean;
  campaignsRefreshedAt: string | null;
}

/** Reads the latest SyncRun rows through the (shop, startedAt) index and the queued backfill by its unique key. */
export async function loadSyncStatus(db: Db, shop: string): Promise<SyncStatus> {
  const [latest, lastDone, shopRow, queued, refreshed] = await Promise.all([
    db.syncRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } }),
    db.syncRun.findFirst({ where: { shop, phase: "done" }, orderBy: { startedAt: "desc" }, select: { finishedAt: true } }),
    db.shop.findUnique({ where: { domain: shop }, select: { lastDailyRunAt: true } }),
    db.job.findUnique({ where: { singletonKey: `backfill:${shop}` }, select: { doneAt: true, lockedAt: true } }),
    db.campaign.findFirst({ where: { shop, source: { in: ["marketing_activity", "discount"] } }, orderBy: { refreshedAt: "desc" }, select: { refreshedAt: true } }),
  ]);
  return {
    current: latest
      ? {
          kind: latest.kind,
          phase: latest.phase,
          running: latest.finishedAt == null && latest.phase !== "done" && latest.phase !== "failed",
          progress: syncProgress(latest),
          linesDone: latest.linesDone,
          linesTotal: latest.linesTotal,
          customersDone: latest.customersDone,
          customersTotal: latest.customersTotal,
          startedAt: latest.startedAt.toISOString(),
          finishedAt: latest.finishedAt?.toISOString() ?? null,
          error: latest.error,
          errorKey: latest.error ? syncErrorKey(latest.errorKind) : null,
        }
      : null,
    lastFinishedAt: lastDone?.finishedAt?.toISOString() ?? null,
    lastDailyRunAt: shopRow?.lastDailyRunAt?.toISOString() ?? null,
    queued: Boolean(queued && queued.doneAt == null && queued.lockedAt == null),
    campaignsRefreshedAt: refreshed?.refreshedAt.toISOString() ?? null,
  };
}
