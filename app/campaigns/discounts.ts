/**
 * Discounts → stages. A discount is a campaign of the app's board when its eligibility (2026-10: `context`, a
 * DiscountContext; DiscountCustomerSegments lists the segments) targets one of the app's stage segments, or a
 * segment whose query tests one of the app's tags (`customer_tags CONTAINS 'lifecycle:lapsed'`), or when the
 * discount itself carries an app tag. The customers it targets are at a level, and a level is the source of exactly
 * one stage (STAGE_FOR_AUDIENCE): a discount for first-time buyers is Stage 4 work, one for lapsed customers too.
 * Discounts open to everyone (DiscountBuyerSelectionAll), to listed customers or to markets are not stage marketing
 * the app can place, and are not imported.
 */
import { STAGES, type Stage } from "../lifecycle";
import { STAGE_FOR_AUDIENCE, type StageNumber } from "../domain/stages";

export interface DiscountSegment {
  id: string;
  name?: string | null;
  query?: string | null;
}

export interface DiscountTargeting {
  /** DiscountContext.__typename */
  contextType: string;
  segments: readonly DiscountSegment[];
  tags: readonly string[];
}

export interface AppSegment {
  stage: string;
  segmentGid: string;
}

export interface DiscountStage {
  stage: StageNumber;
  /** The model state the discount's customers are in. */
  audience: Stage;
}

const WINBACK_TAG = /^winback-\d+$/;

/** The model state an app tag names (`<prefix>first-time-buyer` → first-time-buyer; win-back tiers → lapsed). */
export function stageOfAppTag(tag: string, prefix: string): Stage | null {
  const lower = tag.trim().toLowerCase();
  const p = prefix.toLowerCase();
  if (!lower.startsWith(p)) return null;
  const rest = lower.slice(p.length);
  if ((STAGES as readonly string[]).includes(rest)) return rest as Stage;
  if (WINBACK_TAG.test(rest)) return "lapsed";
  return null;
}

/** App tags a ShopifyQL segment query tests with `customer_tags CONTAINS '…'` (negated tests are not targeting). */
export function appTagStagesInSegmentQuery(query: string, prefix: string): Stage[] {
  const found: Stage[] = [];
  const pattern = /(NOT\s+)?customer_tags\s+(NOT\s+)?CONTAINS\s+'((?:[^'\\]|\\.)*)'/gi;
  for (const match of query.matchAll(pattern)) {
    if (match[1] || match[2]) continue;
    const stage = stageOfAppTag(match[3].replace(/\\(.)/g, "$1"), prefix);
    if (stage && !found.includes(stage)) found.push(stage);
  }
  return found;
}

/**
 * The stage a discount belongs to, or null when it does not target the app's segments or tags. When it targets
 * several, the earliest stage wins (its audience is the furthest from buying regularly).
 */
export function stageForDiscount(
  targeting: DiscountTargeting,
  appSegments: readonly AppSegment[],
  tagPrefix: string,
): DiscountStage | null {
  const audiences: Stage[] = [];
  if (targeting.contextType === "DiscountCustomerSegments") {
    for (const segment of targeting.segments) {
      const app = appSegments.find((s) => s.segmentGid === segment.id);
      if (app && (STAGES as readonly string[]).includes(app.stage)) audiences.push(app.stage as Stage);
      else if (segment.query) audiences.push(...appTagStagesInSegmentQuery(segment.query, tagPrefix));
    }
  }
  for (const tag of targeting.tags) {
    const stage = stageOfAppTag(tag, tagPrefix);
    if (stage) audiences.push(stage);
  }
  if (audiences.length === 0) return null;
  const best = audiences
    .map((audience) => ({ audience, stage: STAGE_FOR_AUDIENCE[audience] }))
    .sort((a, b) => a.stage - b.stage || STAGES.indexOf(a.audience) - STAGES.indexOf(b.audience))[0];
  return best;
}
