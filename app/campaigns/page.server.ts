/**
 * What the Campaigns page loads and what its forms do, so the route stays a thin wrapper. Every intent answers with
 * what happened, and errors name the field at fault as message keys (the page shows them in the merchant's language).
 */
import type { Db } from "../db.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { isStageNumber, type StageNumber } from "../domain/stages";
import {
  confirmFoundCampaign,
  createManualCampaign,
  deleteManualCampaign,
  listCampaigns,
  overrideCampaignStage,
  resetCampaignStage,
  saveCampaignActiveDays,
  setFoundCampaignHidden,
  updateManualCampaign,
  type CampaignView,
} from "../models/campaign.server";
import { readSyncStatus } from "../models/board.server";
import { parseManualCampaign, type ManualCampaignErrorKey, type ManualCampaignField } from "./manual";
import { refreshShopCampaigns } from "./refresh.server";
import {
  campaignActiveDaysOf,
  MAX_CAMPAIGN_ACTIVE_DAYS,
  MIN_CAMPAIGN_ACTIVE_DAYS,
  parseCampaignActiveDays,
} from "./settings";

export interface CampaignsPageData {
  campaigns: CampaignView[];
  refreshedAt: string | null;
  currencyCode: string | null;
  activeDays: number;
  activeDaysRange: [number, number];
  /** ?new=<stage>: the add form opens set to this stage (the board's "Add a campaign"). */
  presetStage: StageNumber | null;
}

export async function loadCampaignsPage(db: Db, shop: string, now: Date, url: URL): Promise<CampaignsPageData> {
  const [campaigns, sync, shopRow] = await Promise.all([
    listCampaigns(db, shop, now),
    readSyncStatus(db, shop),
    db.shop.findUnique({ where: { domain: shop }, select: { currencyCode: true, campaignActiveDays: true } }),
  ]);
  const preset = Number(url.searchParams.get("new"));
  return {
    campaigns,
    refreshedAt: sync.campaignsRefreshedAt?.toISOString() ?? null,
    currencyCode: shopRow?.currencyCode ?? null,
    activeDays: campaignActiveDaysOf(shopRow?.campaignActiveDays),
    activeDaysRange: [MIN_CAMPAIGN_ACTIVE_DAYS, MAX_CAMPAIGN_ACTIVE_DAYS],
    presetStage: isStageNumber(preset) ? preset : null,
  };
}

export type CampaignsActionResult =
  | { intent: "create" | "update"; ok: true }
  | { intent: "create" | "update"; ok: false; errors: Partial<Record<ManualCampaignField, ManualCampaignErrorKey>> }
  | { intent: "refresh"; ok: true; marketingActivities: number; discounts: number; found: number }
  | { intent: "refresh"; ok: false; message: string }
  | { intent: "activeDays"; ok: true; value: number }
  | { intent: "activeDays"; ok: false; error: "campaigns.error.activeDays" }
  | { intent: "override" | "reset" | "delete" | "confirm" | "hide" | "show" | "unknown"; ok: boolean; name?: string };

async function saveManual(
  db: Db,
  shop: string,
  form: Record<string, string>,
  now: Date,
): Promise<CampaignsActionResult> {
  const intent = form.intent === "update" ? "update" : "create";
  const parsed = parseManualCampaign(form);
  if (!parsed.ok) return { intent, ok: false, errors: parsed.errors };
  if (intent === "create") await createManualCampaign(db, shop, parsed.value, now);
  else if (!(await updateManualCampaign(db, shop, Number(form.id), parsed.value, now)))
    return { intent, ok: false, errors: {} };
  return { intent, ok: true };
}

async function refresh(db: Db, shop: string, client: GraphqlRequester): Promise<CampaignsActionResult> {
  try {
    const summary = await refreshShopCampaigns(db, shop, client);
    return {
      intent: "refresh",
      ok: true,
      marketingActivities: summary.marketingActivities,
      discounts: summary.discounts,
      found: summary.found,
    };
  } catch (error) {
    return { intent: "refresh", ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export async function campaignsAction(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  form: Record<string, string>,
  now: Date,
): Promise<CampaignsActionResult> {
  const id = Number(form.id);
  switch (form.intent) {
    case "create":
    case "update":
      return saveManual(db, shop, form, now);
    case "refresh":
      return refresh(db, shop, client);
    case "activeDays": {
      const parsed = parseCampaignActiveDays(form.activeDays);
      if (!parsed.ok) return { intent: "activeDays", ok: false, error: parsed.error };
      await saveCampaignActiveDays(db, shop, parsed.value);
      return { intent: "activeDays", ok: true, value: parsed.value };
    }
    case "override": {
      const stage = Number(form.stage);
      if (!isStageNumber(stage)) return { intent: "override", ok: false };
      return { intent: "override", ok: await overrideCampaignStage(db, shop, id, stage, form.stageOneKind ?? null) };
    }
    case "reset":
      return { intent: "reset", ok: await resetCampaignStage(db, shop, id) };
    case "confirm":
      return { intent: "confirm", ok: await confirmFoundCampaign(db, shop, id, now) };
    case "hide":
    case "show":
      return { intent: form.intent, ok: await setFoundCampaignHidden(db, shop, id, form.intent === "hide") };
    case "delete":
      return { intent: "delete", ok: await deleteManualCampaign(db, shop, id), name: form.name };
    default:
      return { intent: "unknown", ok: false };
  }
}
