/**
 * Resolvers over the dev store's in-memory state, attached to the REAL Admin API
 * 2026-10 schema by walking its types and setting `field.resolve`. Views are plain
 * objects whose properties are named like the schema fields (functions for fields
 * with arguments); a field a view does not have raises
 * "devstore: <Type>.<field> is not implemented" instead of resolving to null.
 */
import {
  GraphQLError,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";
import { compileSearch, type SearchSpec, type SearchWarning } from "./search";
import {
  customerAggregates,
  splitTags,
  type BulkOpRec,
  type CustomerRec,
  type DiscountRec,
  type MarketingActivityRec,
  type OrderRec,
  type SegmentRec,
  type ShopState,
} from "./state";
import { formatMinor, gid, iso, parseGid, tzOffsetMinutes } from "./util";
import { shopifyqlQueryField } from "./shopifyql";
import {
  accessRules,
  fieldAccessError,
  grantedScopes,
  hasScope,
  resolvedObjectError,
  type FieldAccess,
} from "./access";
import { loadAdminSchemaJson } from "./schema";
import { triggerPayloadProblems, type FlowTriggerDefinition } from "./flow";
import { journeySummaryView, simulatedDiscountCodes } from "./seed/journeys";

export interface StagedTarget {
  url: string;
  resourceUrl: string | null;
  parameters: Array<{ name: string; value: string }>;
}

/** What the resolvers need from the dev store. Implemented by server.ts. */
export interface StoreApi {
  now(): number;
  readonly origin: string;
  readonly apiKey: string;
  takeId(): number;
  customerTagsChanged(shop: ShopState, c: CustomerRec, added: string[], removed: string[]): void;
  orderTagsChanged(shop: ShopState, o: OrderRec): void;
  startBulkQuery(shop: ShopState, query: string, groupObjects: boolean): { op?: BulkOpRec; userErrors: UserErr[] };
  startBulkMutation(
    shop: ShopState,
    mutation: string,
    stagedUploadPath: string,
    clientIdentifier: string | null,
    groupObjects: boolean,
  ): { op?: BulkOpRec; userErrors: UserErr[] };
  cancelBulk(shop: ShopState, id: number): { op?: BulkOpRec; userErrors: UserErr[] };
  createStagedUpload(shop: ShopState, input: StagedUploadInputArg): StagedTarget;
  recordFlowTrigger(shop: ShopState, handle: string | null, payload: unknown): void;
  /** The app's flow_trigger extension with this handle. */
  flowTrigger(handle: string): FlowTriggerDefinition | undefined;
}

export interface StagedUploadInputArg {
  resource: string;
  filename: string;
  mimeType: string;
  httpMethod?: string | null;
  fileSize?: string | null;
}

export interface UserErr {
  field: string[] | null;
  message: string;
  code?: string | null;
}

export interface ExecCtx {
  store: StoreApi;
  shop: ShopState;
  /** Bulk operations ignore `first`/`last` limits (as Shopify does). */
  bulk: boolean;
  /** A bulk query runs page by page: its top-level connections yield only this window of their nodes. */
  bulkWindow?: BulkWindow;
  now: number;
  search: Array<{ path: Array<string | number>; query: string; warnings: SearchWarning[] }>;
}

type View = Record<string, unknown>;
type FieldFn = (args: Record<string, any>, ctx: ExecCtx, info: GraphQLResolveInfo) => unknown;

export const MAX_PAGE_SIZE = 250;
export const MAX_TAGS = 250;
/** The Order object's docs: "Only the last 60 days' worth of orders from a store are accessible … by default." */
export const DEFAULT_ORDER_WINDOW_MS = 60 * 86_400_000;

/** An order the installation can see: all of them with read_all_orders, else those created in the last 60 days. */
export function orderVisible(ctx: ExecCtx, o: OrderRec): boolean {
  return hasScope(ctx.shop.access, "read_all_orders") || o.createdAt >= ctx.now - DEFAULT_ORDER_WINDOW_MS;
}

// ---------------------------------------------------------------- helpers

function money(minor: number, currency: string): View {
  return { __typename: "MoneyV2", amount: formatMinor(minor), currencyCode: currency };
}
function moneyBag(minor: number, currency: string): View {
  const m = money(minor, currency);
  return { __typename: "MoneyBag", shopMoney: m, presentmentMoney: m };
}

function pathOf(info: GraphQLResolveInfo): Array<string | number> {
  const out: Array<string | number> = [];
  for (let p: GraphQLResolveInfo["path"] | undefined = info.path; p; p = p.prev) out.unshift(p.key);
  return out;
}

function searchFilter<T>(q: string | null | undefined, spec: SearchSpec<T>, ctx: ExecCtx, info: GraphQLResolveInfo) {
  const warnings: SearchWarning[] = [];
  const pred = compileSearch(q, spec, ctx.now, warnings);
  if (warnings.length && q) ctx.search.push({ path: pathOf(info), query: q, warnings });
  return pred;
}

function encodeCursor(lastId: number, lastValue: unknown): string {
  return Buffer.from(JSON.stringify({ last_id: lastId, last_value: lastValue })).toString("base64");
}
function decodeCursor(c: string): { last_id: number; last_value: unknown } {
  try {
    const v = JSON.parse(Buffer.from(c, "base64").toString("utf8"));
    if (v && typeof v.last_id === "number") return v;
  } catch {
    /* fall through */
  }
  throw new GraphQLError("Invalid cursor for current pagination sort.", { extensions: { code: "BAD_REQUEST" } });
}

type SortVal = number | string;
function cmp(a: SortVal, b: SortVal): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * The part of a bulk query's top-level connections one execution yields, so that a store of millions of orders is
 * exported a page at a time instead of as one result held in memory. Each connection is sorted once per operation.
 */
export interface BulkWindow {
  offset: number;
  limit: number;
  /** The longest top-level connection seen, set as the query runs: the export is done when offset passes it. */
  rootTotal: number;
  sorted: Map<string, unknown[]>;
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

/**
 * Relay connection over `items` sorted by (sortValue, id), reversed when `reverse`.
 * Cursors carry {last_id, last_value} like Shopify's; positions are found by comparing keys,
 * so a cursor stays valid when its item is deleted.
 */
export function connection<T extends { id: number }>(
  ctx: ExecCtx,
  info: GraphQLResolveInfo,
  args: PageArgs,
  items: T[],
  sortValue: (item: T) => SortVal,
  view: (item: T) => View,
): View {
  const { first, last, after, before } = args;
  if (!ctx.bulk) {
    if (first == null && last == null) throw new GraphQLError("you must provide one of first or last");
    if (first != null && last != null) throw new GraphQLError("providing both first and last is not supported");
    for (const [label, size] of [
      ["first", first],
      ["last", last],
    ] as const) {
      if (size != null && (size < 0 || size > MAX_PAGE_SIZE))
        throw new GraphQLError(
          `Argument '${label}' on Field '${info.fieldName}' has an invalid value (${size}). Expected a page size from 0 to ${MAX_PAGE_SIZE}.`,
        );
    }
  }
  const dir = args.reverse ? -1 : 1;
  const sortItems = () => {
    const sorted = items.map((item) => ({ item, v: sortValue(item) }));
    return sorted.sort((a, b) => dir * (cmp(a.v, b.v) || a.item.id - b.item.id));
  };
  const window = ctx.bulk && info.path.prev === undefined ? ctx.bulkWindow : undefined;
  let keyed: Array<{ item: T; v: SortVal }>;
  if (window) {
    const key = `${info.fieldName}:${JSON.stringify(args)}`;
    keyed = (window.sorted.get(key) as typeof keyed | undefined) ?? sortItems();
    window.sorted.set(key, keyed);
    window.rootTotal = Math.max(window.rootTotal, keyed.length);
  } else keyed = sortItems();
  const cmpCursor = (k: { item: T; v: SortVal }, c: { last_id: number; last_value: unknown }) =>
    dir * (cmp(k.v, c.last_value as SortVal) || k.item.id - c.last_id);
  let start = 0;
  let end = keyed.length;
  if (after) {
    const c = decodeCursor(after);
    while (start < end && cmpCursor(keyed[start], c) <= 0) start++;
  }
  if (before) {
    const c = decodeCursor(before);
    let e = start;
    while (e < end && cmpCursor(keyed[e], c) < 0) e++;
    end = e;
  }
  let from = start;
  let to = end;
  if (!ctx.bulk) {
    if (first != null) to = Math.min(to, from + first);
    if (last != null) from = Math.max(from, to - last);
  } else if (window) {
    from = Math.min(end, start + window.offset);
    to = Math.min(end, from + window.limit);
  }
  const slice = keyed.slice(from, to);
  const nodes = slice.map((k) => view(k.item));
  // Encoded only where the selection asks for it (graphql-js calls a function-valued field): a bulk export of
  // millions of nodes rarely does.
  const cursor = (k: { item: T; v: SortVal } | undefined) => (k ? encodeCursor(k.item.id, k.v) : null);
  return {
    edges: nodes.map((node, i) => ({ cursor: () => cursor(slice[i]), node })),
    nodes,
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: to < keyed.length,
      hasPreviousPage: from > 0,
      startCursor: () => cursor(slice[0]),
      endCursor: () => cursor(slice[slice.length - 1]),
    },
  };
}

function count(n: number, limit: number | null | undefined): View {
  if (limit != null && n > limit) return { count: limit, precision: "AT_LEAST" };
  return { count: n, precision: "EXACT" };
}

// ---------------------------------------------------------------- search specs

const ORDER_STATUS = (o: OrderRec): string[] => {
  if (o.cancelledAt !== null) return ["cancelled"];
  return o.closedAt !== null ? ["closed"] : ["open"];
};

function customerSpec(shop: ShopState): SearchSpec<CustomerRec> {
  const agg = (c: CustomerRec) => customerAggregates(shop, c);
  return {
    defaultText: (c) => [c.email ?? "", c.firstName ?? "", c.lastName ?? "", ...c.tags],
    fields: {
      id: { kind: "id", get: (c) => c.id },
      customer_id: { kind: "id", get: (c) => c.id },
      email: { kind: "string", get: (c) => c.email },
      first_name: { kind: "string", get: (c) => c.firstName },
      last_name: { kind: "string", get: (c) => c.lastName },
      phone: { kind: "string", get: (c) => c.phone },
      tag: { kind: "tags", get: (c) => c.tags },
      tag_not: {
        kind: "tags",
        get: (c) => c.tags,
        match: (c, _op, v) => !c.tags.some((t) => t.toLowerCase() === v.toLowerCase()),
      },
      created_at: { kind: "date", get: (c) => c.createdAt },
      updated_at: { kind: "date", get: (c) => c.updatedAt },
      country: {
        kind: "string",
        get: (c) => c.country,
        match: (c, _op, v) => [c.country, c.countryCode].some((x) => x !== null && x.toLowerCase() === v.toLowerCase()),
      },
      orders_count: { kind: "number", get: (c) => agg(c).numberOfOrders },
      number_of_orders: { kind: "number", get: (c) => agg(c).numberOfOrders },
      total_spent: { kind: "number", get: (c) => agg(c).amountSpentMinor / 100 },
      amount_spent: { kind: "number", get: (c) => agg(c).amountSpentMinor / 100 },
      accepts_marketing: { kind: "bool", get: (c) => c.emailMarketing.state === "SUBSCRIBED" },
      email_marketing_state: { kind: "string", get: (c) => c.emailMarketing.state },
      email_subscription_status: { kind: "string", get: (c) => c.emailMarketing.state },
      state: { kind: "string", get: (c) => c.state },
      last_order_date: {
        kind: "date",
        get: (c) => {
          const id = c.orderIds[c.orderIds.length - 1];
          return id === undefined ? null : (shop.orders.get(id)?.createdAt ?? null);
        },
      },
    },
  };
}

function orderSpec(shop: ShopState): SearchSpec<OrderRec> {
  return {
    defaultText: (o) => [o.name, o.email ?? "", ...o.tags],
    fields: {
      id: { kind: "id", get: (o) => o.id },
      name: {
        kind: "string",
        get: (o) => o.name,
        match: (o, _op, v) =>
          o.name.toLowerCase() === v.toLowerCase() || o.name.toLowerCase() === `#${v.toLowerCase()}`,
      },
      created_at: { kind: "date", get: (o) => o.createdAt },
      updated_at: { kind: "date", get: (o) => o.updatedAt },
      processed_at: { kind: "date", get: (o) => o.processedAt },
      cancelled_at: { kind: "date", get: (o) => o.cancelledAt },
      customer_id: { kind: "id", get: (o) => o.customerId },
      email: {
        kind: "string",
        get: (o) => o.email ?? (o.customerId !== null ? shop.customers.get(o.customerId)?.email : null),
      },
      tag: { kind: "tags", get: (o) => o.tags },
      tag_not: {
        kind: "tags",
        get: (o) => o.tags,
        match: (o, _op, v) => !o.tags.some((t) => t.toLowerCase() === v.toLowerCase()),
      },
      test: { kind: "bool", get: (o) => o.test },
      financial_status: { kind: "string", get: (o) => o.financialStatus },
      status: {
        kind: "string",
        get: (o) => ORDER_STATUS(o)[0],
        match: (o, _op, v) => v.toLowerCase() === "any" || ORDER_STATUS(o).includes(v.toLowerCase()),
      },
      total_price: { kind: "number", get: (o) => o.totalMinor / 100 },
    },
  };
}

// ---------------------------------------------------------------- views

function displayName(c: CustomerRec): string {
  const full = [c.firstName, c.lastName].filter(Boolean).join(" ");
  return full || c.email || c.phone || "";
}

function addressView(c: {
  id: number;
  country: string | null;
  countryCode: string | null;
  firstName?: string | null;
  lastName?: string | null;
}): View | null {
  if (!c.country && !c.countryCode) return null;
  const name = [c.firstName, c.lastName].filter(Boolean).join(" ") || null;
  return {
    __typename: "MailingAddress",
    id: gid("MailingAddress", c.id) + "?model_name=CustomerAddress",
    address1: null,
    address2: null,
    city: null,
    company: null,
    country: c.country,
    countryCodeV2: c.countryCode,
    countryCode: c.countryCode,
    firstName: c.firstName ?? null,
    lastName: c.lastName ?? null,
    name,
    phone: null,
    province: null,
    provinceCode: null,
    zip: null,
    latitude: null,
    longitude: null,
    coordinatesValidated: false,
    formattedArea: c.country,
    timeZone: null,
    formatted: () => [c.country].filter(Boolean),
  };
}

export function customerView(ctx: ExecCtx, c: CustomerRec): View {
  const shop = ctx.shop;
  const agg = () => customerAggregates(shop, c);
  const em = c.emailMarketing;
  return {
    __typename: "Customer",
    id: gid("Customer", c.id),
    legacyResourceId: String(c.id),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: displayName(c),
    phone: c.phone,
    note: c.note,
    tags: c.tags,
    state: c.state,
    verifiedEmail: c.verifiedEmail,
    validEmailAddress: c.email !== null,
    taxExempt: false,
    taxExemptions: [],
    locale: "en",
    dataSaleOptOut: false,
    multipassIdentifier: null,
    canDelete: () => c.orderIds.length === 0,
    numberOfOrders: () => String(agg().numberOfOrders),
    amountSpent: () => money(agg().amountSpentMinor, shop.currencyCode),
    emailMarketingConsent: c.email
      ? {
          marketingState: em.state,
          marketingOptInLevel: em.optInLevel,
          consentUpdatedAt: iso(em.consentUpdatedAt),
          sourceLocation: null,
        }
      : null,
    defaultEmailAddress: c.email
      ? {
          emailAddress: c.email,
          marketingState: em.state === "REDACTED" ? "NOT_SUBSCRIBED" : em.state,
          marketingOptInLevel: em.optInLevel,
          marketingUpdatedAt: iso(em.consentUpdatedAt),
          validFormat: true,
          sourceLocation: null,
        }
      : null,
    defaultPhoneNumber: null,
    smsMarketingConsent: null,
    defaultAddress: addressView(c),
    addresses: () => {
      const a = addressView(c);
      return a ? [a] : [];
    },
    lastOrder: () => {
      const id = c.orderIds[c.orderIds.length - 1];
      const o = id === undefined ? undefined : shop.orders.get(id);
      return o && orderVisible(ctx, o) ? orderView(ctx, o) : null;
    },
    orders: (args: Record<string, any>, cx: ExecCtx, info: GraphQLResolveInfo) => {
      const pred = searchFilter(args.query, orderSpec(shop), cx, info);
      const list: OrderRec[] = [];
      for (const id of c.orderIds) {
        const o = shop.orders.get(id);
        if (o && orderVisible(cx, o) && pred(o)) list.push(o);
      }
      return connection(cx, info, args, list, orderSortValue(args.sortKey), (o) => orderView(cx, o));
    },
  };
}

function orderSortValue(sortKey: string | null | undefined): (o: OrderRec) => SortVal {
  switch (sortKey) {
    case "CREATED_AT":
      return (o) => o.createdAt;
    case "PROCESSED_AT":
      return (o) => o.processedAt;
    case "UPDATED_AT":
      return (o) => o.updatedAt;
    case "ORDER_NUMBER":
      return (o) => o.number;
    case "TOTAL_PRICE":
      return (o) => o.totalMinor;
    case "CURRENT_TOTAL_PRICE":
      return (o) => o.totalMinor - o.refundedMinor;
    case "FINANCIAL_STATUS":
      return (o) => o.financialStatus;
    default:
      return (o) => o.id;
  }
}

function customerSortValue(shop: ShopState, sortKey: string | null | undefined): (c: CustomerRec) => SortVal {
  switch (sortKey) {
    case "CREATED_AT":
      return (c) => c.createdAt;
    case "UPDATED_AT":
      return (c) => c.updatedAt;
    case "NAME":
      return (c) => displayName(c).toLowerCase();
    case "LOCATION":
      return (c) => (c.country ?? "").toLowerCase();
    default:
      return (c) => c.id;
  }
}

export function orderView(ctx: ExecCtx, o: OrderRec): View {
  const shop = ctx.shop;
  const cur = o.currency;
  const net = o.totalMinor - o.refundedMinor;
  const customer = () => {
    if (o.customerId === null) return null;
    const c = shop.customers.get(o.customerId);
    return c ? customerView(ctx, c) : null;
  };
  const zero = moneyBag(0, cur);
  return {
    __typename: "Order",
    id: gid("Order", o.id),
    legacyResourceId: String(o.id),
    name: o.name,
    number: o.number,
    createdAt: iso(o.createdAt),
    processedAt: iso(o.processedAt),
    updatedAt: iso(o.updatedAt),
    cancelledAt: iso(o.cancelledAt),
    cancelReason: o.cancelReason,
    closed: o.closedAt !== null,
    closedAt: iso(o.closedAt),
    test: o.test,
    email: o.email,
    phone: null,
    note: null,
    tags: o.tags,
    confirmed: true,
    edited: false,
    sourceName: "web",
    currencyCode: cur,
    presentmentCurrencyCode: cur,
    displayFinancialStatus: o.financialStatus,
    fullyPaid:
      o.financialStatus === "PAID" || o.financialStatus === "REFUNDED" || o.financialStatus === "PARTIALLY_REFUNDED",
    unpaid: o.financialStatus === "PENDING",
    refundable: net > 0 && o.cancelledAt === null,
    customerAcceptsMarketing: () => {
      const c = o.customerId !== null ? shop.customers.get(o.customerId) : undefined;
      return c?.emailMarketing.state === "SUBSCRIBED";
    },
    customerLocale: "en",
    discountCode: simulatedDiscountCodes(shop, o)[0] ?? null,
    discountCodes: simulatedDiscountCodes(shop, o),
    customerJourneySummary: () => journeySummaryView(shop, o, ctx.store.now()),
    paymentGatewayNames: [],
    totalPriceSet: moneyBag(o.totalMinor, cur),
    originalTotalPriceSet: moneyBag(o.totalMinor, cur),
    subtotalPriceSet: moneyBag(o.totalMinor, cur),
    currentSubtotalPriceSet: moneyBag(net, cur),
    currentTotalPriceSet: moneyBag(net, cur),
    totalRefundedSet: moneyBag(o.refundedMinor, cur),
    netPaymentSet: moneyBag(net, cur),
    totalReceivedSet: moneyBag(o.financialStatus === "PENDING" ? 0 : o.totalMinor, cur),
    totalOutstandingSet: moneyBag(o.financialStatus === "PENDING" ? o.totalMinor : 0, cur),
    totalDiscountsSet: zero,
    currentTotalDiscountsSet: zero,
    totalTaxSet: zero,
    currentTotalTaxSet: zero,
    totalShippingPriceSet: zero,
    currentShippingPriceSet: zero,
    totalTipReceivedSet: zero,
    subtotalLineItemsQuantity: o.lines.reduce((s, l) => s + l.quantity, 0),
    currentSubtotalLineItemsQuantity: o.cancelledAt === null ? o.lines.reduce((s, l) => s + l.quantity, 0) : 0,
    customer,
    lineItems: (args: Record<string, any>, cx: ExecCtx, info: GraphQLResolveInfo) => {
      const lines = o.lines.map((l, i) => ({ ...l, id: o.id * 1000 + i }));
      return connection(
        cx,
        info,
        args,
        lines,
        (l) => l.id,
        (l) => ({
          __typename: "LineItem",
          id: gid("LineItem", l.id),
          title: l.title,
          name: l.title,
          sku: l.sku,
          quantity: l.quantity,
          currentQuantity: o.cancelledAt === null ? l.quantity : 0,
          originalUnitPriceSet: moneyBag(l.priceMinor, cur),
          originalTotalSet: moneyBag(l.priceMinor * l.quantity, cur),
          discountedTotalSet: () => moneyBag(l.priceMinor * l.quantity, cur),
          totalDiscountSet: moneyBag(0, cur),
          variantTitle: null,
          vendor: null,
          variant: null,
          product: null,
          taxable: true,
          requiresShipping: true,
          isGiftCard: false,
        }),
      );
    },
  };
}

function shopView(ctx: ExecCtx): View {
  const s = ctx.shop;
  const offset = tzOffsetMinutes(s.ianaTimezone, ctx.now);
  return {
    __typename: "Shop",
    id: gid("Shop", s.id),
    name: s.name,
    myshopifyDomain: s.domain,
    email: s.email,
    contactEmail: s.email,
    currencyCode: s.currencyCode,
    ianaTimezone: s.ianaTimezone,
    timezoneOffsetMinutes: offset,
    timezoneAbbreviation: tzAbbreviation(s.ianaTimezone, ctx.now),
    url: `https://${s.domain}`,
    createdAt: iso(s.createdAt),
    shopOwnerName: "Dev Store Owner",
    weightUnit: "KILOGRAMS",
    primaryDomain: {
      __typename: "Domain",
      id: gid("Domain", s.id),
      host: s.domain,
      url: `https://${s.domain}`,
      sslEnabled: true,
    },
  };
}

function tzAbbreviation(tz: string, at: number): string {
  try {
    const p = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "short" }).formatToParts(new Date(at));
    return p.find((x) => x.type === "timeZoneName")?.value ?? "UTC";
  } catch {
    return "UTC";
  }
}

export function bulkOpView(op: BulkOpRec): View {
  return {
    __typename: "BulkOperation",
    id: gid("BulkOperation", op.id),
    status: op.status,
    type: op.type,
    query: op.query,
    createdAt: iso(op.createdAt),
    completedAt: iso(op.completedAt),
    errorCode: op.errorCode,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.fileSize === null ? null : String(op.fileSize),
    url: op.url,
    partialDataUrl: op.partialDataUrl,
  };
}

function segmentView(s: SegmentRec): View {
  return {
    __typename: "Segment",
    id: gid("Segment", s.id),
    name: s.name,
    query: s.query,
    creationDate: iso(s.creationDate),
    lastEditDate: iso(s.lastEditDate),
  };
}

function marketingActivityView(ctx: ExecCtx, a: MarketingActivityRec): View {
  const event = {
    __typename: "MarketingEvent",
    id: gid("MarketingEvent", a.eventId),
    legacyResourceId: String(a.eventId),
    type: a.tactic,
    marketingChannelType: a.marketingChannelType,
    startedAt: iso(a.startedAt ?? a.createdAt),
    scheduledToEndAt: iso(a.scheduledToEndAt),
    endedAt: iso(a.endedAt),
    remoteId: a.remoteId,
    description: a.title,
    sourceAndMedium: sourceAndMedium(a),
    utmCampaign: a.utm?.campaign ?? null,
    utmSource: a.utm?.source ?? null,
    utmMedium: a.utm?.medium ?? null,
    channelHandle: null,
    manageUrl: null,
    previewUrl: null,
  };
  return {
    __typename: "MarketingActivity",
    id: gid("MarketingActivity", a.id),
    title: a.title,
    status: a.status,
    statusLabel: a.status.charAt(0) + a.status.slice(1).toLowerCase(),
    targetStatus: null,
    statusTransitionedAt: iso(a.updatedAt),
    tactic: a.tactic,
    marketingChannelType: a.marketingChannelType,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    isExternal: a.isExternal,
    inMainWorkflowVersion: true,
    hierarchyLevel: null,
    parentActivityId: null,
    parentRemoteId: null,
    formData: null,
    activityListUrl: null,
    adSpend: null,
    budget: null,
    urlParameterValue: a.utm?.campaign ?? null,
    sourceAndMedium: sourceAndMedium(a),
    utmParameters: a.utm ? { __typename: "UTMParameters", ...a.utm, content: null, term: null } : null,
    marketingEvent: event,
    app: () => appView(ctx),
  };
}

/**
 * `marketingActivities` is "a list of marketing activities associated with the marketing app" (its schema
 * description): an app sees the activities it created, not Shopify Email's or another app's.
 */
function ownActivity(ctx: ExecCtx, a: MarketingActivityRec): boolean {
  return a.app === ctx.store.apiKey;
}

function sourceAndMedium(a: MarketingActivityRec): string {
  const medium = a.marketingChannelType.charAt(0) + a.marketingChannelType.slice(1).toLowerCase();
  return `${a.utm?.source ?? "Dev store"} ${medium.toLowerCase()}`;
}

function appView(ctx: ExecCtx): View {
  return {
    __typename: "App",
    id: gid("App", 1),
    apiKey: ctx.store.apiKey,
    title: "Lifecycle Stages",
    handle: "lifecycle-stages",
    embedded: true,
    developerName: "Dev store",
  };
}

function discountView(ctx: ExecCtx, d: DiscountRec): View {
  const shop = ctx.shop;
  const segments = () =>
    (d.segmentIds ?? [])
      .map((id) => shop.segments.get(id))
      .filter((s): s is SegmentRec => Boolean(s))
      .map(segmentView);
  const customers = () =>
    (d.customerIds ?? [])
      .map((id) => shop.customers.get(id))
      .filter((c): c is CustomerRec => Boolean(c))
      .map((c) => customerView(ctx, c));
  const context = () =>
    d.segmentIds
      ? { __typename: "DiscountCustomerSegments", segments: segments() }
      : d.customerIds
        ? { __typename: "DiscountCustomers", customers: customers() }
        : { __typename: "DiscountBuyerSelectionAll", all: "ALL" };
  const customerSelection = () =>
    d.segmentIds
      ? { __typename: "DiscountCustomerSegments", segments: segments() }
      : d.customerIds
        ? { __typename: "DiscountCustomers", customers: customers() }
        : { __typename: "DiscountCustomerAll", allCustomers: true };
  const value =
    d.percentage !== null
      ? { __typename: "DiscountPercentage", percentage: d.percentage }
      : {
          __typename: "DiscountAmount",
          amount: money(d.amountMinor ?? 0, shop.currencyCode),
          appliesOnEachItem: false,
        };
  const base: View = {
    title: d.title,
    status: d.status,
    startsAt: iso(d.startsAt),
    endsAt: iso(d.endsAt),
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    summary: d.summary,
    shortSummary: d.summary,
    tags: d.tags,
    asyncUsageCount: d.asyncUsageCount,
    usageCount: d.asyncUsageCount,
    discountClasses: ["ORDER"],
    discountClass: "ORDER",
    combinesWith: {
      orderDiscounts: false,
      productDiscounts: false,
      shippingDiscounts: false,
      productDiscountsWithTagsOnSameCartLine: null,
    },
    context,
    minimumRequirement: null,
    customerGets: {
      __typename: "DiscountCustomerGets",
      value,
      items: { __typename: "AllDiscountItems", allItems: true },
      appliesOnOneTimePurchase: true,
      appliesOnSubscription: false,
    },
  };
  if (d.kind === "code_basic") {
    return {
      __typename: "DiscountCodeBasic",
      ...base,
      customerSelection,
      appliesOncePerCustomer: d.appliesOncePerCustomer,
      usageLimit: d.usageLimit,
      recurringCycleLimit: null,
      hasTimelineComment: false,
      shareableUrls: [],
      totalSales: null,
      codesCount: { count: d.codes.length, precision: "EXACT" },
      codes: (args: Record<string, any>, cx: ExecCtx, info: GraphQLResolveInfo) =>
        connection(
          cx,
          info,
          args,
          d.codes.map((code, i) => ({ id: d.id * 100 + i, code })),
          (x) => x.id,
          (x) => ({
            __typename: "DiscountRedeemCode",
            id: gid("DiscountRedeemCode", x.id),
            code: x.code,
            asyncUsageCount: 0,
            createdBy: null,
          }),
        ),
    };
  }
  return { __typename: "DiscountAutomaticBasic", ...base, recurringCycleLimit: 0 };
}

function discountNodeView(ctx: ExecCtx, d: DiscountRec): View {
  return {
    __typename: "DiscountNode",
    id: gid(d.kind === "code_basic" ? "DiscountCodeNode" : "DiscountAutomaticNode", d.id),
    discount: () => discountView(ctx, d),
  };
}

function appInstallationView(ctx: ExecCtx): View {
  return {
    __typename: "AppInstallation",
    id: gid("AppInstallation", ctx.shop.id),
    accessScopes: grantedScopes(ctx.shop.access).map((handle) => ({
      __typename: "AccessScope",
      handle,
      description: handle,
    })),
    activeSubscriptions: [],
    launchUrl: `https://${ctx.shop.domain}/admin/apps/${ctx.store.apiKey}`,
    uninstallUrl: null,
    app: () => appView(ctx),
  };
}

/** Resolves any Node gid of a modelled type to its view. */
function nodeById(ctx: ExecCtx, id: string): View | null {
  const g = parseGid(id);
  if (!g) return null;
  const s = ctx.shop;
  switch (g.type) {
    case "Customer": {
      const c = s.customers.get(g.id);
      return c ? customerView(ctx, c) : null;
    }
    case "Order": {
      const o = s.orders.get(g.id);
      return o && orderVisible(ctx, o) ? orderView(ctx, o) : null;
    }
    case "BulkOperation": {
      const b = s.bulkOps.get(g.id);
      return b ? bulkOpView(b) : null;
    }
    case "Segment": {
      const x = s.segments.get(g.id);
      return x ? segmentView(x) : null;
    }
    case "MarketingActivity": {
      const a = s.marketingActivities.get(g.id);
      return a && ownActivity(ctx, a) ? marketingActivityView(ctx, a) : null;
    }
    case "DiscountCodeNode":
    case "DiscountAutomaticNode":
    case "DiscountNode": {
      const d = s.discounts.get(g.id);
      return d ? discountNodeView(ctx, d) : null;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------- root fields

type Root = Record<string, FieldFn>;

const queryRoot: Root = {
  shopifyqlQuery: (args, ctx) => shopifyqlQueryField(args, ctx),
  shop: (_a, ctx) => shopView(ctx),
  customers: (args, ctx, info) => {
    const pred = searchFilter(args.query, customerSpec(ctx.shop), ctx, info);
    const list: CustomerRec[] = [];
    for (const c of ctx.shop.customers.values()) if (pred(c)) list.push(c);
    return connection(ctx, info, args, list, customerSortValue(ctx.shop, args.sortKey), (c) => customerView(ctx, c));
  },
  customer: (args, ctx) => {
    const g = parseGid(args.id);
    const c = g && g.type === "Customer" ? ctx.shop.customers.get(g.id) : undefined;
    return c ? customerView(ctx, c) : null;
  },
  customersCount: (args, ctx, info) => {
    const pred = searchFilter(args.query, customerSpec(ctx.shop), ctx, info);
    let n = 0;
    for (const c of ctx.shop.customers.values()) if (pred(c)) n++;
    return count(n, args.limit);
  },
  orders: (args, ctx, info) => {
    const pred = searchFilter(args.query, orderSpec(ctx.shop), ctx, info);
    const list: OrderRec[] = [];
    for (const o of ctx.shop.orders.values()) if (orderVisible(ctx, o) && pred(o)) list.push(o);
    return connection(ctx, info, args, list, orderSortValue(args.sortKey), (o) => orderView(ctx, o));
  },
  order: (args, ctx) => {
    const g = parseGid(args.id);
    const o = g && g.type === "Order" ? ctx.shop.orders.get(g.id) : undefined;
    return o && orderVisible(ctx, o) ? orderView(ctx, o) : null;
  },
  ordersCount: (args, ctx, info) => {
    const pred = searchFilter(args.query, orderSpec(ctx.shop), ctx, info);
    let n = 0;
    for (const o of ctx.shop.orders.values()) if (orderVisible(ctx, o) && pred(o)) n++;
    return count(n, args.limit);
  },
  node: (args, ctx) => nodeById(ctx, args.id),
  nodes: (args, ctx) => (args.ids as string[]).map((id) => nodeById(ctx, id)),
  bulkOperation: (args, ctx) => {
    const g = parseGid(args.id);
    const b = g && g.type === "BulkOperation" ? ctx.shop.bulkOps.get(g.id) : undefined;
    return b ? bulkOpView(b) : null;
  },
  currentBulkOperation: (args, ctx) => {
    const type = args.type ?? "QUERY";
    let latest: BulkOpRec | undefined;
    for (const b of ctx.shop.bulkOps.values()) if (b.type === type && (!latest || b.id > latest.id)) latest = b;
    return latest ? bulkOpView(latest) : null;
  },
  bulkOperations: (args, ctx, info) => {
    const spec: SearchSpec<BulkOpRec> = {
      defaultText: (b) => [b.query],
      fields: {
        id: { kind: "id", get: (b) => b.id },
        status: { kind: "string", get: (b) => b.status },
        operation_type: { kind: "string", get: (b) => b.type },
        created_at: { kind: "date", get: (b) => b.createdAt },
      },
    };
    const pred = searchFilter(args.query, spec, ctx, info);
    const list = [...ctx.shop.bulkOps.values()].filter(pred);
    const key = args.sortKey === "COMPLETED_AT" ? (b: BulkOpRec) => b.completedAt ?? 0 : (b: BulkOpRec) => b.createdAt;
    // Shopify: newest first by default
    return connection(ctx, info, { ...args, reverse: !args.reverse }, list, key, bulkOpView);
  },
  marketingActivities: (args, ctx, info) => {
    const spec: SearchSpec<MarketingActivityRec> = {
      defaultText: (a) => [a.title],
      fields: {
        id: { kind: "id", get: (a) => a.id },
        title: { kind: "text", get: (a) => a.title },
        tactic: { kind: "string", get: (a) => a.tactic },
        marketing_channel: { kind: "string", get: (a) => a.marketingChannelType },
        created_at: { kind: "date", get: (a) => a.createdAt },
        updated_at: { kind: "date", get: (a) => a.updatedAt },
        scheduled_to_end_at: { kind: "date", get: (a) => a.scheduledToEndAt },
        scheduled_to_start_at: { kind: "date", get: (a) => a.startedAt },
      },
    };
    const pred = searchFilter(args.query, spec, ctx, info);
    const rawIds = args.marketingActivityIds as string[] | null | undefined;
    const ids = rawIds?.length ? rawIds.map((x) => parseGid(x)?.id) : null;
    const rawRemote = args.remoteIds as string[] | null | undefined;
    const remote = rawRemote?.length ? rawRemote : null;
    const list = [...ctx.shop.marketingActivities.values()].filter(
      (a) =>
        ownActivity(ctx, a) &&
        pred(a) &&
        (!ids || ids.includes(a.id)) &&
        (!remote || (a.remoteId !== null && remote.includes(a.remoteId))),
    );
    const key =
      args.sortKey === "CREATED_AT"
        ? (a: MarketingActivityRec) => a.createdAt
        : args.sortKey === "TITLE"
          ? (a: MarketingActivityRec) => a.title.toLowerCase()
          : (a: MarketingActivityRec) => a.id;
    return connection(ctx, info, args, list, key, (a) => marketingActivityView(ctx, a));
  },
  marketingActivity: (args, ctx) => {
    const g = parseGid(args.id);
    const a = g && g.type === "MarketingActivity" ? ctx.shop.marketingActivities.get(g.id) : undefined;
    return a && ownActivity(ctx, a) ? marketingActivityView(ctx, a) : null;
  },
  discountNodes: (args, ctx, info) => {
    const pred = searchFilter(args.query, discountSpec(), ctx, info);
    const list = [...ctx.shop.discounts.values()].filter(pred);
    return connection(ctx, info, args, list, discountSortValue(args.sortKey), (d) => discountNodeView(ctx, d));
  },
  discountNode: (args, ctx) => {
    const g = parseGid(args.id);
    const d = g ? ctx.shop.discounts.get(g.id) : undefined;
    return d ? discountNodeView(ctx, d) : null;
  },
  discountNodesCount: (args, ctx, info) => {
    const pred = searchFilter(args.query, discountSpec(), ctx, info);
    return count([...ctx.shop.discounts.values()].filter(pred).length, args.limit);
  },
  segments: (args, ctx, info) => {
    const spec: SearchSpec<SegmentRec> = {
      defaultText: (s) => [s.name],
      fields: {
        id: { kind: "id", get: (s) => s.id },
        name: { kind: "text", get: (s) => s.name },
        created_at: { kind: "date", get: (s) => s.creationDate },
        updated_at: { kind: "date", get: (s) => s.lastEditDate },
      },
    };
    const pred = searchFilter(args.query, spec, ctx, info);
    const list = [...ctx.shop.segments.values()].filter(pred);
    const key =
      args.sortKey === "CREATION_DATE"
        ? (s: SegmentRec) => s.creationDate
        : args.sortKey === "LAST_EDIT_DATE"
          ? (s: SegmentRec) => s.lastEditDate
          : (s: SegmentRec) => s.id;
    return connection(ctx, info, args, list, key, segmentView);
  },
  segment: (args, ctx) => {
    const g = parseGid(args.id);
    const s = g && g.type === "Segment" ? ctx.shop.segments.get(g.id) : undefined;
    return s ? segmentView(s) : null;
  },
  segmentsCount: (args, ctx) => count(ctx.shop.segments.size, args.limit),
  // App-specific subscriptions (shopify.app.toml) are not returned by this query on Shopify;
  // the dev store has no shop-specific (API-created) subscriptions.
  webhookSubscriptions: (args, ctx, info) =>
    connection(
      ctx,
      info,
      args,
      [] as Array<{ id: number }>,
      (x) => x.id,
      () => ({}),
    ),
  currentAppInstallation: (_a, ctx) => appInstallationView(ctx),
};

function discountSpec(): SearchSpec<DiscountRec> {
  return {
    defaultText: (d) => [d.title, ...d.codes],
    fields: {
      id: { kind: "id", get: (d) => d.id },
      title: { kind: "text", get: (d) => d.title },
      code: { kind: "tags", get: (d) => d.codes },
      status: { kind: "string", get: (d) => d.status },
      method: { kind: "string", get: (d) => (d.kind === "code_basic" ? "code" : "automatic") },
      type: { kind: "string", get: (d) => (d.kind === "code_basic" ? "code" : "automatic") },
      discount_type: { kind: "string", get: (d) => (d.kind === "code_basic" ? "code" : "automatic") },
      starts_at: { kind: "date", get: (d) => d.startsAt },
      ends_at: { kind: "date", get: (d) => d.endsAt },
      created_at: { kind: "date", get: (d) => d.createdAt },
      updated_at: { kind: "date", get: (d) => d.updatedAt },
      times_used: { kind: "number", get: (d) => d.asyncUsageCount },
      tag: { kind: "tags", get: (d) => d.tags },
    },
  };
}

function discountSortValue(sortKey: string | null | undefined): (d: DiscountRec) => SortVal {
  switch (sortKey) {
    case "CREATED_AT":
      return (d) => d.createdAt;
    case "UPDATED_AT":
      return (d) => d.updatedAt;
    case "STARTS_AT":
      return (d) => d.startsAt;
    case "ENDS_AT":
      return (d) => d.endsAt ?? Number.MAX_SAFE_INTEGER;
    case "TITLE":
      return (d) => d.title.toLowerCase();
    default:
      return (d) => d.id;
  }
}

// ---------------------------------------------------------------- mutations

function tagTarget(
  ctx: ExecCtx,
  id: string,
): { kind: "customer"; rec: CustomerRec } | { kind: "order"; rec: OrderRec } | null {
  const g = parseGid(id);
  if (!g) return null;
  if (g.type === "Customer") {
    const c = ctx.shop.customers.get(g.id);
    return c ? { kind: "customer", rec: c } : null;
  }
  if (g.type === "Order") {
    const o = ctx.shop.orders.get(g.id);
    return o && orderVisible(ctx, o) ? { kind: "order", rec: o } : null;
  }
  return null;
}

function tagsMutation(add: boolean): FieldFn {
  return (args, ctx) => {
    const target = tagTarget(ctx, args.id);
    if (!target) {
      return { node: null, userErrors: [{ field: ["id"], message: "Resource not found" }] };
    }
    const requested = splitTags(args.tags as string[]);
    const tooLong = requested.find((t) => t.length > 255);
    if (tooLong) {
      return { node: null, userErrors: [{ field: ["tags"], message: "Tags is too long (maximum is 255 characters)" }] };
    }
    const current = target.rec.tags;
    const lower = new Set(current.map((t) => t.toLowerCase()));
    let changedAdded: string[] = [];
    let changedRemoved: string[] = [];
    let next: string[];
    if (add) {
      changedAdded = requested.filter((t) => !lower.has(t.toLowerCase()));
      next = [...current, ...changedAdded];
      if (next.length > MAX_TAGS) {
        return {
          node: null,
          userErrors: [{ field: ["tags"], message: `Tags cannot be more than ${MAX_TAGS}` }],
        };
      }
    } else {
      const remove = new Set(requested.map((t) => t.toLowerCase()));
      changedRemoved = current.filter((t) => remove.has(t.toLowerCase()));
      next = current.filter((t) => !remove.has(t.toLowerCase()));
    }
    if (changedAdded.length || changedRemoved.length) {
      target.rec.tags = next;
      target.rec.updatedAt = ctx.store.now();
      if (target.kind === "customer") ctx.store.customerTagsChanged(ctx.shop, target.rec, changedAdded, changedRemoved);
      else ctx.store.orderTagsChanged(ctx.shop, target.rec);
    }
    const node = target.kind === "customer" ? customerView(ctx, target.rec) : orderView(ctx, target.rec);
    return { node, userErrors: [] };
  };
}

const mutationRoot: Root = {
  tagsAdd: tagsMutation(true),
  tagsRemove: tagsMutation(false),
  bulkOperationRunQuery: (args, ctx) => {
    const r = ctx.store.startBulkQuery(ctx.shop, args.query, Boolean(args.groupObjects));
    return { bulkOperation: r.op ? bulkOpView(r.op) : null, userErrors: r.userErrors.map(withCode) };
  },
  bulkOperationRunMutation: (args, ctx) => {
    const r = ctx.store.startBulkMutation(
      ctx.shop,
      args.mutation,
      args.stagedUploadPath,
      args.clientIdentifier ?? null,
      args.groupObjects !== false,
    );
    return { bulkOperation: r.op ? bulkOpView(r.op) : null, userErrors: r.userErrors.map(withCode) };
  },
  bulkOperationCancel: (args, ctx) => {
    const g = parseGid(args.id);
    const r = ctx.store.cancelBulk(ctx.shop, g && g.type === "BulkOperation" ? g.id : -1);
    return {
      bulkOperation: r.op ? bulkOpView(r.op) : null,
      userErrors: r.userErrors.map((e) => ({ field: e.field, message: e.message })),
    };
  },
  stagedUploadsCreate: (args, ctx) => {
    const inputs = args.input as StagedUploadInputArg[];
    const userErrors: UserErr[] = [];
    const targets: StagedTarget[] = [];
    inputs.forEach((input, i) => {
      if (input.resource !== "BULK_MUTATION_VARIABLES") {
        userErrors.push({
          field: ["input", String(i), "resource"],
          message: `devstore: staged uploads for ${input.resource} are not implemented`,
        });
        return;
      }
      targets.push(ctx.store.createStagedUpload(ctx.shop, input));
    });
    return {
      stagedTargets: targets.map((t) => ({
        __typename: "StagedMediaUploadTarget",
        url: t.url,
        resourceUrl: t.resourceUrl,
        parameters: t.parameters.map((p) => ({ __typename: "StagedUploadParameter", ...p })),
      })),
      userErrors,
    };
  },
  segmentCreate: (args, ctx) => {
    const name = String(args.name ?? "").trim();
    const query = String(args.query ?? "").trim();
    const userErrors: UserErr[] = [];
    if (!name) userErrors.push({ field: ["name"], message: "Name can't be blank" });
    if (!query) userErrors.push({ field: ["query"], message: "Query can't be blank" });
    if (name && [...ctx.shop.segments.values()].some((s) => s.name.toLowerCase() === name.toLowerCase()))
      userErrors.push({ field: ["name"], message: "Name has already been taken" });
    if (userErrors.length) return { segment: null, userErrors };
    const now = ctx.store.now();
    const seg: SegmentRec = { id: ctx.store.takeId(), name, query, creationDate: now, lastEditDate: now };
    ctx.shop.segments.set(seg.id, seg);
    return { segment: segmentView(seg), userErrors: [] };
  },
  segmentUpdate: (args, ctx) => {
    const g = parseGid(args.id);
    const seg = g && g.type === "Segment" ? ctx.shop.segments.get(g.id) : undefined;
    if (!seg) return { segment: null, userErrors: [{ field: ["id"], message: "Segment does not exist" }] };
    if (args.name != null) {
      const name = String(args.name).trim();
      if ([...ctx.shop.segments.values()].some((s) => s.id !== seg.id && s.name.toLowerCase() === name.toLowerCase()))
        return { segment: null, userErrors: [{ field: ["name"], message: "Name has already been taken" }] };
      seg.name = name;
    }
    if (args.query != null) seg.query = String(args.query);
    seg.lastEditDate = ctx.store.now();
    return { segment: segmentView(seg), userErrors: [] };
  },
  segmentDelete: (args, ctx) => {
    const g = parseGid(args.id);
    const seg = g && g.type === "Segment" ? ctx.shop.segments.get(g.id) : undefined;
    if (!seg) return { deletedSegmentId: null, userErrors: [{ field: ["id"], message: "Segment does not exist" }] };
    ctx.shop.segments.delete(seg.id);
    return { deletedSegmentId: gid("Segment", seg.id), userErrors: [] };
  },
  flowTriggerReceive: (args, ctx) => {
    let payload: unknown = args.payload;
    if (args.body != null) {
      try {
        const parsed = JSON.parse(String(args.body));
        payload = parsed?.properties ?? parsed;
      } catch {
        return { userErrors: [{ field: ["body"], message: "Errors parsing body: invalid JSON" }] };
      }
    }
    if (!args.handle && args.body == null)
      return { userErrors: [{ field: ["handle"], message: "Handle can't be blank" }] };
    const handle = String(args.handle ?? "");
    const problems = triggerPayloadProblems(ctx.store.flowTrigger(handle), handle, payload);
    if (problems.length > 0) {
      return {
        userErrors: [
          { field: ["body"], message: `Errors validating schema:\n${problems.map((p) => `  ${p}.\n`).join("")}` },
        ],
      };
    }
    ctx.store.recordFlowTrigger(ctx.shop, handle, payload ?? null);
    return { userErrors: [] };
  },
};

function withCode(e: UserErr): UserErr {
  return { field: e.field, message: e.message, code: e.code ?? null };
}

// ---------------------------------------------------------------- attach

const notImplemented = (typeName: string, field: string) => {
  return () => {
    throw new GraphQLError(
      `devstore: ${typeName === "QueryRoot" || typeName === "Mutation" ? field : `${typeName}.${field}`} is not implemented`,
      {
        extensions: { code: "NOT_IMPLEMENTED" },
      },
    );
  };
};

const viewResolver: GraphQLFieldResolver<unknown, ExecCtx> = (source, args, ctx, info) => {
  const src = source as Record<string, unknown> | null;
  if (src === null || typeof src !== "object") return null;
  const v = src[info.fieldName];
  if (v === undefined && !(info.fieldName in src)) {
    throw new GraphQLError(`devstore: ${info.parentType.name}.${info.fieldName} is not implemented`, {
      extensions: { code: "NOT_IMPLEMENTED" },
    });
  }
  return typeof v === "function" ? (v as FieldFn)(args, ctx, info) : v;
};

const attached = new WeakSet<GraphQLSchema>();

function objectsOf(value: unknown): Array<{ __typename?: unknown }> {
  if (Array.isArray(value)) return value.flatMap(objectsOf);
  return value !== null && typeof value === "object" ? [value as { __typename?: unknown }] : [];
}

/**
 * Checks the installation's access (access.ts) before a field resolves, and for a field returning an interface or
 * union, the object it resolved to — as Shopify refuses `nodes(ids:)` for a Customer without read_customers.
 */
function guarded(
  rule: FieldAccess,
  resolve: GraphQLFieldResolver<unknown, ExecCtx>,
): GraphQLFieldResolver<unknown, ExecCtx> {
  const rules = accessRules(loadAdminSchemaJson());
  return (source, args, ctx, info) => {
    const operation = info.operation.operation === "mutation" ? "mutation" : "query";
    const denied = fieldAccessError(ctx.shop.access, info.fieldName, rule, operation);
    if (denied) throw denied;
    const value = resolve(source, args, ctx, info);
    if (!rule.abstract) return value;
    const check = (resolved: unknown) => {
      for (const object of objectsOf(resolved)) {
        const error =
          typeof object.__typename === "string"
            ? resolvedObjectError(rules, ctx.shop.access, info.fieldName, object.__typename, operation)
            : null;
        if (error) throw error;
      }
      return resolved;
    };
    return value instanceof Promise ? value.then(check) : check(value);
  };
}

/** Sets `resolve` on every field of every object type of the schema (once per schema object). */
export function attachResolvers(schema: GraphQLSchema): GraphQLSchema {
  if (attached.has(schema)) return schema;
  attached.add(schema);
  const rules = accessRules(loadAdminSchemaJson());
  const queryType = schema.getQueryType();
  const mutationType = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const root = type === queryType ? queryRoot : type === mutationType ? mutationRoot : null;
    for (const [name, field] of Object.entries(type.getFields())) {
      const fn = root?.[name];
      const resolve: GraphQLFieldResolver<unknown, ExecCtx> = !root
        ? viewResolver
        : fn
          ? (_src, args, ctx, info) => fn(args, ctx, info)
          : notImplemented(type.name, name);
      const rule = rules.fields.get(`${type.name}.${name}`);
      field.resolve = rule ? guarded(rule, resolve) : resolve;
    }
  }
  return schema;
}

export const implementedRootFields = {
  query: Object.keys(queryRoot),
  mutation: Object.keys(mutationRoot),
};
