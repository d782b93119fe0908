/**
 * Campaigns the merchant types in (the paper sheet): name, stage, Stage 1's kind, channel, start and end day.
 * Pure parsing of the form; errors are message keys so the page shows them in the merchant's language.
 * Days are whole UTC days: a campaign runs from the start of its first day to the end of its last day.
 */
import { isStageNumber, isStageOneKind, type StageNumber, type StageOneKind } from "../domain/stages";
import { DAY_MS } from "../lifecycle";

/** Channels offered in the form; imported campaigns use Shopify's MarketingChannel values (the first five). */
export const CAMPAIGN_CHANNELS = [
  "EMAIL",
  "SOCIAL",
  "SEARCH",
  "DISPLAY",
  "REFERRAL",
  "SMS",
  "PRINT",
  "IN_STORE",
  "EVENT",
  "PARCEL",
  "OTHER",
  "DISCOUNT_CODE",
  "AUTOMATIC_DISCOUNT",
] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];
export const MANUAL_CHANNELS: readonly CampaignChannel[] = CAMPAIGN_CHANNELS.filter(
  (c) => c !== "DISCOUNT_CODE" && c !== "AUTOMATIC_DISCOUNT",
);

export const CAMPAIGN_NAME_MAX = 120;

export interface ManualCampaignInput {
  name: string;
  stage: StageNumber;
  stageOneKind: StageOneKind | null;
  channel: CampaignChannel;
  startsAt: Date;
  /** Exclusive: the instant after the last day. Null: open-ended. */
  endsAt: Date | null;
}

export type ManualCampaignField = "name" | "stage" | "stageOneKind" | "channel" | "startsOn" | "endsOn";
export type ManualCampaignErrorKey =
  | "campaigns.error.nameRequired"
  | "campaigns.error.nameTooLong"
  | "campaigns.error.stage"
  | "campaigns.error.kindRequired"
  | "campaigns.error.channel"
  | "campaigns.error.startRequired"
  | "campaigns.error.date"
  | "campaigns.error.endBeforeStart";

export type ParseResult =
  | { ok: true; value: ManualCampaignInput }
  | { ok: false; errors: Partial<Record<ManualCampaignField, ManualCampaignErrorKey>> };

/** "2026-11-23" → that day's start (UTC), or null when it is not a real calendar day. */
export function parseDay(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

export function parseManualCampaign(form: Record<string, string | undefined>): ParseResult {
  const errors: Partial<Record<ManualCampaignField, ManualCampaignErrorKey>> = {};
  const name = (form.name ?? "").trim();
  if (!name) errors.name = "campaigns.error.nameRequired";
  else if (name.length > CAMPAIGN_NAME_MAX) errors.name = "campaigns.error.nameTooLong";

  const stage = Number(form.stage);
  if (!isStageNumber(stage)) errors.stage = "campaigns.error.stage";
  const kind = form.stageOneKind ?? "";
  if (stage === 1 && !isStageOneKind(kind)) errors.stageOneKind = "campaigns.error.kindRequired";

  const channel = form.channel ?? "";
  if (!(CAMPAIGN_CHANNELS as readonly string[]).includes(channel)) errors.channel = "campaigns.error.channel";

  const startText = (form.startsOn ?? "").trim();
  const startsAt = startText ? parseDay(startText) : null;
  if (!startText) errors.startsOn = "campaigns.error.startRequired";
  else if (!startsAt) errors.startsOn = "campaigns.error.date";

  const endText = (form.endsOn ?? "").trim();
  const lastDay = endText ? parseDay(endText) : null;
  if (endText && !lastDay) errors.endsOn = "campaigns.error.date";
  else if (lastDay && startsAt && lastDay.getTime() < startsAt.getTime())
    errors.endsOn = "campaigns.error.endBeforeStart";

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      stage: stage as StageNumber,
      stageOneKind: stage === 1 ? (kind as StageOneKind) : null,
      channel: channel as CampaignChannel,
      startsAt: startsAt!,
      endsAt: lastDay ? new Date(lastDay.getTime() + DAY_MS) : null,
    },
  };
}
