/**
 * Shared vocabulary of the lifecycle model. Kept free of logic so every other module (and other engineers' code)
 * can import the names without pulling in the rules.
 */

export const EMAIL_MARKETING_STATES = [
  "SUBSCRIBED",
  "NOT_SUBSCRIBED",
  "PENDING",
  "UNSUBSCRIBED",
  "REDACTED",
  "INVALID",
] as const;
export type EmailMarketingState = (typeof EMAIL_MARKETING_STATES)[number];

export const STAGES = [
  "visitor",
  "enquirer",
  "first-time-buyer",
  "repeat-buyer",
  "regular-buyer",
  "lapsed",
  "returned",
] as const;
export type Stage = (typeof STAGES)[number];

/** Tier names are stable identifiers (they end up in tags); the day counts that start them are settings. */
export const WINBACK_TIERS = [90, 180, 360] as const;
export type WinbackTier = (typeof WINBACK_TIERS)[number];

export interface OrderFacts {
  /** Epoch milliseconds, UTC. */
  createdAt: number;
  /** Integer minor units (any consistent integer scale works: the model only compares total with refunds). */
  totalMinor: number;
  refundedMinor: number;
  cancelled: boolean;
  test: boolean;
  voided: boolean;
  fullyRefunded: boolean;
}

export interface CustomerFacts {
  emailMarketingState: EmailMarketingState;
  orders: readonly OrderFacts[];
}

export interface ShopStats {
  /** Q: the shop-wide gap threshold in days, already clamped (or the small-shop fallback). */
  gapThresholdDays: number;
  /** m: how many inter-order gaps the shop has across all customers. */
  gapCount: number;
  usedSmallShopFallback: boolean;
}

export type ThresholdSource = "customer" | "shop" | "fixed";

export type ExplanationKey =
  | "noOrders"
  | "emailSubscribed"
  | "emailNotSubscribed"
  | "orders"
  | "lastOrder"
  | "lapsesAfter"
  | "lapsedAfter"
  | "winbackTier"
  | "returnedAfterGap";

export interface ExplanationPart {
  key: ExplanationKey;
  values: Record<string, number | string>;
}

/** Structured so the UI can translate it; app/i18n's `explain()` turns it into a sentence. Numbers are raw (days unrounded). */
export type Explanation = ExplanationPart[];

export interface Classification {
  stage: Stage;
  winbackTier: WinbackTier | null;
  /** Earliest instant (epoch ms, an integer) strictly after `now` at which the result changes, or null. */
  nextTransitionAt: number | null;
  /** L from all the customer's gaps (what the lapse rule uses). */
  lapseThresholdDays: number;
  thresholdSource: ThresholdSource;
  /**
   * True when a change of the shop threshold Q could change this result: either L itself is Q, or the `returned`
   * comparison uses Q while the returned window is still open. The daily job re-evaluates these when Q changes.
   */
  usesShopThreshold: boolean;
  qualifyingOrderCount: number;
  ordersInWindow: number;
  lastOrderAt: number | null;
  daysSinceLastOrder: number | null;
  explanation: Explanation;
}
