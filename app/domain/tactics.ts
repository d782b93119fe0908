/**
 * Shopify marketing activities → stages. Shopify tells the app an activity's tactic (MarketingTactic) and channel
 * (MarketingChannel), not whom it is aimed at, so the stage comes from this table; the merchant can override it per
 * activity on the Campaigns page (Campaign.stageOverridden), and a refresh keeps the override.
 *
 * | tactic          | stage | why                                                                  | Stage 1 kind            |
 * |-----------------|-------|----------------------------------------------------------------------|-------------------------|
 * | AD              | 1     | ads reach people who do not know the shop yet                         | target customers (search ads: get found) |
 * | AFFILIATE       | 1     | other people's audiences                                              | target customers        |
 * | POST            | 1     | blog and social posts make the shop seen                              | shine a light           |
 * | LINK            | 1     | links placed elsewhere                                                | shine a light           |
 * | SEO             | 1     | being found by people searching                                       | get found               |
 * | STOREFRONT_APP  | 2     | a pop-up on the online store turns visitors into subscribers          |                         |
 * | NEWSLETTER      | 3     | sent to subscribers (enquirers) to bring the first order              |                         |
 * | MESSAGE         | 3     | messages to people who started a conversation                         |                         |
 * | NOTIFICATION    | 3     | push notifications to opted-in visitors                               |                         |
 * | ABANDONED_CART  | 3     | an enquirer with a basket, not yet a buyer                            |                         |
 * | RETARGETING     | 3     | remarketing to people who visited and did not buy                     |                         |
 * | TRANSACTIONAL   | 4     | order and shipping emails reach first-time buyers: the second order   |                         |
 * | LOYALTY         | 5     | rewards for buying again and again                                    |                         |
 *
 * A newsletter can be Stage 2 work too (a sign-up newsletter); that is what the override is for.
 */
import type { StageNumber, StageOneKind } from "./stages";

export const MARKETING_TACTICS = [
  "ABANDONED_CART",
  "AD",
  "AFFILIATE",
  "LINK",
  "LOYALTY",
  "MESSAGE",
  "NEWSLETTER",
  "NOTIFICATION",
  "POST",
  "RETARGETING",
  "SEO",
  "STOREFRONT_APP",
  "TRANSACTIONAL",
] as const;
export type MarketingTactic = (typeof MARKETING_TACTICS)[number];

export const TACTIC_STAGE: Readonly<Record<MarketingTactic, StageNumber>> = {
  AD: 1,
  AFFILIATE: 1,
  POST: 1,
  LINK: 1,
  SEO: 1,
  STOREFRONT_APP: 2,
  NEWSLETTER: 3,
  MESSAGE: 3,
  NOTIFICATION: 3,
  ABANDONED_CART: 3,
  RETARGETING: 3,
  TRANSACTIONAL: 4,
  LOYALTY: 5,
};

/** The stage an unknown (newer than this table) tactic falls into until the merchant overrides it. */
export const UNKNOWN_TACTIC_STAGE: StageNumber = 1;

const TACTIC_KIND: Partial<Record<MarketingTactic, StageOneKind>> = {
  AD: "target-customers",
  AFFILIATE: "target-customers",
  POST: "shine-a-light",
  LINK: "shine-a-light",
  SEO: "get-found",
};

export function isMarketingTactic(value: unknown): value is MarketingTactic {
  return typeof value === "string" && (MARKETING_TACTICS as readonly string[]).includes(value);
}

export interface TacticMapping {
  stage: StageNumber;
  stageOneKind: StageOneKind | null;
}

/** The default stage (and, for Stage 1, kind) of a marketing activity; paid search ads are "get found". */
export function defaultStageForTactic(tactic: string, channel?: string | null): TacticMapping {
  const stage = isMarketingTactic(tactic) ? TACTIC_STAGE[tactic] : UNKNOWN_TACTIC_STAGE;
  if (stage !== 1) return { stage, stageOneKind: null };
  if (tactic === "AD" && channel === "SEARCH") return { stage, stageOneKind: "get-found" };
  const kind = isMarketingTactic(tactic) ? TACTIC_KIND[tactic] : undefined;
  return { stage, stageOneKind: kind ?? "shine-a-light" };
}

export interface StoredMapping {
  stage: number;
  stageOneKind: string | null;
  stageOverridden: boolean;
}

/**
 * The stage an imported activity gets on refresh: the merchant's override when there is one, else the table.
 * `existing` is the stored campaign (null for a new activity).
 */
export function stageForActivity(
  tactic: string,
  channel: string | null,
  existing: StoredMapping | null,
): TacticMapping & { stageOverridden: boolean } {
  if (existing?.stageOverridden) {
    return {
      stage: existing.stage as StageNumber,
      stageOneKind: existing.stage === 1 ? (existing.stageOneKind as StageOneKind | null) : null,
      stageOverridden: true,
    };
  }
  return { ...defaultStageForTactic(tactic, channel), stageOverridden: false };
}
