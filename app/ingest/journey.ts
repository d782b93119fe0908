/**
 * What an order's customer journey summary and discount codes say about the campaign behind it, kept without
 * personal data: UTM values, the marketing event's id, tactic, channel and name, the order's position in the
 * customer's history, and the codes used. No landing pages, referrer URLs or referral codes.
 */
import type { JourneySummaryData, JourneyVisitData } from "../graphql/OrderJourneysQuery";
import { orderGid } from "./facts";
import type { JourneyEvent, JourneyRow, UtmValues } from "../domain/journey";

export { journeyNamesACampaign, type JourneyEvent, type JourneyRow, type UtmValues } from "../domain/journey";

/** Longest UTM value, event name or discount code kept (Shopify's discount codes are at most 255 characters). */
export const MAX_JOURNEY_TEXT = 255;
/** Most discount codes kept per order. */
export const MAX_ORDER_CODES = 20;
/** The dev store marks the visits it simulates with a sourceDescription starting with this word (case ignored). */
const SIMULATED_VISIT = /^simulated\b/i;

function text(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed.slice(0, MAX_JOURNEY_TEXT);
}

function utmOf(visit: JourneyVisitData | null | undefined): UtmValues {
  const utm = visit?.utmParameters;
  return { source: text(utm?.source), medium: text(utm?.medium), campaign: text(utm?.campaign) };
}

function eventOf(visit: JourneyVisitData | null | undefined): JourneyEvent | null {
  const event = visit?.marketingEvent;
  if (!event || typeof event.id !== "string") return null;
  return {
    gid: event.id,
    tactic: text(event.type),
    channel: text(event.marketingChannelType),
    name: text(event.utmCampaign) ?? text(event.description),
  };
}

function orderIndex(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : null;
}

/** Distinct codes, case kept as Shopify returns them, matched without case (Shopify's codes are case-insensitive). */
function codesOf(codes: unknown): string[] {
  if (!Array.isArray(codes)) return [];
  const seen = new Map<string, string>();
  for (const code of codes) {
    const value = text(code);
    if (value && !seen.has(value.toUpperCase())) seen.set(value.toUpperCase(), value);
    if (seen.size >= MAX_ORDER_CODES) break;
  }
  return [...seen.values()];
}

/** An order node's journey (bulk line or OrderJourneysQuery node). A summary that is null or not ready is pending. */
export function journeyFromGraphql(node: {
  id: string;
  discountCodes?: unknown;
  customerJourneySummary?: JourneySummaryData | null;
}): JourneyRow {
  const summary = node.customerJourneySummary;
  const ready = summary?.ready === true;
  const visits = [summary?.lastVisit, summary?.firstVisit];
  return {
    orderGid: orderGid(node.id),
    state: ready ? "ready" : "pending",
    customerOrderIndex: ready ? orderIndex(summary?.customerOrderIndex) : null,
    firstUtm: utmOf(ready ? summary?.firstVisit : null),
    lastUtm: utmOf(ready ? summary?.lastVisit : null),
    // The last visit's event is the one that brought the order; the first visit's when the last had none.
    event: ready ? (eventOf(summary?.lastVisit) ?? eventOf(summary?.firstVisit)) : null,
    discountCodes: codesOf(node.discountCodes),
    simulated: ready && visits.some((v) => v?.sourceDescription != null && SIMULATED_VISIT.test(v.sourceDescription)),
  };
}
