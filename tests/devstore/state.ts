/** In-memory state of the dev store's shops. Timestamps are epoch milliseconds (UTC); money is in minor units. */
import type { SimulatedJourney } from "./seed/journeys";
import type { AccessInput, InstallAccess } from "./access";

export type EmailMarketingState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING" | "INVALID" | "REDACTED";
export type OptInLevel = "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" | "UNKNOWN";
export type CancelReason = "CUSTOMER" | "DECLINED" | "FRAUD" | "INVENTORY" | "OTHER" | "STAFF";
export type FinancialStatus =
  "AUTHORIZED" | "EXPIRED" | "PAID" | "PARTIALLY_PAID" | "PARTIALLY_REFUNDED" | "PENDING" | "REFUNDED" | "VOIDED";

export interface EmailMarketingConsent {
  state: EmailMarketingState;
  optInLevel: OptInLevel | null;
  consentUpdatedAt: number | null;
}

export interface CustomerRec {
  id: number;
  createdAt: number;
  updatedAt: number;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  note: string | null;
  tags: string[];
  state: "DISABLED" | "ENABLED" | "INVITED" | "DECLINED";
  verifiedEmail: boolean;
  country: string | null;
  countryCode: string | null;
  emailMarketing: EmailMarketingConsent;
  /** Order ids of this customer, kept sorted by createdAt then id. */
  orderIds: number[];
}

export interface OrderLine {
  title: string;
  sku: string | null;
  quantity: number;
  priceMinor: number;
}

export interface OrderRec {
  id: number;
  number: number;
  name: string;
  createdAt: number;
  processedAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  cancelReason: CancelReason | null;
  closedAt: number | null;
  test: boolean;
  customerId: number | null;
  email: string | null;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  financialStatus: FinancialStatus;
  lines: OrderLine[];
  tags: string[];
  country: string | null;
  countryCode: string | null;
}

export interface MarketingActivityRec {
  id: number;
  title: string;
  status: string;
  tactic: string;
  marketingChannelType: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  scheduledToEndAt: number | null;
  endedAt: number | null;
  utm: { campaign: string | null; source: string | null; medium: string | null } | null;
  isExternal: boolean;
  remoteId: string | null;
  eventId: number;
  /** The app that created the activity: `marketingActivities` returns only the calling app's own. */
  app: string;
}

export interface DiscountRec {
  /** DiscountNode id (DiscountCodeNode / DiscountAutomaticNode share it). */
  id: number;
  kind: "code_basic" | "automatic_basic";
  title: string;
  status: "ACTIVE" | "EXPIRED" | "SCHEDULED";
  startsAt: number;
  endsAt: number | null;
  createdAt: number;
  updatedAt: number;
  codes: string[];
  /** null = all customers; otherwise customer segments the discount is limited to. */
  segmentIds: number[] | null;
  customerIds: number[] | null;
  percentage: number | null;
  amountMinor: number | null;
  summary: string;
  tags: string[];
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  asyncUsageCount: number;
}

export interface SegmentRec {
  id: number;
  name: string;
  query: string;
  creationDate: number;
  lastEditDate: number;
}

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

export interface BulkOpRec {
  id: number;
  type: "QUERY" | "MUTATION";
  status: BulkStatus;
  query: string;
  groupObjects: boolean;
  createdAt: number;
  completedAt: number | null;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  stagedUploadPath: string | null;
  clientIdentifier: string | null;
  /** The JSONL result on disk (tests/devstore/bulk-files.ts), served at /bulk-results/<id>.jsonl */
  resultFile: string | null;
  /** Pages a bulk query was executed in (the dev store's own bookkeeping; Shopify shows nothing of it). */
  pages: number;
}

export interface BucketState {
  maximumAvailable: number;
  restoreRate: number;
  available: number;
  updatedAt: number;
}

export interface ShopStats {
  requests: number;
  throttled: number;
  pointsUsed: number;
  maxCostExceeded: number;
}

export interface ShopState {
  domain: string;
  id: number;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  createdAt: number;
  installed: boolean;
  /** What the app's installation was granted: scopes and protected customer data. */
  access: InstallAccess;
  customers: Map<number, CustomerRec>;
  orders: Map<number, OrderRec>;
  marketingActivities: Map<number, MarketingActivityRec>;
  discounts: Map<number, DiscountRec>;
  segments: Map<number, SegmentRec>;
  bulkOps: Map<number, BulkOpRec>;
  bucket: BucketState;
  stats: ShopStats;
  nextOrderNumber: number;
  /** Orders given a simulated customer journey by a seed (seed/journeys.ts), by order id. */
  simulatedJourneys?: Map<number, SimulatedJourney>;
}

export interface ShopInit {
  name?: string;
  email?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  id?: number;
  createdAt?: number;
  bucket?: { maximumAvailable: number; restoreRate: number };
  /** The installation's scopes and protected customer data (default: the dev store's). */
  access?: AccessInput;
}

/** One id sequence for every object of a dev store (Shopify ids are globally unique). */
export class IdSequence {
  private next: number;
  constructor(start = 1_000_000) {
    this.next = start;
  }
  take(): number {
    return this.next++;
  }
  /** Makes sure later ids are above `id` (used after seeding with ids taken from data). */
  bump(id: number): void {
    if (id >= this.next) this.next = id + 1;
  }
}

export function newShop(
  domain: string,
  init: ShopInit,
  ids: IdSequence,
  now: number,
  bucket: { maximumAvailable: number; restoreRate: number },
  access: InstallAccess,
): ShopState {
  const handle = domain.replace(/\.myshopify\.com$/, "");
  const b = init.bucket ?? bucket;
  return {
    domain,
    id: init.id ?? ids.take(),
    name: init.name ?? handle.replace(/[-_]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase()),
    email: init.email ?? `owner@${domain}`,
    currencyCode: init.currencyCode ?? "USD",
    ianaTimezone: init.ianaTimezone ?? "UTC",
    createdAt: init.createdAt ?? now,
    installed: true,
    access,
    customers: new Map(),
    orders: new Map(),
    marketingActivities: new Map(),
    discounts: new Map(),
    segments: new Map(),
    bulkOps: new Map(),
    bucket: {
      maximumAvailable: b.maximumAvailable,
      restoreRate: b.restoreRate,
      available: b.maximumAvailable,
      updatedAt: now,
    },
    stats: { requests: 0, throttled: 0, pointsUsed: 0, maxCostExceeded: 0 },
    nextOrderNumber: 1001,
  };
}

export function emptyCustomer(id: number, now: number): CustomerRec {
  return {
    id,
    createdAt: now,
    updatedAt: now,
    email: null,
    firstName: null,
    lastName: null,
    phone: null,
    note: null,
    tags: [],
    state: "DISABLED",
    verifiedEmail: true,
    country: null,
    countryCode: null,
    emailMarketing: { state: "NOT_SUBSCRIBED", optInLevel: null, consentUpdatedAt: null },
    orderIds: [],
  };
}

/** Inserts an order id into a customer's list keeping (createdAt, id) order. */
export function attachOrder(shop: ShopState, customer: CustomerRec, order: OrderRec): void {
  const ids = customer.orderIds;
  const key = (id: number) => {
    const o = shop.orders.get(id);
    return o ? o.createdAt : 0;
  };
  let i = ids.length;
  while (i > 0 && (key(ids[i - 1]) > order.createdAt || (key(ids[i - 1]) === order.createdAt && ids[i - 1] > order.id)))
    i--;
  ids.splice(i, 0, order.id);
}

export function detachOrder(customer: CustomerRec, orderId: number): void {
  const i = customer.orderIds.indexOf(orderId);
  if (i >= 0) customer.orderIds.splice(i, 1);
}

export interface CustomerAggregates {
  numberOfOrders: number;
  amountSpentMinor: number;
  lastOrderId: number | null;
}

/**
 * numberOfOrders / amountSpent as the dev store computes them: test orders are left out;
 * amountSpent is the sum of order totals less refunds (so a cancelled and refunded order adds 0).
 */
export function customerAggregates(shop: ShopState, c: CustomerRec): CustomerAggregates {
  let n = 0;
  let spent = 0;
  let last: number | null = null;
  for (const id of c.orderIds) {
    const o = shop.orders.get(id);
    if (!o) continue;
    last = o.id;
    if (o.test) continue;
    n++;
    spent += o.totalMinor - o.refundedMinor;
  }
  return { numberOfOrders: n, amountSpentMinor: spent, lastOrderId: last };
}

/** Tag normalisation as Shopify does it: trimmed, de-duplicated case-insensitively (first spelling wins). */
export function splitTags(input: string[] | string): string[] {
  const raw = Array.isArray(input) ? input.flatMap((t) => t.split(",")) : input.split(",");
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of raw) {
    const tag = t.trim();
    if (!tag) continue;
    const k = tag.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(tag);
  }
  return out;
}
