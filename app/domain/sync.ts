/**
 * The sync's shared vocabulary: why a customer was re-classified, a stage change as Flow hears of it, and what a tag
 * write did. Low in the layering so that models, the Shopify writers and the services all read the same types.
 */

export type ChangeCause = "order" | "consent" | "time" | "backfill" | "settings" | "merge";

export interface StageChangeEvent {
  customerGid: string;
  fromStage: string | null;
  toStage: string;
  winbackTier: number | null;
  daysSinceLastOrder: number | null;
}

export type TagWriteOutcome = { gid: string; ok: true; tags: string[] } | { gid: string; ok: false; error: string };
