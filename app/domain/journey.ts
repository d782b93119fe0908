/**
 * What the app keeps of an order's customer journey (app/ingest/journey.ts reads it from Shopify, models/journey
 * stores it): UTM values, the marketing event, the order's position and the discount codes; no personal data.
 */
export interface UtmValues {
  source: string | null;
  medium: string | null;
  campaign: string | null;
}

export interface JourneyEvent {
  gid: string;
  tactic: string | null;
  channel: string | null;
  name: string | null;
}

export interface JourneyRow {
  orderGid: string;
  /** ready: Shopify has attributed the order; pending: not yet (read again later). */
  state: "ready" | "pending";
  customerOrderIndex: number | null;
  firstUtm: UtmValues;
  lastUtm: UtmValues;
  event: JourneyEvent | null;
  discountCodes: string[];
  simulated: boolean;
}

/** Whether a read journey names anything a campaign is found by (a UTM campaign, a marketing event, a code). */
export function journeyNamesACampaign(row: JourneyRow): boolean {
  return (
    row.lastUtm.campaign != null || row.firstUtm.campaign != null || row.event != null || row.discountCodes.length > 0
  );
}

/** A journey worth a row: one not read yet (read again later), or one naming a campaign. */
export function journeyIsKept(row: JourneyRow): boolean {
  return row.state === "pending" || journeyNamesACampaign(row);
}

/** A read journey naming nothing: any row its order had goes. */
export function journeyIsDropped(row: JourneyRow): boolean {
  return row.state === "ready" && !journeyNamesACampaign(row);
}

/** First wait after an order arrives, multiplied by 3 for each failed attempt: 5 min, 15 min, 45 min … about 20 h. */
export const FIRST_JOURNEY_DELAY_MS = 5 * 60 * 1000;

export function nextJourneyAttemptAt(now: Date, attemptsMade: number): Date {
  return new Date(now.getTime() + FIRST_JOURNEY_DELAY_MS * 3 ** attemptsMade);
}
