/**
 * The stage board's rows: customers and net spent per level (StageCount, kept by the sync layer), the shop's board
 * settings, the facts behind the conversion measures (one SQL query over Order and Customer, gathering per
 * customer when they entered a level and when they converted or stopped being followed, grouped into life tables),
 * the stored measures (StageConversion) and the import's progress. Database access only: app/board/board.server.ts
 * assembles the board from these.
 */
import { Prisma, type StageConversion, type SyncRun } from "@prisma/client";
import type { Db } from "../db.server";
import { DAY_MS } from "../lifecycle";
import { greatest, julianDay, least, sqlDialect } from "./sql-dialect.server";

export interface LevelCountRow {
  stage: string;
  customers: number;
  netSpentMinor: bigint;
}

/** The shop's StageCount rows (customers and net spent per level and state). */
export async function readLevelCounts(db: Db, shop: string): Promise<LevelCountRow[]> {
  return db.stageCount.findMany({ where: { shop }, select: { stage: true, customers: true, netSpentMinor: true } });
}

export interface BoardShopRow {
  currencyCode: string | null;
  monthlySessions: number | null;
  /** Lifecycle settings (JSON). */
  settings: string | null;
  reclassifyRequestedAt: Date | null;
  settingsAppliedAt: Date | null;
}

/** What the board reads from the shop row: its currency, the monthly sessions entered, the settings, the updating state. */
export async function readBoardShop(db: Db, shop: string): Promise<BoardShopRow | null> {
  return db.shop.findUnique({
    where: { domain: shop },
    select: {
      currencyCode: true,
      monthlySessions: true,
      settings: true,
      reclassifyRequestedAt: true,
      settingsAppliedAt: true,
    },
  });
}

/** A settings save queued a reclassification now: the board says it is updating until markSettingsApplied. */
export async function markReclassifyRequested(db: Db, shop: string, at: Date): Promise<void> {
  await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, reclassifyRequestedAt: at },
    update: { reclassifyRequestedAt: at },
  });
}

/** A reclassification finished: counts and conversions now follow the settings saved before `at`. */
export async function markSettingsApplied(db: Db, shop: string, at: Date): Promise<void> {
  await db.shop.updateMany({ where: { domain: shop }, data: { settingsAppliedAt: at } });
}

/** Saves the monthly sessions the merchant entered (null: unknown). */
export async function saveMonthlySessions(db: Db, shop: string, sessions: number | null): Promise<void> {
  await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, monthlySessions: sessions },
    update: { monthlySessions: sessions },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The facts behind the conversion measures

export type MeasuredStage = 3 | 4 | 5;
export const MEASURED_STAGES: readonly MeasuredStage[] = [3, 4, 5];

export interface ConversionFactsQuery {
  now: Date;
  /** Per stage: conversions later than this many days after entering count as not converted (censored there). */
  windowDays: Readonly<Record<MeasuredStage, number>>;
  /** Per stage: customers who entered the level within this many days before `now` count. */
  lookbackDays: Readonly<Record<MeasuredStage, number>>;
  /** Stages 4 and 5 leave out customers who entered in the first this-many days of the shop's order records. */
  historyGuardDays: number;
  /** Stage 2: new subscribers within this many days before `now`. */
  newSubscriberDays: number;
}

export interface LifeTableRow {
  /** Whole days from entering the level to converting (rounded up) or to the end of the follow-up (rounded down). */
  day: number;
  events: number;
  censored: number;
}

export interface ConversionFacts {
  lifeTables: Record<MeasuredStage, LifeTableRow[]>;
  /** Customers who subscribed in the last `newSubscriberDays` without an order before. */
  newSubscribers: number;
  /** The first instant stages 4–5 count entrants from (first qualifying order + the guard), null without orders. */
  guardedFrom: Date | null;
}

const JULIAN_UNIX_EPOCH = 2440587.5;
const toJulian = (ms: number) => ms / DAY_MS + JULIAN_UNIX_EPOCH;
const fromJulian = (jd: number) => new Date(Math.round((jd - JULIAN_UNIX_EPOCH) * DAY_MS));

type SqlNumber = bigint | number | string | null;
interface FactRow {
  kind: string;
  stage: SqlNumber;
  day: SqlNumber;
  events: SqlNumber;
  censored: SqlNumber;
}

/**
 * One pass over the shop's customers, on SQLite and PostgreSQL alike, from their order summaries (which must hold as
 * of `now`: app/sync/order-summaries.server.ts): per customer the first and second qualifying order and the first
 * instant they met the model's regular rule (regularMinOrders orders within regularWindowDays).
 *
 * Per stage, one row per customer who entered the level in the lookback (Stage 3: subscribed, no order before;
 * Stage 4: first order; Stage 5: second order) with the instant they converted (first order; second order; became
 * regular), then grouped by whole days: a conversion within the window on day ceil(Δ), else censored on day
 * floor(now − entry), at most the window. Differences are rounded to the millisecond before rounding to days, so
 * whole-day gaps stay whole on both databases. The customers are read once, into c and s: SQLite otherwise reads
 * them again for each use of c (the guard's minimum, stages 4 and 5), which took half as long again at a million.
 */
export async function queryConversionFacts(
  db: Db,
  shop: string,
  query: ConversionFactsQuery,
): Promise<ConversionFacts> {
  const dialect = sqlDialect(db);
  const day = (column: string) => julianDay(dialect, Prisma.raw(column));
  const nowJ = toJulian(query.now.getTime());
  const days = (a: Prisma.Sql, b: Prisma.Sql) => Prisma.sql`(ROUND((${a} - ${b}) * 86400000) / 86400000.0)`;
  const since = (stage: MeasuredStage) => Prisma.sql`${nowJ - query.lookbackDays[stage]}`;
  // Whole numbers written into the query: PostgreSQL cannot type a bare parameter inside a UNION.
  const [w3, w4, w5] = MEASURED_STAGES.map((s) => Prisma.raw(String(Math.max(0, Math.floor(query.windowDays[s])))));
  const rows = await db.$queryRaw<FactRow[]>`
    WITH c AS MATERIALIZED (
      SELECT ${day('"firstOrderAt"')} AS t1, ${day('"secondOrderAt"')} AS t2, ${day('"regularAt"')} AS tr
      FROM "Customer"
      WHERE "shop" = ${shop} AND "deletedAt" IS NULL AND "firstOrderAt" IS NOT NULL
    ),
    s AS MATERIALIZED (
      SELECT ${day('"consentUpdatedAt"')} AS ts, ${day('"firstOrderAt"')} AS t1
      FROM "Customer"
      WHERE "shop" = ${shop} AND "deletedAt" IS NULL AND "emailMarketingState" = 'SUBSCRIBED'
        AND "consentUpdatedAt" IS NOT NULL
    ),
    e AS (SELECT ts, t1 FROM s WHERE (t1 IS NULL OR t1 > ts) AND ts <= ${nowJ}),
    b AS (SELECT MIN(t1) + ${query.historyGuardDays} AS "start" FROM c),
    f AS (
      SELECT 3 AS stage, ${w3} AS w, ts AS entry, t1 AS event FROM e WHERE ts >= ${since(3)}
      UNION ALL
      SELECT 4, ${w4}, t1, t2 FROM c, b WHERE t1 >= ${greatest(dialect, since(4), Prisma.sql`b."start"`)}
      UNION ALL
      SELECT 5, ${w5}, t2, tr FROM c, b WHERE t2 IS NOT NULL AND t2 >= ${greatest(dialect, since(5), Prisma.sql`b."start"`)}
    ),
    d AS (
      SELECT stage, w, entry, event,
        CASE WHEN event IS NOT NULL AND CEIL(${days(Prisma.sql`event`, Prisma.sql`entry`)}) <= w THEN 1 ELSE 0 END AS conv
      FROM f
    ),
    l AS (
      SELECT stage,
        CASE WHEN conv = 1 THEN ${greatest(dialect, Prisma.sql`CEIL(${days(Prisma.sql`event`, Prisma.sql`entry`)})`, Prisma.sql`0`)}
          ELSE ${least(dialect, Prisma.sql`FLOOR(${days(Prisma.sql`${nowJ}`, Prisma.sql`entry`)})`, Prisma.sql`w`)} END AS day,
        conv
      FROM d
    )
    SELECT 'life' AS kind, stage, CAST(day AS DOUBLE PRECISION) AS day, SUM(conv) AS events, SUM(1 - conv) AS censored FROM l GROUP BY stage, day
    UNION ALL
    SELECT 'new2', 2, CAST(0 AS DOUBLE PRECISION), COUNT(*), 0 FROM e WHERE ts > ${nowJ - query.newSubscriberDays}
    UNION ALL
    SELECT 'start', 0, CAST((SELECT "start" FROM b) AS DOUBLE PRECISION), 0, 0
  `;
  return conversionFactsOf(rows);
}

/** The query's rows read back: life tables per stage (sorted by day), new subscribers, where the history guard starts. */
function conversionFactsOf(rows: readonly FactRow[]): ConversionFacts {
  const num = (v: SqlNumber) => (v == null ? 0 : Number(v));
  const lifeTables: Record<MeasuredStage, LifeTableRow[]> = { 3: [], 4: [], 5: [] };
  let newSubscribers = 0;
  let guardedFrom: Date | null = null;
  for (const row of rows) {
    if (row.kind === "life")
      lifeTables[num(row.stage) as MeasuredStage].push({
        day: num(row.day),
        events: num(row.events),
        censored: num(row.censored),
      });
    else if (row.kind === "new2") newSubscribers = num(row.events);
    // The day column is a double in every row (SQLite's driver types a column by its first row's value).
    else if (row.kind === "start" && row.day != null) guardedFrom = fromJulian(Number(row.day));
  }
  for (const stage of MEASURED_STAGES) lifeTables[stage].sort((a, b) => a.day - b.day);
  return { lifeTables, newSubscribers, guardedFrom };
}

// ---------------------------------------------------------------------------------------------------------------
// Stored measures (StageConversion)

export type StoredConversion = Omit<StageConversion, "shop">;

/** Replaces the shop's stored measures with these rows, in one transaction. */
export async function saveStoredConversions(db: Db, shop: string, rows: readonly StoredConversion[]): Promise<void> {
  await db.$transaction([
    db.stageConversion.deleteMany({ where: { shop, stage: { notIn: rows.map((r) => r.stage) } } }),
    ...rows.map(({ stage, ...data }) =>
      db.stageConversion.upsert({
        where: { shop_stage: { shop, stage } },
        create: { shop, stage, ...data },
        update: data,
      }),
    ),
  ]);
}

/** The shop's stored measures (none: never measured, or cleared). */
export async function readStoredConversions(db: Db, shop: string): Promise<StoredConversion[]> {
  const rows = await db.stageConversion.findMany({ where: { shop }, orderBy: { stage: "asc" } });
  return rows.map(({ shop: _shop, ...row }) => row);
}

/** Forgets the shop's stored measures (after a settings change or a re-import): the next board measures again. */
export async function clearShopConversions(db: Db, shop: string): Promise<void> {
  await db.stageConversion.deleteMany({ where: { shop } });
}

// ---------------------------------------------------------------------------------------------------------------
// Import status

/** What the import's status is read from: the latest SyncRun row and the times of the last finished ones. */
export interface StoredSyncStatus {
  /** The latest run, or null before the first import. */
  latest: SyncRun | null;
  lastFinishedAt: Date | null;
  lastDailyRunAt: Date | null;
  /** A re-import is waiting in the job queue (not yet picked up by the worker). */
  queued: boolean;
  campaignsRefreshedAt: Date | null;
}

/** Reads the latest SyncRun rows through the (shop, startedAt) index and the queued backfill by its unique key. */
export async function readSyncStatus(db: Db, shop: string): Promise<StoredSyncStatus> {
  const [latest, lastDone, shopRow, queued, refreshed] = await Promise.all([
    db.syncRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } }),
    db.syncRun.findFirst({
      where: { shop, phase: "done" },
      orderBy: { startedAt: "desc" },
      select: { finishedAt: true },
    }),
    db.shop.findUnique({ where: { domain: shop }, select: { lastDailyRunAt: true, campaignsRefreshedAt: true } }),
    db.job.findUnique({ where: { singletonKey: `backfill:${shop}` }, select: { doneAt: true, lockedAt: true } }),
    db.campaign.findFirst({
      where: { shop, source: { in: ["marketing_activity", "discount"] } },
      orderBy: { refreshedAt: "desc" },
      select: { refreshedAt: true },
    }),
  ]);
  return {
    latest,
    lastFinishedAt: lastDone?.finishedAt ?? null,
    lastDailyRunAt: shopRow?.lastDailyRunAt ?? null,
    queued: Boolean(queued && queued.doneAt == null && queued.lockedAt == null),
    // The shop's own record of the last completed refresh: a shop with no imported campaigns has no row to date it.
    campaignsRefreshedAt: shopRow?.campaignsRefreshedAt ?? refreshed?.refreshedAt ?? null,
  };
}
