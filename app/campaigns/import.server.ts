/**
 * Imports the shop's marketing activities and the discounts that target the app's segments or tags into Campaign
 * rows, mapped to stages (app/domain/tactics.ts, app/campaigns/discounts.ts). Idempotent: a refresh upserts what
 * Shopify returns, keeps the merchant's stage overrides, and removes imported campaigns Shopify no longer has.
 * Runs on demand (Campaigns page, "Refresh now") and on a schedule (the `campaigns` job).
 */
import type { Db } from "../db.server";
import { MarketingActivitiesQuery } from "../graphql/MarketingActivitiesQuery";
import { DiscountNodesQuery } from "../graphql/DiscountNodesQuery";
import type { DiscountNodesQueryQuery, MarketingActivitiesQueryQuery } from "../types/admin.generated";
import type { GraphqlRequester } from "../shopify/requester.server";
import { stageForActivity } from "../domain/tactics";
import { stageForDiscount, type AppSegment } from "./discounts";

export const CAMPAIGN_SOURCES = ["marketing_activity", "discount", "manual"] as const;
export type CampaignSource = (typeof CAMPAIGN_SOURCES)[number];

export type MarketingActivityNode = MarketingActivitiesQueryQuery["marketingActivities"]["nodes"][number];
export type DiscountNodeData = DiscountNodesQueryQuery["discountNodes"]["nodes"][number];

/** Pages of 100; a shop with more than MAX_PAGES × 100 activities keeps its newest ones. */
const PAGE_SIZE = 100;
const MAX_PAGES = 50;

export interface ImportedCampaign {
  source: Exclude<CampaignSource, "manual">;
  externalId: string;
  name: string;
  status: string | null;
  tactic: string | null;
  channel: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  stage: number;
  stageOneKind: string | null;
  stageOverridden: boolean;
}

export interface RefreshSummary {
  marketingActivities: number;
  discounts: number;
  removed: number;
}

function date(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A marketing activity as a campaign: runs from its event's start to its actual end, else its scheduled end. */
export function campaignFromActivity(
  node: MarketingActivityNode,
  existing: { stage: number; stageOneKind: string | null; stageOverridden: boolean } | null,
): ImportedCampaign {
  const mapping = stageForActivity(node.tactic, node.marketingChannelType, existing);
  return {
    source: "marketing_activity",
    externalId: node.id,
    name: node.title,
    status: node.status,
    tactic: node.tactic,
    channel: node.marketingChannelType,
    startsAt: date(node.marketingEvent?.startedAt) ?? date(node.createdAt),
    endsAt: date(node.marketingEvent?.endedAt) ?? date(node.marketingEvent?.scheduledToEndAt),
    ...mapping,
  };
}

/** A discount as a campaign, or null when it does not target the app's segments or tags. */
export function campaignFromDiscount(
  node: DiscountNodeData,
  appSegments: readonly AppSegment[],
  tagPrefix: string,
): ImportedCampaign | null {
  const d = node.discount;
  const mapped = stageForDiscount(
    {
      contextType: d.context?.__typename ?? "",
      segments: (d.context && "segments" in d.context ? d.context.segments : null) ?? [],
      tags: d.tags ?? [],
    },
    appSegments,
    tagPrefix,
  );
  if (!mapped) return null;
  return {
    source: "discount",
    externalId: node.id,
    name: d.title,
    status: d.status,
    tactic: null,
    channel: d.__typename.startsWith("DiscountAutomatic") ? "AUTOMATIC_DISCOUNT" : "DISCOUNT_CODE",
    startsAt: date(d.startsAt),
    endsAt: date(d.endsAt),
    stage: mapped.stage,
    stageOneKind: null,
    stageOverridden: false,
  };
}

/** Every node of a connection, page by page (at most MAX_PAGES pages of PAGE_SIZE). */
async function fetchAll<N>(
  page: (
    after: string | null,
  ) => Promise<{ nodes: N[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }>,
): Promise<N[]> {
  const all: N[] = [];
  let after: string | null = null;
  for (let count = 0; count < MAX_PAGES; count++) {
    const conn = await page(after);
    all.push(...conn.nodes);
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) break;
    after = conn.pageInfo.endCursor;
  }
  return all;
}

export async function refreshCampaigns(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  options: { now: Date; tagPrefix: string },
): Promise<RefreshSummary> {
  const [activities, discounts, appSegments, stored] = await Promise.all([
    fetchAll((after) =>
      client
        .request(MarketingActivitiesQuery, { first: PAGE_SIZE, after })
        .then(({ data }) => data.marketingActivities),
    ),
    fetchAll((after) =>
      client.request(DiscountNodesQuery, { first: PAGE_SIZE, after }).then(({ data }) => data.discountNodes),
    ),
    db.shopSegment.findMany({ where: { shop }, select: { stage: true, segmentGid: true } }),
    db.campaign.findMany({
      where: { shop, source: { in: ["marketing_activity", "discount"] } },
      select: { id: true, source: true, externalId: true, stage: true, stageOneKind: true, stageOverridden: true },
    }),
  ]);
  const existing = new Map(stored.map((c) => [`${c.source}|${c.externalId}`, c]));
  const imported: ImportedCampaign[] = [
    ...activities.map((a) => campaignFromActivity(a, existing.get(`marketing_activity|${a.id}`) ?? null)),
    ...discounts.flatMap((d) => {
      const campaign = campaignFromDiscount(d, appSegments, options.tagPrefix);
      if (!campaign) return [];
      const prior = existing.get(`discount|${d.id}`);
      // A discount's stage follows its targeting unless the merchant moved it.
      return [
        prior?.stageOverridden
          ? { ...campaign, stage: prior.stage, stageOneKind: prior.stageOneKind, stageOverridden: true }
          : campaign,
      ];
    }),
  ];
  const seen = new Set(imported.map((c) => `${c.source}|${c.externalId}`));
  const gone = stored.filter((c) => !seen.has(`${c.source}|${c.externalId}`)).map((c) => c.id);

  await db.$transaction([
    ...imported.map((c) => {
      const data = {
        name: c.name,
        status: c.status,
        tactic: c.tactic,
        channel: c.channel,
        startsAt: c.startsAt,
        endsAt: c.endsAt,
        stage: c.stage,
        stageOneKind: c.stageOneKind,
        stageOverridden: c.stageOverridden,
        refreshedAt: options.now,
      };
      return db.campaign.upsert({
        where: { shop_source_externalId: { shop, source: c.source, externalId: c.externalId } },
        create: { shop, source: c.source, externalId: c.externalId, ...data },
        update: data,
      });
    }),
    db.campaign.deleteMany({ where: { id: { in: gone } } }),
  ]);
  return {
    marketingActivities: imported.filter((c) => c.source === "marketing_activity").length,
    discounts: imported.filter((c) => c.source === "discount").length,
    removed: gone.length,
  };
}
