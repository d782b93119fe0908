/**
 * SIMULATED customer journeys for the dev store's `Order.customerJourneySummary`. The UCI Online Retail data has no
 * web analytics, so the demo's attribution is GENERATED, deterministically from a hash of each order's id:
 * JOURNEY_SHARE of the seeded orders get a first and a last visit with UTM parameters from SIMULATED_CAMPAIGNS (chosen
 * by whom the campaign is for: first orders, second orders, regulars, customers returning after a long gap), some of
 * them a Shopify Email marketing event, and some a discount code. Every simulated visit says so in its
 * `sourceDescription` ("Simulated visit (dev store): …"), which the app reads as "simulated" and labels in the UI.
 *
 * Orders without a simulated journey (the rest of the seed, and orders created later) still get a summary like
 * Shopify's for an order with no online-store session: ready, its customerOrderIndex, no visits. An order is not
 * attributed (ready false, no index) until ATTRIBUTION_DELAY_MS after it was created, as on Shopify.
 */
import type { OrderRec, ShopState } from "../state";
import { hashShare } from "../util";

export const JOURNEY_SHARE = 0.35;
export const ATTRIBUTION_DELAY_MS = 60_000;
export const SIMULATED_VISIT_PREFIX = "Simulated visit (dev store)";
/** A return after this many days counts as a win-back for the simulation's choice of campaign. */
const WINBACK_GAP_DAYS = 150;
const DAY_MS = 86_400_000;

type Audience = "first" | "second" | "regular" | "winback";

export interface SimulatedCampaign {
  audience: Audience;
  source: string;
  medium: string;
  campaign: string;
  weight: number;
  /** A Shopify Email marketing event (id in MarketingEvent's gid space) behind the visit. */
  eventId?: number;
  code?: string;
  /** Share of its orders that use the code. */
  codeShare?: number;
  /** Runs only over this part of the seeded year (0 = the oldest order, 1 = the newest). */
  window?: [number, number];
}

export const SIMULATED_CAMPAIGNS: readonly SimulatedCampaign[] = [
  { audience: "first", source: "google", medium: "cpc", campaign: "gifts-search", weight: 0.35 },
  {
    audience: "first",
    source: "instagram",
    medium: "paid_social",
    campaign: "new-season-launch",
    weight: 0.25,
    window: [0.3, 0.75],
  },
  {
    audience: "first",
    source: "shopify_email",
    medium: "email",
    campaign: "welcome-series",
    weight: 0.4,
    eventId: 9101,
    code: "WELCOME10",
    codeShare: 0.6,
  },
  {
    audience: "second",
    source: "shopify_email",
    medium: "email",
    campaign: "thank-you-come-back",
    weight: 0.7,
    eventId: 9102,
    code: "SECOND15",
    codeShare: 0.5,
  },
  { audience: "second", source: "facebook", medium: "paid_social", campaign: "retarget-buyers", weight: 0.3 },
  {
    audience: "regular",
    source: "shopify_email",
    medium: "email",
    campaign: "vip-early-access",
    weight: 0.6,
    eventId: 9103,
    code: "VIP20",
    codeShare: 0.4,
  },
  { audience: "regular", source: "newsletter", medium: "email", campaign: "monthly-newsletter", weight: 0.4 },
  {
    audience: "winback",
    source: "shopify_email",
    medium: "email",
    campaign: "we-miss-you",
    weight: 1,
    eventId: 9104,
    code: "COMEBACK",
    codeShare: 0.7,
  },
];

export interface SimulatedVisit {
  source: string;
  medium: string;
  campaign: string;
  eventId: number | null;
  occurredAt: number;
}

export interface SimulatedJourney {
  first: SimulatedVisit;
  last: SimulatedVisit;
  codes: string[];
}

/** The order's position among its customer's non-test orders (Shopify: "Test orders aren't included"). */
export function customerOrderIndex(shop: ShopState, order: OrderRec): number {
  if (order.customerId === null) return 1;
  const customer = shop.customers.get(order.customerId);
  if (!customer) return 1;
  let index = 0;
  for (const id of customer.orderIds) {
    const other = shop.orders.get(id);
    if (!other || other.test) continue;
    if (other.createdAt < order.createdAt || (other.createdAt === order.createdAt && other.id <= order.id)) index++;
  }
  return Math.max(index, 1);
}

function previousOrderAt(shop: ShopState, order: OrderRec): number | null {
  if (order.customerId === null) return null;
  let previous: number | null = null;
  for (const id of shop.customers.get(order.customerId)?.orderIds ?? []) {
    const other = shop.orders.get(id);
    if (other && !other.test && other.createdAt < order.createdAt && (previous === null || other.createdAt > previous))
      previous = other.createdAt;
  }
  return previous;
}

function audienceOf(shop: ShopState, order: OrderRec, index: number): Audience {
  const previous = previousOrderAt(shop, order);
  if (previous !== null && order.createdAt - previous > WINBACK_GAP_DAYS * DAY_MS) return "winback";
  return index === 1 ? "first" : index === 2 ? "second" : "regular";
}

function pick(candidates: readonly SimulatedCampaign[], share: number): SimulatedCampaign {
  const total = candidates.reduce((s, c) => s + c.weight, 0);
  let acc = 0;
  for (const c of candidates) {
    acc += c.weight / total;
    if (share < acc) return c;
  }
  return candidates[candidates.length - 1];
}

/**
 * Gives JOURNEY_SHARE of the shop's current non-test orders a simulated journey (deterministic: the same orders and
 * campaigns on every run). Returns how many.
 */
export function simulateJourneys(shop: ShopState): number {
  const orders = [...shop.orders.values()].filter((o) => !o.test);
  if (orders.length === 0) return 0;
  const oldest = Math.min(...orders.map((o) => o.createdAt));
  const span = Math.max(1, Math.max(...orders.map((o) => o.createdAt)) - oldest);
  const journeys = new Map<number, SimulatedJourney>();
  for (const order of orders) {
    if (hashShare(`journey:${order.id}`) >= JOURNEY_SHARE) continue;
    const position = (order.createdAt - oldest) / span;
    const audience = audienceOf(shop, order, customerOrderIndex(shop, order));
    const running = SIMULATED_CAMPAIGNS.filter(
      (c) => c.audience === audience && (!c.window || (position >= c.window[0] && position <= c.window[1])),
    );
    if (running.length === 0) continue;
    const campaign = pick(running, hashShare(`journey:campaign:${order.id}`));
    const visit = (daysBefore: number): SimulatedVisit => ({
      source: campaign.source,
      medium: campaign.medium,
      campaign: campaign.campaign,
      eventId: campaign.eventId ?? null,
      occurredAt: order.createdAt - daysBefore * DAY_MS,
    });
    const usesCode = campaign.code !== undefined && hashShare(`journey:code:${order.id}`) < (campaign.codeShare ?? 0);
    journeys.set(order.id, {
      first: visit(1 + Math.floor(hashShare(`journey:days:${order.id}`) * 6)),
      last: visit(0),
      codes: usesCode ? [campaign.code!] : [],
    });
  }
  shop.simulatedJourneys = journeys;
  return journeys.size;
}

function visitView(v: SimulatedVisit, orderId: number, which: "first" | "last") {
  const campaign = SIMULATED_CAMPAIGNS.find((c) => c.campaign === v.campaign);
  return {
    __typename: "CustomerVisit",
    id: `gid://shopify/CustomerVisit/${orderId * 10 + (which === "first" ? 1 : 2)}`,
    occurredAt: new Date(v.occurredAt).toISOString(),
    source: v.source,
    sourceType: v.medium === "email" ? "NEWSLETTER" : "AD",
    sourceDescription: `${SIMULATED_VISIT_PREFIX}: ${v.source} / ${v.medium}`,
    utmParameters: {
      __typename: "UTMParameters",
      source: v.source,
      medium: v.medium,
      campaign: v.campaign,
      content: null,
      term: null,
    },
    marketingEvent:
      v.eventId === null
        ? null
        : {
            __typename: "MarketingEvent",
            id: `gid://shopify/MarketingEvent/${v.eventId}`,
            type: "NEWSLETTER",
            marketingChannelType: "EMAIL",
            utmCampaign: v.campaign,
            utmSource: v.source,
            utmMedium: v.medium,
            description: campaign ? `Shopify Email: ${campaign.campaign}` : null,
            startedAt: new Date(v.occurredAt - 7 * DAY_MS).toISOString(),
          },
    landingPage: null,
    landingPageHtml: null,
    referrerUrl: null,
    referralCode: null,
    referralInfoHtml: "",
  };
}

/** Order.customerJourneySummary as the dev store answers it (see the header). */
export function journeySummaryView(shop: ShopState, order: OrderRec, now: number) {
  const ready = now >= order.createdAt + ATTRIBUTION_DELAY_MS;
  const journey = ready ? shop.simulatedJourneys?.get(order.id) : undefined;
  return {
    __typename: "CustomerJourneySummary",
    ready,
    customerOrderIndex: ready && !order.test ? customerOrderIndex(shop, order) : null,
    daysToConversion: journey ? Math.round((order.createdAt - journey.first.occurredAt) / DAY_MS) : null,
    firstVisit: journey ? visitView(journey.first, order.id, "first") : null,
    lastVisit: journey ? visitView(journey.last, order.id, "last") : null,
  };
}

/** Order.discountCodes: the codes of its simulated journey. */
export function simulatedDiscountCodes(shop: ShopState, order: OrderRec): string[] {
  return shop.simulatedJourneys?.get(order.id)?.codes ?? [];
}
