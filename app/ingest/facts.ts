import type { EmailMarketingState } from "../lifecycle";
import type { CustomerRow, OrderRow } from "../domain/facts";

export type { CustomerRow, OrderRow };

const MARKETING_STATES: readonly EmailMarketingState[] = [
  "SUBSCRIBED",
  "NOT_SUBSCRIBED",
  "PENDING",
  "UNSUBSCRIBED",
  "REDACTED",
  "INVALID",
];

export function toMarketingState(value: unknown): EmailMarketingState {
  const normalized = String(value ?? "")
    .trim()
    .toUpperCase();
  if ((MARKETING_STATES as readonly string[]).includes(normalized)) return normalized as EmailMarketingState;
  throw new Error(`Unknown email marketing state "${String(value)}"`);
}

/** The largest amount of minor units a fact stores: the columns are signed 64-bit integers. */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

/**
 * Decimal money string ("12.3", "-0.50", "1000") to integer hundredths, exactly (no float rounding). An amount past
 * ±MAX_MINOR_UNITS is refused: SQLite would keep it as a float (infinite for 400 digits) that no read turns back
 * into an integer.
 */
export function toMinorUnits(amount: unknown): bigint {
  const text = String(amount ?? "0").trim();
  const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === ""))
    throw new Error(`Not a money amount: "${text.slice(0, 40)}"`);
  const whole = match[2].replace(/^0+/, "");
  const outOfRange = () => new Error(`Money amount out of range: "${text.slice(0, 40)}${text.length > 40 ? "…" : ""}"`);
  // More whole digits than 2^63 hundredths can have; checked before BigInt reads a long text.
  if (whole.length > 17) throw outOfRange();
  const fraction = (match[3] ?? "").padEnd(2, "0");
  // Beyond two decimals (rare currencies, rounding residue) round half up on the third digit.
  let minor = BigInt(whole || "0") * 100n + BigInt(fraction.slice(0, 2));
  if (fraction.length > 2 && Number(fraction[2]) >= 5) minor += 1n;
  if (minor > MAX_MINOR_UNITS) throw outOfRange();
  return match[1] ? -minor : minor;
}

export function customerGid(id: unknown): string {
  const text = String(id);
  if (text.startsWith("gid://shopify/Customer/")) return text;
  if (!/^\d+$/.test(text)) throw new Error(`Not a customer id: "${text}"`);
  return `gid://shopify/Customer/${text}`;
}

export function orderGid(id: unknown): string {
  const text = String(id);
  if (text.startsWith("gid://shopify/Order/")) return text;
  if (!/^\d+$/.test(text)) throw new Error(`Not an order id: "${text}"`);
  return `gid://shopify/Order/${text}`;
}

function toDate(value: unknown, field: string): Date {
  const date = new Date(String(value));
  if (value == null || Number.isNaN(date.getTime())) throw new Error(`${field} is not a date: "${String(value)}"`);
  return date;
}

function optionalDate(value: unknown, field: string): Date | null {
  return value == null || value === "" ? null : toDate(value, field);
}

function financialFlags(status: unknown, totalMinor: bigint, refundedMinor: bigint) {
  const normalized = String(status ?? "").toUpperCase();
  return {
    voided: normalized === "VOIDED",
    fullyRefunded: normalized === "REFUNDED" || (totalMinor > 0n && refundedMinor >= totalMinor),
  };
}

interface GraphqlOrderNode {
  id: string;
  createdAt: string;
  updatedAt?: string | null;
  cancelledAt?: string | null;
  test: boolean;
  displayFinancialStatus?: string | null;
  totalPriceSet: { shopMoney: { amount: string; currencyCode?: string } };
  totalRefundedSet: { shopMoney: { amount: string } };
  customer?: { id: string } | null;
}

/** An order node from the Admin GraphQL API (bulk line or query). */
export function orderFromGraphql(
  node: GraphqlOrderNode,
  customer: string | null = node.customer?.id ?? null,
): OrderRow {
  const totalMinor = toMinorUnits(node.totalPriceSet.shopMoney.amount);
  const refundedMinor = toMinorUnits(node.totalRefundedSet.shopMoney.amount);
  return {
    gid: orderGid(node.id),
    customerGid: customer,
    createdAt: toDate(node.createdAt, "createdAt"),
    totalMinor,
    refundedMinor,
    currencyCode: node.totalPriceSet.shopMoney.currencyCode ?? null,
    cancelled: node.cancelledAt != null,
    test: Boolean(node.test),
    ...financialFlags(node.displayFinancialStatus, totalMinor, refundedMinor),
    shopifyUpdatedAt: optionalDate(node.updatedAt, "updatedAt"),
  };
}

/** An orders/* webhook payload (REST shape). */
export function orderFromWebhook(payload: Record<string, unknown>): OrderRow {
  const id = payload.admin_graphql_api_id ?? payload.id;
  const totalMinor = toMinorUnits(payload.total_price);
  // current_total_price reflects refunds, returns and edits; the difference is what was taken back.
  const current = payload.current_total_price == null ? totalMinor : toMinorUnits(payload.current_total_price);
  const refundedMinor = totalMinor > current ? totalMinor - current : 0n;
  const customer = payload.customer as Record<string, unknown> | null | undefined;
  return {
    gid: orderGid(id),
    customerGid: customer ? customerGid(customer.admin_graphql_api_id ?? customer.id) : null,
    createdAt: toDate(payload.created_at, "created_at"),
    totalMinor,
    refundedMinor,
    currencyCode: (payload.currency as string | undefined) ?? null,
    cancelled: payload.cancelled_at != null,
    test: Boolean(payload.test),
    ...financialFlags(payload.financial_status, totalMinor, refundedMinor),
    shopifyUpdatedAt: optionalDate(payload.updated_at, "updated_at"),
  };
}

interface GraphqlCustomerNode {
  id: string;
  createdAt?: string | null;
  updatedAt?: string | null;
  tags?: string[];
  /** The customer's default email address and its consent (null: the customer has no email, so no consent). */
  defaultEmailAddress?: {
    marketingState: string;
    marketingOptInLevel?: string | null;
    marketingUpdatedAt?: string | null;
  } | null;
}

export function customerFromGraphql(node: GraphqlCustomerNode): CustomerRow {
  return {
    gid: customerGid(node.id),
    shopifyCreatedAt: optionalDate(node.createdAt, "createdAt"),
    shopifyUpdatedAt: optionalDate(node.updatedAt, "updatedAt"),
    // A customer without an email has no default email address, so no consent: not subscribed.
    emailMarketingState: node.defaultEmailAddress
      ? toMarketingState(node.defaultEmailAddress.marketingState)
      : "NOT_SUBSCRIBED",
    consentUpdatedAt: optionalDate(node.defaultEmailAddress?.marketingUpdatedAt, "marketingUpdatedAt"),
    tags: node.tags,
  };
}

export function customerFromWebhook(payload: Record<string, unknown>): CustomerRow {
  return {
    gid: customerGid(payload.admin_graphql_api_id ?? payload.id),
    shopifyCreatedAt: optionalDate(payload.created_at, "created_at"),
    shopifyUpdatedAt: optionalDate(payload.updated_at, "updated_at"),
  };
}
