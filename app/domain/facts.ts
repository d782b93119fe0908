/**
 * A customer and an order as the app stores them (the facts): what webhooks and bulk exports are turned into
 * (app/ingest/facts.ts) and what app/models/facts.server.ts writes.
 */
import type { EmailMarketingState } from "../lifecycle";

/** An order as the app stores it: only what the lifecycle model reads. */
export interface OrderRow {
  gid: string;
  customerGid: string | null;
  createdAt: Date;
  totalMinor: bigint;
  refundedMinor: bigint;
  currencyCode: string | null;
  cancelled: boolean;
  test: boolean;
  voided: boolean;
  fullyRefunded: boolean;
  shopifyUpdatedAt: Date | null;
}

export interface CustomerRow {
  gid: string;
  shopifyCreatedAt: Date | null;
  shopifyUpdatedAt: Date | null;
  /** undefined = the source did not say (customers/update payloads no longer carry consent). */
  emailMarketingState?: EmailMarketingState;
  consentUpdatedAt?: Date | null;
  tags?: string[];
}
