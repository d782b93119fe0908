/**
 * Campaigns found in the orders they brought (pure: no database, no clock). Shopify's journey summary names, for each
 * order, the UTM parameters of the first and last visit and the marketing event behind them; the order names the
 * discount codes it used. Orders are grouped twice:
 * - by campaign: the marketing event of the visit (an app's or Shopify's own campaign), else the last visit's
 *   utm_campaign, else the first visit's (utm_campaign compared without case);
 * - by discount code (without case: Shopify's codes are case-insensitive). An order using a code also counts in its
 *   UTM or event campaign; the two lists answer different questions and are never added together.
 *
 * Each order is placed at the stage whose conversion it is, by whom it converted (Shopify's customerOrderIndex):
 * the first order → Stage 3 (a subscriber's first order too: Stage 2 ends at the subscription), the second → Stage 4,
 * the third and later → Stage 5, and any later order of a customer who had lapsed → Stage 4 (win-back). "Lapsed" is the
 * app's own rule applied to the customer's stored order history as of the order: the customer's qualifying orders
 * before it, classified by the lifecycle rules (app/lifecycle) at the instant of the order with the shop's stored
 * threshold and settings — the stage the customer's tag said just before they bought.
 *
 * A campaign's stage is the one where most of its orders fall; a tie goes to the stage with more revenue, then to the
 * earlier stage. The merchant may move it (the found stage is then kept aside).
 */
import {
  classifyTimes,
  isQualifyingOrder,
  type LifecycleSettings,
  type OrderFacts,
  type ShopStats,
} from "../lifecycle";
import type { StageNumber } from "../domain/stages";
import type { FoundCampaign, FoundSource, StageFigures } from "../domain/found-campaign";

export type { FoundCampaign, FoundSource, StageFigures };

/** One order with its journey, as stored (app/models/journey.server.ts). */
export interface JourneyOrder {
  orderGid: string;
  customerGid: string | null;
  createdAt: Date;
  netMinor: bigint;
  qualifying: boolean;
  customerOrderIndex: number | null;
  lastUtmSource: string | null;
  lastUtmMedium: string | null;
  lastUtmCampaign: string | null;
  firstUtmCampaign: string | null;
  eventGid: string | null;
  eventTactic: string | null;
  eventChannel: string | null;
  eventName: string | null;
  discountCodes: readonly string[];
  simulated: boolean;
}

/** One stored order of a customer, with what decides whether it qualifies (the lifecycle's own order facts). */
export type HistoryOrder = OrderFacts;

export interface PlacementContext {
  histories: ReadonlyMap<string, readonly HistoryOrder[]>;
  stats: ShopStats;
  settings: LifecycleSettings;
}

export interface OrderPlacement {
  stage: 3 | 4 | 5;
  winback: boolean;
}

/** The customer's qualifying order times strictly before `at`, sorted. */
function qualifyingTimesBefore(history: readonly HistoryOrder[] | undefined, at: number): number[] {
  if (!history) return [];
  const times: number[] = [];
  for (const order of history) if (order.createdAt < at && isQualifyingOrder(order, at)) times.push(order.createdAt);
  return times.sort((a, b) => a - b);
}

/** Where one order converts, or null when neither Shopify nor the stored history says which order it was. */
export function placeOrder(order: JourneyOrder, ctx: PlacementContext): OrderPlacement | null {
  const at = order.createdAt.getTime();
  const before = order.customerGid ? qualifyingTimesBefore(ctx.histories.get(order.customerGid), at) : [];
  const index =
    order.customerOrderIndex ?? (order.customerGid && ctx.histories.has(order.customerGid) ? before.length + 1 : null);
  if (index === null) return null;
  if (index === 1) return { stage: 3, winback: false };
  if (before.length > 0 && classifyTimes(before, "NOT_SUBSCRIBED", ctx.stats, ctx.settings, at).stage === "lapsed")
    return { stage: 4, winback: true };
  return { stage: index === 2 ? 4 : 5, winback: false };
}

interface GroupKey {
  source: FoundSource;
  externalId: string;
  name: string;
  tactic: string | null;
  channel: string | null;
}

function utmChannel(order: JourneyOrder): string | null {
  const parts = [order.lastUtmSource, order.lastUtmMedium].filter((p): p is string => p != null);
  return parts.length > 0 ? parts.join(" / ") : null;
}

/** The groups an order belongs to: at most one campaign, and one per discount code. */
export function groupsOf(order: JourneyOrder): GroupKey[] {
  const groups: GroupKey[] = [];
  const utm = order.lastUtmCampaign ?? order.firstUtmCampaign;
  if (order.eventGid) {
    groups.push({
      source: "found_campaign",
      externalId: `event:${order.eventGid}`,
      name: order.eventName ?? utm ?? order.eventGid,
      tactic: order.eventTactic,
      channel: order.eventChannel,
    });
  } else if (utm) {
    groups.push({
      source: "found_campaign",
      externalId: `utm:${utm.toLowerCase()}`,
      name: utm,
      tactic: null,
      channel: utmChannel(order),
    });
  }
  const codes = new Set<string>();
  for (const code of order.discountCodes) {
    const key = code.toUpperCase();
    if (codes.has(key)) continue;
    codes.add(key);
    groups.push({
      source: "found_code",
      externalId: `code:${key}`,
      name: code,
      tactic: null,
      channel: "DISCOUNT_CODE",
    });
  }
  return groups;
}

/** The stage where most orders fall; ties: more revenue, then the earlier stage. */
export function mainStage(perStage: Partial<Record<StageNumber, StageFigures>>): StageNumber {
  let best: { stage: StageNumber; figures: StageFigures } | null = null;
  for (const stage of [3, 4, 5] as const) {
    const figures = perStage[stage];
    if (!figures || figures.orders === 0) continue;
    if (
      !best ||
      figures.orders > best.figures.orders ||
      (figures.orders === best.figures.orders && figures.revenueMinor > best.figures.revenueMinor)
    )
      best = { stage, figures };
  }
  return best?.stage ?? 3;
}

/**
 * Groups the qualifying orders into campaigns with their figures per stage. Orders that are not qualifying (test,
 * cancelled, voided, fully refunded) and orders that cannot be placed are left out. Sorted by orders, then name.
 */
export function findCampaigns(orders: readonly JourneyOrder[], ctx: PlacementContext): FoundCampaign[] {
  const found = new Map<string, FoundCampaign>();
  // Newest first, so a campaign's name is spelt as in its latest order.
  const sorted = [...orders].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  for (const order of sorted) {
    if (!order.qualifying) continue;
    const placement = placeOrder(order, ctx);
    if (!placement) continue;
    for (const group of groupsOf(order)) {
      const key = `${group.source}|${group.externalId}`;
      let campaign = found.get(key);
      if (!campaign) {
        campaign = {
          ...group,
          stage: 3,
          orders: 0,
          revenueMinor: 0n,
          firstOrderAt: order.createdAt,
          lastOrderAt: order.createdAt,
          perStage: {},
          simulated: true,
        };
        found.set(key, campaign);
      }
      const figures = (campaign.perStage[placement.stage] ??= { orders: 0, revenueMinor: 0n, winbackOrders: 0 });
      figures.orders += 1;
      figures.revenueMinor += order.netMinor;
      if (placement.winback) figures.winbackOrders += 1;
      campaign.orders += 1;
      campaign.revenueMinor += order.netMinor;
      if (order.createdAt < campaign.firstOrderAt) campaign.firstOrderAt = order.createdAt;
      campaign.simulated &&= order.simulated;
    }
  }
  const list = [...found.values()];
  for (const campaign of list) campaign.stage = mainStage(campaign.perStage);
  return list.sort(
    (a, b) => b.orders - a.orders || a.name.localeCompare(b.name) || a.externalId.localeCompare(b.externalId),
  );
}
