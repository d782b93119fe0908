/**
 * How long a campaign found in orders counts as active after the last order it brought: a per-shop setting,
 * Shop.campaignActiveDays (null: the default). Bounded so a typo cannot keep every campaign ever run "active".
 */
export const DEFAULT_CAMPAIGN_ACTIVE_DAYS = 30;
export const MIN_CAMPAIGN_ACTIVE_DAYS = 1;
export const MAX_CAMPAIGN_ACTIVE_DAYS = 365;
/** Orders older than this are not grouped: the figures shown are the last year's. */
export const FOUND_LOOKBACK_DAYS = 365;

export function campaignActiveDaysOf(stored: number | null | undefined): number {
  return stored != null &&
    Number.isInteger(stored) &&
    stored >= MIN_CAMPAIGN_ACTIVE_DAYS &&
    stored <= MAX_CAMPAIGN_ACTIVE_DAYS
    ? stored
    : DEFAULT_CAMPAIGN_ACTIVE_DAYS;
}

export type ActiveDaysResult = { ok: true; value: number } | { ok: false; error: "campaigns.error.activeDays" };

/** What the merchant typed: a whole number of days within the range. */
export function parseCampaignActiveDays(input: unknown): ActiveDaysResult {
  const text = String(input ?? "").trim();
  if (!/^\d{1,4}$/.test(text)) return { ok: false, error: "campaigns.error.activeDays" };
  const value = Number(text);
  return value >= MIN_CAMPAIGN_ACTIVE_DAYS && value <= MAX_CAMPAIGN_ACTIVE_DAYS
    ? { ok: true, value }
    : { ok: false, error: "campaigns.error.activeDays" };
}
