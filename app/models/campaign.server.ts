/**
 * Campaign rows: the imported ones (marketing activities, discounts; app/campaigns/import.server.ts writes them) and
 * the ones the merchant types in. Queries go through the (shop, stage) index; whether a campaign is active is
 * decided by isActive (app/domain/campaign-state.ts), after a date pre-filter in SQL.
 */
import type { Db } from "../db.server";
import { campaignState, isActive, type CampaignState } from "../domain/campaign-state";
import { defaultStageForTactic } from "../domain/tactics";
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
};

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
} as const;

/** Active campaigns per stage (every stage present, possibly empty), newest start first. */
export async function activeCampaignsByStage(db: Db, shop: string, now: Date): Promise<Map<StageNumber, CampaignView[]>> {
  const rows = await db.campaign.findMany({
    where: {
      shop,
      stage: { in: [...STAGE_NUMBERS] },
      AND: [{ OR: [{ endsAt: null }, { endsAt: { gt: now } }] }, { OR: [{ startsAt: null }, { startsAt: { lte: now } }] }],
    },
    select: SELECT,
  });
  const byStage = new Map<StageNumber, CampaignView[]>(STAGE_NUMBERS.map((n) => [n, []]));
  for (const row of rows) {
    if (!isActive(row, now)) continue;
    byStage.get(row.stage as StageNumber)?.push(view(row, now));
  }
  for (const list of byStage.values()) list.sort((a, b) => (b.startsAt ?? "").localeCompare(a.startsAt ?? "") || a.id - b.id);
  return byStage;
}

export type CampaignFilter = "all" | CampaignState;

/** Every campaign of the shop for the Campaigns page: active first, then scheduled, then ended (newest first). */
export async function listCampaigns(db: Db, shop: string, now: Date, options: { limit?: number } = {}): Promise<CampaignView[]> {
  const rows = await db.campaign.findMany({ where: { shop }, select: SELECT, orderBy: [{ startsAt: "desc" }, { id: "desc" }], take: options.limit ?? 500 });
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

export async function createManualCampaign(db: Db, shop: string, input: NewManualCampaign, now: Date): Promise<CampaignView> {
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
export async function overrideCampaignStage(db: Db, shop: string, id: number, stage: StageNumber, stageOneKind: string | null): Promise<boolean> {
  const kind = stage === 1 ? (isStageOneKind(stageOneKind) ? stageOneKind : STAGE_ONE_KINDS[0]) : null;
  const { count } = await db.campaign.updateMany({
    where: { id, shop, source: { in: ["marketing_activity", "discount"] } },
    data: { stage, stageOneKind: kind, stageOverridden: true },
  });
  return count === 1;
}

/**
 * Back to the default mapping: a marketing activity returns to its tactic's stage at once; a discount follows its
 * targeting again from the next refresh.
 */
export async function resetCampaignStage(db: Db, shop: string, id: number): Promise<boolean> {
  const row = await db.campaign.findFirst({ where: { id, shop, source: { in: ["marketing_activity", "discount"] } }, select: { source: true, tactic: true, channel: true } });
  if (!row) return false;
  const mapping = row.source === "marketing_activity" && row.tactic ? defaultStageForTactic(row.tactic, row.channel) : null;
  await db.campaign.update({
    where: { id },
    data: { stageOverridden: false, ...(mapping ? { stage: mapping.stage, stageOneKind: mapping.stageOneKind } : {}) },
  });
  return true;
}
