/**
 * The stage board's data: customers and revenue per level (StageCount, precomputed by the sync layer), the active
 * campaigns per stage, each stage's measured conversion and the weakest stage, and the import's progress.
 * The loader path reads only precomputed rows and indexed ranges; the conversion measure over the Order table is
 * the one expensive query, run off the request path (see loadConversions).
 */
import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { DAY_MS, DEFAULT_LIFECYCLE_SETTINGS, validateLifecycleSettings, type LifecycleSettings } from "../lifecycle";
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
import { plainSyncError, syncProgress, type SyncErrorKey } from "../board/sync-status";

export type CountedState = CustomerLevel | "lapsed" | "returned";
export const COUNTED_STATES: readonly CountedState[] = [...CUSTOMER_LEVELS, "lapsed", "returned"];

export interface LevelFigures {
  customers: number;
  /** Net spent of all its customers, integer minor units as a decimal string (BigInt does not survive JSON). */
  netSpentMinor: string;
  /** Average net spent per customer, minor units (the CLV arrow), null without customers. */
  averageMinor: number | null;
}

export interface BoardStage {
  number: StageNumber;
  source: string;
  target: CustomerLevel;
  /** Customers at the source level (Stage 1: the monthly sessions the merchant entered, or null). */
  sourceCustomers: number | null;
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
  sync: SyncStatus;
}

/** Everything the board page shows, for one shop as of `now`. */
export async function loadBoard(db: Db, shop: string, now: Date, options: { conversions?: ConversionSource } = {}): Promise<BoardData> {
  const conversions = options.conversions ?? cachedConversions;
  const [counts, shopRow, campaigns, sync] = await Promise.all([
    db.stageCount.findMany({ where: { shop } }),
    db.shop.findUnique({ where: { domain: shop }, select: { currencyCode: true, monthlySessions: true, settings: true } }),
    activeCampaignsByStage(db, shop, now),
    loadSyncStatus(db, shop),
  ]);
  const levels = levelFigures(counts);
  const totalCustomers = COUNTED_STATES.reduce((sum, s) => sum + levels[s].customers, 0);
  const monthlySessions = shopRow?.monthlySessions ?? null;
  const fingerprint = [...counts.map((c) => `${c.stage}:${c.customers}`).sort(), sync.lastFinishedAt ?? ""].join("|");
  const measured = await conversions(db, shop, now, { totalCustomers, fingerprint });
  const measures = STAGE_DEFINITIONS.map((def) => withSessions(measured[def.number] ?? emptyMeasure(def.number), monthlySessions));
  const weakest = weakestStage(measures);

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
      sourceCustomers: def.source === "world" ? monthlySessions : levels[def.source].customers,
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
    sync,
  };
}

export function levelFigures(rows: ReadonlyArray<{ stage: string; customers: number; netSpentMinor: bigint }>): Record<CountedState, LevelFigures> {
  const result = Object.fromEntries(COUNTED_STATES.map((s) => [s, { customers: 0, netSpentMinor: "0", averageMinor: null }])) as Record<CountedState, LevelFigures>;
  for (const row of rows) {
    if (!(COUNTED_STATES as readonly string[]).includes(row.stage)) continue;
    result[row.stage as CountedState] = {
      customers: row.customers,
      netSpentMinor: row.netSpentMinor.toString(),
      averageMinor: row.customers > 0 ? Number(row.netSpentMinor) / row.customers : null,
    };
  }
  return result;
}

/** Stage 2's base is the monthly sessions the merchant entered; without them the stage cannot be measured. */
function withSessions(measure: ConversionMeasure, monthlySessions: number | null): ConversionMeasure {
  if (measure.stage === 1) return { ...measure, base: monthlySessions, converted: null, unmeasured: monthlySessions == null ? "sessionsUnknown" : null };
  if (measure.stage !== 2) return measure;
  if (monthlySessions == null || monthlySessions <= 0) return { ...measure, base: null, unmeasured: "sessionsUnknown" };
  if (measure.unmeasured === "measuring") return measure;
  return { ...measure, base: monthlySessions, unmeasured: null };
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion measures

export type MeasuredConversions = Partial<Record<StageNumber, ConversionMeasure>>;
export interface ConversionHints {
  totalCustomers: number;
  /** Changes whenever the data the measures come from may have changed. */
  fingerprint?: string;
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

interface MeasureRow {
  firstOrder: number | null;
  new2: bigint | number | null;
  cohort3: bigint | number | null;
  conv3: bigint | number | null;
  cohort4: bigint | number | null;
  conv4: bigint | number | null;
  cohort5: bigint | number | null;
  conv5: bigint | number | null;
}

/**
 * Measures stages 2–5 from the stored facts in one query (SQLite): per customer the first and second qualifying
 * order and the first instant they had `regularMinOrders` orders within `regularWindowDays` (the model's regular
 * rule), then the cohort shares documented in app/board/conversion.ts (see HISTORY_GUARD_DAYS). Qualifying orders as in the model: not
 * test, cancelled, voided or fully refunded, with something left after refunds. It reads every order of the shop
 * (through the (shop, customerGid, createdAt) index): seconds at a million customers, so it runs once a day or in
 * the background, never on the request path of a large shop.
 */
export async function measureConversions(db: Db, shop: string, now: Date, settings: LifecycleSettings = DEFAULT_LIFECYCLE_SETTINGS): Promise<Record<StageNumber, ConversionMeasure>> {
  const k = Math.max(1, Math.floor(settings.regularMinOrders));
  const nowJ = toJulian(now.getTime());
  const w2 = CONVERSION_WINDOW_DAYS[2];
  const w3 = CONVERSION_WINDOW_DAYS[3];
  const w4 = CONVERSION_WINDOW_DAYS[4];
  const w5 = CONVERSION_WINDOW_DAYS[5];
  const [row] = await db.$queryRaw<MeasureRow[]>`
    WITH q AS (
      SELECT "customerGid" AS g, julianday("createdAt") AS t,
        ROW_NUMBER() OVER w AS n,
        LAG(julianday("createdAt"), ${Prisma.raw(String(k - 1))}) OVER w AS tk
      FROM "Order"
      WHERE "shop" = ${shop} AND "customerGid" IS NOT NULL AND "deletedAt" IS NULL
        AND "test" = 0 AND "cancelled" = 0 AND "voided" = 0 AND "fullyRefunded" = 0 AND "totalMinor" > "refundedMinor"
        AND julianday("createdAt") <= ${nowJ}
      WINDOW w AS (PARTITION BY "customerGid" ORDER BY "createdAt", "id")
    ),
    c AS (
      SELECT g,
        MIN(CASE WHEN n = 1 THEN t END) AS t1,
        MIN(CASE WHEN n = 2 THEN t END) AS t2,
        MIN(CASE WHEN n >= ${k} AND (${k} = 1 OR t - tk < ${settings.regularWindowDays}) THEN t END) AS tr
      FROM q GROUP BY g
    ),
    s AS (
      SELECT julianday(cu."consentUpdatedAt") AS ts, c.t1 AS t1
      FROM "Customer" cu LEFT JOIN c ON c.g = cu."gid"
      WHERE cu."shop" = ${shop} AND cu."deletedAt" IS NULL AND cu."emailMarketingState" = 'SUBSCRIBED'
        AND cu."consentUpdatedAt" IS NOT NULL
    ),
    e AS (SELECT ts, t1 FROM s WHERE t1 IS NULL OR t1 > ts),
    b AS (SELECT MIN(t1) + ${HISTORY_GUARD_DAYS} AS start FROM c)
    SELECT
      (SELECT MIN(t1) FROM c) AS firstOrder,
      (SELECT COUNT(*) FROM e WHERE ts > ${nowJ - w2} AND ts <= ${nowJ}) AS new2,
      (SELECT COUNT(*) FROM e WHERE ts >= ${nowJ - w3 - COHORT_DAYS} AND ts < ${nowJ - w3}) AS cohort3,
      (SELECT COUNT(*) FROM e WHERE ts >= ${nowJ - w3 - COHORT_DAYS} AND ts < ${nowJ - w3} AND t1 IS NOT NULL AND t1 - ts <= ${w3}) AS conv3,
      (SELECT COUNT(*) FROM c, b WHERE t1 >= MAX(${nowJ - w4 - COHORT_DAYS}, b.start) AND t1 < ${nowJ - w4}) AS cohort4,
      (SELECT COUNT(*) FROM c, b WHERE t1 >= MAX(${nowJ - w4 - COHORT_DAYS}, b.start) AND t1 < ${nowJ - w4} AND t2 IS NOT NULL AND t2 - t1 <= ${w4}) AS conv4,
      (SELECT COUNT(*) FROM c, b WHERE t2 >= MAX(${nowJ - w5 - COHORT_DAYS}, b.start) AND t2 < ${nowJ - w5}) AS cohort5,
      (SELECT COUNT(*) FROM c, b WHERE t2 >= MAX(${nowJ - w5 - COHORT_DAYS}, b.start) AND t2 < ${nowJ - w5} AND tr IS NOT NULL AND tr - t2 <= ${w5}) AS conv5
  `;
  const num = (v: bigint | number | null | undefined) => (v == null ? 0 : Number(v));
  const first = row?.firstOrder ?? null;
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
  if (!json) return DEFAULT_LIFECYCLE_SETTINGS;
  try {
    return validateLifecycleSettings(JSON.parse(json));
  } catch {
    return DEFAULT_LIFECYCLE_SETTINGS;
  }
}

async function shopSettings(db: Db, shop: string): Promise<LifecycleSettings> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  return parseSettings(row?.settings ?? null);
}

/** Measures with the shop's own settings (the regular rule). */
export async function measureShopConversions(db: Db, shop: string, now: Date): Promise<Record<StageNumber, ConversionMeasure>> {
  return measureConversions(db, shop, now, await shopSettings(db, shop));
}

/**
 * Until the sync layer stores the measures (a StageConversion table written by the daily job), they are kept per
 * process. A measure is reused while the shop's data has not changed (`fingerprint`: customers per stage and the
 * last finished import) and is younger than MEASURE_TTL_MS. A shop up to SYNC_MEASURE_MAX_CUSTOMERS is measured on
 * the request (tens of milliseconds); a larger one in the background — at most every MIN_REMEASURE_MS — while the
 * board shows the previous numbers, or "being measured" the first time.
 */
const MEASURE_TTL_MS = 60 * 60 * 1000;
const MIN_REMEASURE_MS = 5 * 60 * 1000;
const SYNC_MEASURE_MAX_CUSTOMERS = 50_000;
interface CacheEntry {
  at: number;
  fingerprint: string;
  value: MeasuredConversions | null;
  pending: Promise<MeasuredConversions> | null;
}
const cache = new Map<string, CacheEntry>();

export const cachedConversions: ConversionSource = async (db, shop, now, hints) => {
  const fingerprint = hints.fingerprint ?? "";
  const entry = cache.get(shop);
  const age = entry ? Date.now() - entry.at : Infinity;
  if (entry?.value && entry.fingerprint === fingerprint && age < MEASURE_TTL_MS) return entry.value;
  const small = hints.totalCustomers <= SYNC_MEASURE_MAX_CUSTOMERS;
  if (entry?.value && !small && age < MIN_REMEASURE_MS) return entry.value;
  let pending = entry?.pending ?? null;
  if (!pending) {
    pending = measureShopConversions(db, shop, now).then(
      (value) => {
        cache.set(shop, { at: Date.now(), fingerprint, value, pending: null });
        return value;
      },
      (error: unknown) => {
        const current = cache.get(shop);
        if (current) cache.set(shop, { ...current, pending: null });
        throw error;
      },
    );
    cache.set(shop, { at: entry?.at ?? 0, fingerprint: entry?.fingerprint ?? "", value: entry?.value ?? null, pending });
  }
  if (small) return pending;
  pending.catch((error: unknown) => console.error(`[board] measuring conversions for ${shop} failed`, error));
  if (entry?.value) return entry.value; // the previous numbers while they are re-measured
  return Object.fromEntries(([2, 3, 4, 5] as StageNumber[]).map((s) => [s, emptyMeasure(s, "measuring")])) as MeasuredConversions;
};

/** Forget measures (after a settings change or a re-import, so the next board shows new numbers). */
export function forgetConversions(shop?: string): void {
  if (shop) cache.delete(shop);
  else cache.clear();
}

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
          errorKey: latest.error ? plainSyncError(latest.error) : null,
        }
      : null,
    lastFinishedAt: lastDone?.finishedAt?.toISOString() ?? null,
    lastDailyRunAt: shopRow?.lastDailyRunAt?.toISOString() ?? null,
    queued: Boolean(queued && queued.doneAt == null && queued.lockedAt == null),
    campaignsRefreshedAt: refreshed?.refreshedAt.toISOString() ?? null,
  };
}
