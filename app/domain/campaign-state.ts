/**
 * "Active" means running now: not ended, started (or with no start), and with a status that is running.
 * Shopify statuses: marketing activities (MarketingActivityStatus) and discounts (DiscountStatus); manual
 * campaigns have no status and are decided by their dates alone.
 */

/** Statuses under which a campaign runs (SCHEDULED runs once its start has passed). */
const RUNNING = new Set(["ACTIVE", "SCHEDULED"]);
/** Statuses Shopify does not state a running/stopped fact with: the dates decide. */
const DATES_DECIDE = new Set(["UNDEFINED"]);

export interface CampaignTiming {
  status: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

export function isActive(campaign: CampaignTiming, now: Date): boolean {
  const t = now.getTime();
  if (campaign.startsAt && campaign.startsAt.getTime() > t) return false; // scheduled, not started
  if (campaign.endsAt && campaign.endsAt.getTime() <= t) return false; // ended (an end date is exclusive)
  if (campaign.status == null || campaign.status === "") return true; // manual: dates only
  const status = campaign.status.toUpperCase();
  return RUNNING.has(status) || DATES_DECIDE.has(status);
}

/** The state shown next to a campaign: running, scheduled (starts later), or ended/stopped. */
export type CampaignState = "active" | "scheduled" | "ended";

export function campaignState(campaign: CampaignTiming, now: Date): CampaignState {
  if (isActive(campaign, now)) return "active";
  const notStarted = campaign.startsAt != null && campaign.startsAt.getTime() > now.getTime();
  const stopped =
    campaign.status != null &&
    !RUNNING.has(campaign.status.toUpperCase()) &&
    !DATES_DECIDE.has(campaign.status.toUpperCase());
  return notStarted && !stopped ? "scheduled" : "ended";
}
