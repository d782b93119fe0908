/** A campaign found in orders, as app/campaigns/found.ts finds it and models/campaign stores it. */
import type { StageNumber } from "./stages";

export type FoundSource = "found_campaign" | "found_code";

export interface StageFigures {
  orders: number;
  revenueMinor: bigint;
  /** Of these orders, the returns of lapsed customers (Stage 4 only). */
  winbackOrders: number;
}

export interface FoundCampaign {
  source: FoundSource;
  /** event:<gid>, utm:<campaign in lower case> or code:<CODE>; unique per shop and source. */
  externalId: string;
  name: string;
  tactic: string | null;
  channel: string | null;
  stage: StageNumber;
  orders: number;
  revenueMinor: bigint;
  firstOrderAt: Date;
  lastOrderAt: Date;
  perStage: Partial<Record<StageNumber, StageFigures>>;
  /** Every order behind it came from a journey the dev store simulated. */
  simulated: boolean;
}
