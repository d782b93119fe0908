/**
 * Campaign rows: the imported ones (marketing activities, discounts; app/campaigns/import.server.ts writes them), the
 * ones found in orders (found_campaign, found_code; app/campaigns/found.server.ts) and the ones the merchant types in.
 * A found campaign runs from its first order to activeDays after its last (endsAt), so the same date rule decides
 * whether any campaign is active. Queries go through the (shop, stage) index; whether a campaign is active is
 * decided by isActive (app/domain/campaign-state.ts), after a date pre-filter in SQL.
 */
import type { Db } from "../db.server";
import { campaignState, isActive, type CampaignState } from "../domain/campaign-state";
import { defaultStageForTactic } from "../domain/tactics";
import type { FoundCampaign, StageFigures } from "../domain/found-campaign";
import { DAY_MS } from "../lifecycle";
import { isStageOneKind, STAGE_NUMBERS, STAGE_ONE_KINDS, type StageNumber, type StageOneKind } from "../domain/stages";

export interface CampaignView {
  id: number;
  source: string;
  name: string;
  stage: StageNumber;
  stageOneKind: StageOneKind | null;
  channel: string | null;
  status: string | null;
  tactic: string | null;
  startsAt: string | null;
  endsAt: string | null;
  state: CampaignState;
  stageOverridden: boolean;
  hidden: boolean;
  confirmed: boolean;
  /** Found campaigns: the attributed orders of the last year, their net revenue (minor units, as text), per stage. */
  orders: number;
  revenueMinor: string;
  lastOrderAt: string | null;
  perStage: Array<{ stage: StageNumber; orders: number; revenueMinor: string; winbackOrders: number }>;
  /** The stage the orders point to (found campaigns; null otherwise). */
  foundStage: StageNumber | null;
  simulated: boolean;
}

type CampaignRow = {
  id: number;
  source: string;
  name: string;
  stage: number;
  stageOneKind: string | null;
  channel: string | null;
  status: string | null;
  tactic: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  stageOverridden: boolean;
  hidden: boolean;
  confirmedAt: Date | null;
  orders: number;
  revenueMinor: bigint;
  lastOrderAt: Date | null;
  stageFigures: string | null;
  simulated: boolean;
};

export const FOUND_SOURCES = ["found_campaign", "found_code"] as const;
/** Sources whose stage the app decides and the merchant may override. */
const MOVABLE_SOURCES = ["marketing_activity", "discount", ...FOUND_SOURCES];

interface StoredFigures {
  foundStage: StageNumber;
  perStage: Array<{ stage: StageNumber; orders: number; revenueMinor: string; winbackOrders: number }>;
}

function readFigures(json: string | null): StoredFigures | null {
  if (!json) return null;
  try {
    const parsed = JSON.parse(json) as StoredFigures;
    return Array.isArray(parsed.perStage) ? parsed : null;
  } catch {
    return null;
  }
}

function figuresJson(found: FoundCampaign): string {
  const perStage = (Object.entries(found.perStage) as Array<[string, StageFigures]>).map(([stage, f]) => ({
    stage: Number(stage) as StageNumber,
    orders: f.orders,
    revenueMinor: f.revenueMinor.toString(),
    winbackOrders: f.winbackOrders,
  }));
  return JSON.stringify({ foundStage: found.stage, perStage } satisfies StoredFigures);
}

function view(row: CampaignRow, now: Date): CampaignView {
  return {
    id: row.id,
    source: row.source,
    name: row.name,
    stage: row.stage as StageNumber,
    stageOneKind: row.stage === 1 ? (row.stageOneKind as StageOneKind | null) : null,
    channel: row.channel,
    status: row.status,
    tactic: row.tactic,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    state: campaignState(row, now),
    stageOverridden: row.stageOverridden,
    hidden: row.hidden,
    confirmed: row.confirmedAt != null,
    orders: row.orders,
    revenueMinor: row.revenueMinor.toString(),
    lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
    perStage: readFigures(row.stageFigures)?.perStage ?? [],
    foundStage: readFigures(row.stageFigures)?.foundStage ?? null,
    simulated: row.simulated,
  };
}

const SELECT = {
  id: true,
  source: true,
  name: true,
  stage: true,
  stageOneKind: true,
  channel: true,
  status: true,
  tactic: true,
  startsAt: true,
  endsAt: true,
  stageOverridden: true,
  hidden: true,
  confirmedAt: true,
  orders: true,
  revenueMinor: true,
  lastOrderAt: true,
  stageFigures: true,
  simulated: true,
} as const;

/** Active campaigns per stage (every stage present, possibly empty), newest start first. */
export async function activeCampaignsByStage(
  db: Db,
  shop: string,
  now: Date,
): Promise<Map<StageNumber, CampaignView[]>> {
  const rows = await db.campaign.findMany({
    where: {
      shop,
      hidden: false,
      stage: { in: [...STAGE_NUMBERS] },
      AND: [
        { OR: [{ endsAt: null }, { endsAt: { gt: now } }] },
        { OR: [{ startsAt: null }, { startsAt: { lte: now } }] },
      ],
    },
    select: SELECT,
  });
  const byStage = new Map<StageNumber, CampaignView[]>(STAGE_NUMBERS.map((n) => [n, []]));
  for (const row of rows) {
    if (!isActive(row, now)) continue;
    byStage.get(row.stage as StageNumber)?.push(view(row, now));
  }
  for (const list of byStage.values())
    list.sort((a, b) => (b.startsAt ?? "").localeCompare(a.startsAt ?? "") || a.id - b.id);
  return byStage;
}

export type CampaignFilter = "all" | CampaignState;

/** Every campaign of the shop for the Campaigns page: active first, then scheduled, then ended (newest first). */
export async function listCampaigns(
  db: Db,
  shop: string,
  now: Date,
  options: { limit?: number } = {},
): Promise<CampaignView[]> {
  const rows = await db.campaign.findMany({
    where: { shop },
    select: SELECT,
    orderBy: [{ startsAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 500,
  });
  const order: Record<CampaignState, number> = { active: 0, scheduled: 1, ended: 2 };
  return rows.map((r) => view(r, now)).sort((a, b) => order[a.state] - order[b.state] || a.stage - b.stage);
}

/** A campaign the merchant typed in, as app/campaigns/manual.ts parses it. */
export interface NewManualCampaign {
  name: string;
  stage: StageNumber;
  stageOneKind: StageOneKind | null;
  channel: string;
  startsAt: Date;
  /** Exclusive: the instant after the last day. Null: open-ended. */
  endsAt: Date | null;
}

export async function createManualCampaign(
  db: Db,
  shop: string,
  input: NewManualCampaign,
  now: Date,
): Promise<CampaignView> {
  const row = await db.campaign.create({
    data: {
      shop,
      source: "manual",
      externalId: null,
      name: input.name,
      stage: input.stage,
      stageOneKind: input.stage === 1 ? input.stageOneKind : null,
      channel: input.channel,
      status: null,
      tactic: null,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      stageOverridden: false,
      refreshedAt: now,
    },
    select: SELECT,
  });
  return view(row, now);
}

export async function deleteManualCampaign(db: Db, shop: string, id: number): Promise<boolean> {
  const { count } = await db.campaign.deleteMany({ where: { id, shop, source: "manual" } });
  return count === 1;
}

/**
 * The merchant moves an imported campaign to another stage; refreshes keep it there. A Stage 1 campaign always has a
 * kind (the first, Shine a Light, unless one is given).
 */
export async function overrideCampaignStage(
  db: Db,
  shop: string,
  id: number,
  stage: StageNumber,
  stageOneKind: string | null,
): Promise<boolean> {
  const kind = stage === 1 ? (isStageOneKind(stageOneKind) ? stageOneKind : STAGE_ONE_KINDS[0]) : null;
  const { count } = await db.campaign.updateMany({
    where: { id, shop, source: { in: MOVABLE_SOURCES } },
    data: { stage, stageOneKind: kind, stageOverridden: true },
  });
  return count === 1;
}

/**
 * Back to the default mapping: a marketing activity returns to its tactic's stage at once; a discount follows its
 * targeting again from the next refresh.
 */
export async function resetCampaignStage(db: Db, shop: string, id: number): Promise<boolean> {
  const row = await db.campaign.findFirst({
    where: { id, shop, source: { in: MOVABLE_SOURCES } },
    select: { source: true, tactic: true, channel: true, stageFigures: true },
  });
  if (!row) return false;
  const found = readFigures(row.stageFigures)?.foundStage;
  const mapping =
    row.source === "marketing_activity" && row.tactic
      ? defaultStageForTactic(row.tactic, row.channel)
      : found != null
        ? { stage: found, stageOneKind: null }
        : null;
  await db.campaign.update({
    where: { id },
    data: { stageOverridden: false, ...(mapping ? { stage: mapping.stage, stageOneKind: mapping.stageOneKind } : {}) },
  });
  return true;
}

/** A manual campaign's new name, stage, channel and dates. */
export async function updateManualCampaign(
  db: Db,
  shop: string,
  id: number,
  input: NewManualCampaign,
  now: Date,
): Promise<boolean> {
  const { count } = await db.campaign.updateMany({
    where: { id, shop, source: "manual" },
    data: {
      name: input.name,
      stage: input.stage,
      stageOneKind: input.stage === 1 ? input.stageOneKind : null,
      channel: input.channel,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      refreshedAt: now,
    },
  });
  return count === 1;
}

/** The merchant confirms a found campaign: it stays at its stage and is kept even once its orders age out. */
export async function confirmFoundCampaign(db: Db, shop: string, id: number, now: Date): Promise<boolean> {
  const { count } = await db.campaign.updateMany({
    where: { id, shop, source: { in: [...FOUND_SOURCES] } },
    data: { confirmedAt: now, stageOverridden: true },
  });
  return count === 1;
}

/** Hides a found campaign from the board (or shows it again); refreshes keep the choice. */
export async function setFoundCampaignHidden(db: Db, shop: string, id: number, hidden: boolean): Promise<boolean> {
  const { count } = await db.campaign.updateMany({
    where: { id, shop, source: { in: [...FOUND_SOURCES] } },
    data: { hidden },
  });
  return count === 1;
}

export interface FoundSaveSummary {
  found: number;
  removed: number;
}

function activeUntil(lastOrderAt: Date, activeDays: number): Date {
  return new Date(lastOrderAt.getTime() + activeDays * DAY_MS);
}

/**
 * Stores the campaigns found in orders. A campaign the merchant moved or confirmed keeps its stage; a hidden one stays
 * hidden. One no longer found is removed, unless the merchant decided about it: then it stays, with no orders.
 */
export async function saveFoundCampaigns(
  db: Db,
  shop: string,
  found: readonly FoundCampaign[],
  now: Date,
  activeDays: number,
): Promise<FoundSaveSummary> {
  const stored = await db.campaign.findMany({
    where: { shop, source: { in: [...FOUND_SOURCES] } },
    select: { id: true, source: true, externalId: true, stageOverridden: true, hidden: true, confirmedAt: true },
  });
  const byKey = new Map(stored.map((c) => [`${c.source}|${c.externalId}`, c]));
  const seen = new Set(found.map((c) => `${c.source}|${c.externalId}`));
  const gone = stored.filter((c) => !seen.has(`${c.source}|${c.externalId}`));
  const decided = (c: (typeof stored)[number]) => c.stageOverridden || c.hidden || c.confirmedAt != null;
  await db.$transaction([
    ...found.map((c) => {
      const prior = byKey.get(`${c.source}|${c.externalId}`);
      const data = {
        name: c.name,
        tactic: c.tactic,
        channel: c.channel,
        status: null,
        startsAt: c.firstOrderAt,
        endsAt: activeUntil(c.lastOrderAt, activeDays),
        orders: c.orders,
        revenueMinor: c.revenueMinor,
        lastOrderAt: c.lastOrderAt,
        stageFigures: figuresJson(c),
        simulated: c.simulated,
        refreshedAt: now,
      };
      return db.campaign.upsert({
        where: { shop_source_externalId: { shop, source: c.source, externalId: c.externalId } },
        create: {
          shop,
          source: c.source,
          externalId: c.externalId,
          stage: c.stage,
          stageOneKind: null,
          stageOverridden: false,
          ...data,
        },
        update: prior?.stageOverridden ? data : { ...data, stage: c.stage, stageOneKind: null },
      });
    }),
    db.campaign.deleteMany({ where: { id: { in: gone.filter((c) => !decided(c)).map((c) => c.id) } } }),
    db.campaign.updateMany({
      where: { id: { in: gone.filter(decided).map((c) => c.id) } },
      data: { orders: 0, revenueMinor: 0n, stageFigures: null, endsAt: now, refreshedAt: now },
    }),
  ]);
  return { found: found.length, removed: gone.filter((c) => !decided(c)).length };
}

/** The merchant's active-days setting; found campaigns' end dates follow at once. */
export async function saveCampaignActiveDays(db: Db, shop: string, activeDays: number): Promise<void> {
  const rows = await db.campaign.findMany({
    where: { shop, source: { in: [...FOUND_SOURCES] }, lastOrderAt: { not: null }, orders: { gt: 0 } },
    select: { id: true, lastOrderAt: true },
  });
  await db.$transaction([
    db.shop.update({ where: { domain: shop }, data: { campaignActiveDays: activeDays } }),
    ...rows.map((r) =>
      db.campaign.update({ where: { id: r.id }, data: { endsAt: activeUntil(r.lastOrderAt!, activeDays) } }),
    ),
  ]);
}

/** A completed refresh, recorded on the shop (a shop with no imported campaigns has no campaign row to date it). */
export async function markCampaignsRefreshed(db: Db, shop: string, now: Date): Promise<void> {
  await db.shop.updateMany({ where: { domain: shop }, data: { campaignsRefreshedAt: now } });
}
