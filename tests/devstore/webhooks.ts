/**
 * Webhooks as Shopify delivers them for app-specific (shopify.app.toml) subscriptions:
 * POST appUrl + uri, HMAC-SHA256 (base64) of the raw body keyed with the app secret,
 * X-Shopify-* headers, payloads in the shape of Shopify's documented examples
 * (tests/fixtures/shopify/webhooks) filled with the dev store's real values.
 */
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import toml from "toml";
import { customerAggregates, type BulkOpRec, type CustomerRec, type OrderRec, type ShopState } from "./state";
import { formatMinor, gid, mulberry32, restTime, shuffleInPlace, uuid } from "./util";
import { API_VERSION } from "./schema";

// ---------------------------------------------------------------- signing

/** base64 HMAC-SHA256 of the raw body, keyed with the app's client secret (X-Shopify-Hmac-Sha256). */
export function signWebhook(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export interface DeliveryHeaderInput {
  topic: string;
  shop: string;
  body: string | Buffer;
  secret: string;
  webhookId: string;
  eventId: string;
  triggeredAt: string;
  apiVersion?: string;
}

export function buildDeliveryHeaders(i: DeliveryHeaderInput): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": i.topic,
    "X-Shopify-Hmac-Sha256": signWebhook(i.body, i.secret),
    "X-Shopify-Shop-Domain": i.shop,
    "X-Shopify-API-Version": i.apiVersion ?? API_VERSION,
    "X-Shopify-Webhook-Id": i.webhookId,
    "X-Shopify-Event-Id": i.eventId,
    "X-Shopify-Triggered-At": i.triggeredAt,
  };
}

// ---------------------------------------------------------------- app config (toml)

/** A parsed TOML table (the `toml` package returns plain objects). */
export type TomlTable = Record<string, unknown>;

export interface Subscription {
  topics: string[];
  uri: string;
  compliance: boolean;
  filter: string | null;
  includeFields: string[] | null;
}

export interface AppConfig {
  subscriptions: Subscription[];
  scopes: string | null;
  apiVersion: string | null;
  source: string;
}

export const ALL_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/paid",
  "orders/delete",
  "customers/create",
  "customers/update",
  "customers/delete",
  "customers/merge",
  "customers/purchasing_summary",
  "customers_email_marketing_consent/update",
  "customer.tags_added",
  "customer.tags_removed",
  "bulk_operations/finish",
  "app/uninstalled",
  "app/scopes_update",
];
export const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"];

/** Used when there is no shopify.app.toml: every topic to /webhooks/<topic>, compliance to /webhooks/compliance. */
export function defaultAppConfig(): AppConfig {
  return {
    subscriptions: [
      ...ALL_TOPICS.map((t) => ({
        topics: [t],
        uri: `/webhooks/${t}`,
        compliance: false,
        filter: null,
        includeFields: null,
      })),
      { topics: COMPLIANCE_TOPICS, uri: "/webhooks/compliance", compliance: true, filter: null, includeFields: null },
    ],
    scopes: null,
    apiVersion: API_VERSION,
    source: "built-in default",
  };
}

export function loadAppConfig(tomlPath: string): AppConfig {
  if (!existsSync(tomlPath)) return defaultAppConfig();
  const doc = toml.parse(readFileSync(tomlPath, "utf8")) as TomlTable;
  const webhooks = (doc.webhooks ?? {}) as TomlTable;
  const subs = (Array.isArray(webhooks.subscriptions) ? webhooks.subscriptions : []) as TomlTable[];
  const subscriptions: Subscription[] = [];
  for (const s of subs) {
    const uri = typeof s.uri === "string" ? s.uri : null;
    if (!uri) continue;
    const common = {
      uri,
      filter: typeof s.filter === "string" ? s.filter : null,
      includeFields: Array.isArray(s.include_fields) ? (s.include_fields as string[]) : null,
    };
    if (Array.isArray(s.topics) && s.topics.length)
      subscriptions.push({ topics: s.topics as string[], compliance: false, ...common });
    if (Array.isArray(s.compliance_topics) && s.compliance_topics.length)
      subscriptions.push({ topics: s.compliance_topics as string[], compliance: true, ...common });
  }
  const scopes = ((doc.access_scopes ?? {}) as TomlTable).scopes;
  return {
    subscriptions,
    scopes: typeof scopes === "string" ? scopes : null,
    apiVersion: typeof webhooks.api_version === "string" ? webhooks.api_version : null,
    source: tomlPath,
  };
}

// ---------------------------------------------------------------- payloads

function moneySet(minor: number, currency: string) {
  const m = { amount: formatMinor(minor), currency_code: currency };
  return { shop_money: m, presentment_money: { ...m } };
}

function addressPayload(shop: ShopState, c: CustomerRec) {
  if (!c.country && !c.countryCode) return null;
  return {
    id: c.id,
    customer_id: c.id,
    first_name: c.firstName,
    last_name: c.lastName,
    company: null,
    address1: null,
    address2: null,
    city: null,
    province: null,
    country: c.country,
    zip: null,
    phone: null,
    name: [c.firstName, c.lastName].filter(Boolean).join(" ") || null,
    province_code: null,
    country_code: c.countryCode,
    country_name: c.country,
    default: true,
  };
}

/** customers/create and customers/update (2025-01+ shape: no tags, counts or consent). */
export function customerPayload(shop: ShopState, c: CustomerRec) {
  const tz = shop.ianaTimezone;
  const address = addressPayload(shop, c);
  return {
    id: c.id,
    created_at: restTime(c.createdAt, tz),
    updated_at: restTime(c.updatedAt, tz),
    first_name: c.firstName,
    last_name: c.lastName,
    state: c.state.toLowerCase(),
    note: c.note,
    verified_email: c.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: false,
    email: c.email,
    phone: c.phone,
    currency: shop.currencyCode,
    addresses: address ? [address] : [],
    tax_exemptions: [],
    admin_graphql_api_id: gid("Customer", c.id),
    default_address: address,
  };
}

function orderCustomerPayload(shop: ShopState, c: CustomerRec) {
  const tz = shop.ianaTimezone;
  return {
    id: c.id,
    created_at: restTime(c.createdAt, tz),
    updated_at: restTime(c.updatedAt, tz),
    first_name: c.firstName,
    last_name: c.lastName,
    state: c.state.toLowerCase(),
    note: c.note,
    verified_email: c.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: false,
    email: c.email,
    phone: c.phone,
    currency: shop.currencyCode,
    tax_exemptions: [],
    admin_graphql_api_id: gid("Customer", c.id),
    default_address: addressPayload(shop, c),
  };
}

const FINANCIAL_REST: Record<string, string> = {
  AUTHORIZED: "authorized",
  EXPIRED: "expired",
  PAID: "paid",
  PARTIALLY_PAID: "partially_paid",
  PARTIALLY_REFUNDED: "partially_refunded",
  PENDING: "pending",
  REFUNDED: "refunded",
  VOIDED: "voided",
};

/** orders/create, orders/updated, orders/cancelled, orders/paid (same keys as the documented example). */
export function orderPayload(shop: ShopState, o: OrderRec) {
  const tz = shop.ianaTimezone;
  const cur = o.currency;
  const c = o.customerId !== null ? shop.customers.get(o.customerId) : undefined;
  const email = o.email ?? c?.email ?? null;
  const net = o.totalMinor - o.refundedMinor;
  const zero = moneySet(0, cur);
  const lineTotal = o.lines.reduce((s, l) => s + l.priceMinor * l.quantity, 0) || o.totalMinor;
  return {
    id: o.id,
    admin_graphql_api_id: gid("Order", o.id),
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: c?.emailMarketing.state === "SUBSCRIBED",
    cancel_reason: o.cancelReason ? o.cancelReason.toLowerCase() : null,
    cancelled_at: restTime(o.cancelledAt, tz),
    cart_token: null,
    checkout_token: null,
    client_details: null,
    closed_at: restTime(o.closedAt, tz),
    confirmation_number: null,
    confirmed: true,
    contact_email: email,
    created_at: restTime(o.createdAt, tz),
    currency: cur,
    current_shipping_price_set: zero,
    current_subtotal_price: formatMinor(net),
    current_subtotal_price_set: moneySet(net, cur),
    current_total_additional_fees_set: null,
    current_total_discounts: "0.00",
    current_total_discounts_set: zero,
    current_total_duties_set: null,
    current_total_price: formatMinor(net),
    current_total_price_set: moneySet(net, cur),
    current_total_tax: "0.00",
    current_total_tax_set: zero,
    customer_locale: "en",
    device_id: null,
    discount_codes: [],
    duties_included: false,
    email,
    estimated_taxes: false,
    financial_status: FINANCIAL_REST[o.financialStatus] ?? o.financialStatus.toLowerCase(),
    fulfillment_status: null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: null,
    merchant_of_record_app_id: null,
    name: o.name,
    note: null,
    note_attributes: [],
    number: o.number,
    order_number: o.number,
    order_status_url: `https://${shop.domain}/${shop.id}/orders/${o.id}/authenticate`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: [],
    phone: null,
    po_number: null,
    presentment_currency: cur,
    processed_at: restTime(o.processedAt, tz),
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: "web",
    source_url: null,
    subtotal_price: formatMinor(o.totalMinor),
    subtotal_price_set: moneySet(o.totalMinor, cur),
    tags: o.tags.join(", "),
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test: o.test,
    token: String(o.id),
    total_cash_rounding_payment_adjustment_set: zero,
    total_cash_rounding_refund_adjustment_set: zero,
    total_discounts: "0.00",
    total_discounts_set: zero,
    total_line_items_price: formatMinor(lineTotal),
    total_line_items_price_set: moneySet(lineTotal, cur),
    total_outstanding: o.financialStatus === "PENDING" ? formatMinor(o.totalMinor) : "0.00",
    total_price: formatMinor(o.totalMinor),
    total_price_set: moneySet(o.totalMinor, cur),
    total_shipping_price_set: zero,
    total_tax: "0.00",
    total_tax_set: zero,
    total_tip_received: "0.00",
    total_weight: 0,
    updated_at: restTime(o.updatedAt, tz),
    user_id: null,
    billing_address: null,
    customer: c ? orderCustomerPayload(shop, c) : null,
    discount_applications: [],
    fulfillments: [],
    line_items: o.lines.map((l, i) => {
      const id = o.id * 1000 + i;
      return {
        id,
        admin_graphql_api_id: gid("LineItem", id),
        attributed_staffs: [],
        current_quantity: o.cancelledAt === null ? l.quantity : 0,
        fulfillable_quantity: o.cancelledAt === null ? l.quantity : 0,
        fulfillment_service: "manual",
        fulfillment_status: null,
        gift_card: false,
        grams: 0,
        name: l.title,
        price: formatMinor(l.priceMinor),
        price_set: moneySet(l.priceMinor, cur),
        product_exists: false,
        product_id: null,
        properties: [],
        quantity: l.quantity,
        requires_shipping: true,
        sales_line_item_group_id: null,
        sku: l.sku,
        taxable: true,
        title: l.title,
        total_discount: "0.00",
        total_discount_set: zero,
        variant_id: null,
        variant_inventory_management: null,
        variant_title: null,
        vendor: null,
        tax_lines: [],
        duties: [],
        discount_allocations: [],
      };
    }),
    payment_terms: null,
    refunds:
      o.refundedMinor > 0
        ? [
            {
              id: o.id,
              admin_graphql_api_id: gid("Refund", o.id),
              created_at: restTime(o.cancelledAt ?? o.updatedAt, tz),
              note: null,
              order_id: o.id,
              processed_at: restTime(o.cancelledAt ?? o.updatedAt, tz),
              restock: false,
              total_duties_set: zero,
              user_id: null,
              order_adjustments: [],
              transactions: [
                {
                  id: o.id,
                  admin_graphql_api_id: gid("OrderTransaction", o.id),
                  amount: formatMinor(o.refundedMinor),
                  currency: cur,
                  kind: "refund",
                  status: "success",
                  order_id: o.id,
                  test: o.test,
                },
              ],
              refund_line_items: [],
              duties: [],
            },
          ]
        : [],
    shipping_address: null,
    shipping_lines: [],
    returns: [],
    line_item_groups: [],
  };
}

export function orderDeletePayload(o: OrderRec) {
  return { id: o.id };
}

export function customerDeletePayload(c: CustomerRec) {
  return { id: c.id, tax_exemptions: [], admin_graphql_api_id: gid("Customer", c.id) };
}

export function mergePayload(keptId: number, deletedId: number, jobId: string | null) {
  return {
    admin_graphql_api_customer_kept_id: gid("Customer", keptId),
    admin_graphql_api_customer_deleted_id: gid("Customer", deletedId),
    admin_graphql_api_job_id: jobId,
    status: "completed",
    errors: [],
  };
}

export function purchasingSummaryPayload(shop: ShopState, c: CustomerRec, occurredAt: number) {
  const agg = customerAggregates(shop, c);
  return {
    customerId: gid("Customer", c.id),
    numberOfOrders: agg.numberOfOrders,
    amountSpent: { amount: formatMinor(agg.amountSpentMinor), currencyCode: shop.currencyCode },
    lastOrderId: agg.lastOrderId === null ? null : gid("Order", agg.lastOrderId),
    occurredAt: new Date(occurredAt).toISOString(),
  };
}

export function emailConsentPayload(shop: ShopState, c: CustomerRec) {
  const em = c.emailMarketing;
  return {
    customer_id: c.id,
    email_address: c.email,
    email_marketing_consent: {
      state: em.state.toLowerCase(),
      opt_in_level: em.optInLevel ? em.optInLevel.toLowerCase() : null,
      consent_updated_at: restTime(em.consentUpdatedAt, shop.ianaTimezone),
    },
  };
}

export function tagsEventPayload(c: CustomerRec, tags: string[], occurredAt: number) {
  return { customerId: gid("Customer", c.id), tags, occurredAt: new Date(occurredAt).toISOString() };
}

export function bulkFinishPayload(shop: ShopState, op: BulkOpRec) {
  return {
    admin_graphql_api_id: gid("BulkOperation", op.id),
    completed_at: restTime(op.completedAt, shop.ianaTimezone),
    created_at: restTime(op.createdAt, shop.ianaTimezone),
    error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
    status: op.status.toLowerCase(),
    type: op.type.toLowerCase(),
  };
}

export function shopPayload(shop: ShopState) {
  const tz = shop.ianaTimezone;
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: null,
    country: null,
    address1: null,
    zip: null,
    city: null,
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: null,
    created_at: restTime(shop.createdAt, tz),
    updated_at: restTime(shop.createdAt, tz),
    country_code: null,
    country_name: null,
    currency: shop.currencyCode,
    customer_email: shop.email,
    timezone: tz,
    iana_timezone: tz,
    shop_owner: "Dev Store Owner",
    money_format: "{{amount}}",
    money_with_currency_format: `{{amount}} ${shop.currencyCode}`,
    weight_unit: "kg",
    province_code: null,
    taxes_included: null,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: null,
    plan_display_name: "Development",
    plan_name: "partner_test",
    has_discounts: shop.discounts.size > 0,
    has_gift_cards: false,
    myshopify_domain: shop.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "{{amount}}",
    money_with_currency_in_emails_format: `{{amount}} ${shop.currencyCode}`,
    eligible_for_payments: false,
    requires_extra_payments_agreement: false,
    password_enabled: true,
    has_storefront: true,
    finances: true,
    primary_location_id: null,
    checkout_api_supported: false,
    multi_location_enabled: false,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [shop.currencyCode],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

export function complianceCustomer(c: CustomerRec) {
  return { id: c.id, email: c.email, phone: c.phone };
}

// ---------------------------------------------------------------- delivery engine

export type WebhookMode = "send" | "record";

export interface WebhookDelivery {
  seq: number;
  topic: string;
  shop: string;
  uri: string;
  url: string | null;
  body: string;
  headers: Record<string, string>;
  eventId: string;
  webhookId: string;
  triggeredAt: string;
  /** HTTP status of the last attempt; null until sent (0 = network error / timeout). */
  status: number | null;
  error: string | null;
  attempts: number;
  duplicate: boolean;
  payload: unknown;
}

export interface SendOptions {
  eventId?: string;
  webhookId?: string;
  triggeredAt?: string;
}

export interface FlushOptions {
  shuffle?: boolean;
  duplicateRate?: number;
  seed?: number;
}

export interface WebhookEngineOptions {
  secret: string;
  appUrl: string | null;
  config: AppConfig;
  now: () => number;
  timeoutMs?: number;
}

export class WebhookEngine {
  mode: WebhookMode;
  appUrl: string | null;
  readonly config: AppConfig;
  /** Every attempt made (send, flush, replay), in order. */
  readonly deliveries: WebhookDelivery[] = [];
  private pending: WebhookDelivery[] = [];
  private inflight = new Set<Promise<unknown>>();
  private seq = 0;
  private readonly secret: string;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  /**
   * Recorded events (every emitted event, subscribed or not), for assertions. `withheld` says why an event was not
   * delivered although subscribed (a scope or protected customer data the installation lacks); null when it was.
   */
  readonly events: Array<{
    topic: string;
    shop: string;
    eventId: string;
    payload: unknown;
    subscribed: boolean;
    withheld: string | null;
  }> = [];

  constructor(o: WebhookEngineOptions) {
    this.secret = o.secret;
    this.appUrl = o.appUrl;
    this.config = o.config;
    this.now = o.now;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.mode = o.appUrl ? "send" : "record";
  }

  /** The subscriptions (toml) that receive `topic`. */
  routes(topic: string): Subscription[] {
    return this.config.subscriptions.filter((s) => s.topics.includes(topic));
  }

  private build(
    shop: string,
    topic: string,
    payload: unknown,
    sub: Subscription,
    opts: SendOptions & { eventId: string; triggeredAt: string },
  ): WebhookDelivery {
    const body = JSON.stringify(payload);
    const webhookId = opts.webhookId ?? uuid();
    return {
      seq: ++this.seq,
      topic,
      shop,
      uri: sub.uri,
      url: this.appUrl ? joinUrl(this.appUrl, sub.uri) : null,
      body,
      headers: buildDeliveryHeaders({
        topic,
        shop,
        body,
        secret: this.secret,
        webhookId,
        eventId: opts.eventId,
        triggeredAt: opts.triggeredAt,
      }),
      eventId: opts.eventId,
      webhookId,
      triggeredAt: opts.triggeredAt,
      status: null,
      error: null,
      attempts: 0,
      duplicate: false,
      payload,
    };
  }

  /**
   * A state change happened: deliver (send mode) or keep (record mode) one delivery per subscription, unless the
   * installation may not receive the topic (`withheld`: why).
   */
  emit(shop: string, topic: string, payload: unknown, withheld: string | null = null): WebhookDelivery[] {
    const eventId = uuid();
    const triggeredAt = new Date(this.now()).toISOString();
    const subs = this.routes(topic);
    this.events.push({ topic, shop, eventId, payload, subscribed: subs.length > 0, withheld });
    if (withheld) return [];
    const out = subs.map((s) => this.build(shop, topic, payload, s, { eventId, triggeredAt }));
    if (this.mode === "record") this.pending.push(...out);
    else for (const d of out) this.track(this.deliver(d));
    return out;
  }

  /** Deliveries waiting in record mode. */
  recorded(): WebhookDelivery[] {
    return [...this.pending];
  }

  /** Drops the recorded deliveries without sending them. */
  clear(): void {
    this.pending = [];
  }

  /**
   * Sends the recorded deliveries, optionally shuffled and with duplicates (same X-Shopify-Event-Id,
   * new X-Shopify-Webhook-Id, as a redelivery of the same event). Returns every attempt made.
   */
  async flush(opts: FlushOptions = {}): Promise<WebhookDelivery[]> {
    const rand = mulberry32(opts.seed ?? 1);
    let list = this.pending;
    this.pending = [];
    const expanded: WebhookDelivery[] = [];
    for (const d of list) {
      expanded.push(d);
      if (opts.duplicateRate && rand() < opts.duplicateRate) {
        const webhookId = uuid();
        expanded.push({
          ...d,
          seq: ++this.seq,
          webhookId,
          headers: { ...d.headers, "X-Shopify-Webhook-Id": webhookId },
          duplicate: true,
          status: null,
          attempts: 0,
        });
      }
    }
    list = opts.shuffle ? shuffleInPlace(expanded, rand) : expanded;
    for (const d of list) await this.deliver(d);
    return list;
  }

  /** Sends the same delivery again (same body, event id and webhook id), as Shopify's retry does. */
  async replay(d: WebhookDelivery): Promise<number | null> {
    const copy: WebhookDelivery = { ...d, headers: { ...d.headers } };
    await this.deliver(copy);
    d.status = copy.status;
    d.attempts = copy.attempts;
    return copy.status;
  }

  /** Sends a payload now (whatever the mode) to every subscription of the topic; returns the statuses. */
  async send(shop: string, topic: string, payload: unknown, opts: SendOptions = {}): Promise<Array<number | null>> {
    const eventId = opts.eventId ?? uuid();
    const triggeredAt = opts.triggeredAt ?? new Date(this.now()).toISOString();
    const subs = this.routes(topic);
    const fallback: Subscription = {
      topics: [topic],
      uri: `/webhooks/${topic}`,
      compliance: false,
      filter: null,
      includeFields: null,
    };
    const list = (subs.length ? subs : [fallback]).map((s) =>
      this.build(shop, topic, payload, s, { ...opts, eventId, triggeredAt }),
    );
    const statuses: Array<number | null> = [];
    for (const d of list) {
      await this.deliver(d);
      statuses.push(d.status);
    }
    return statuses;
  }

  /** Waits until every delivery started in send mode has finished. */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private track(p: Promise<unknown>) {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    d.attempts++;
    if (!this.appUrl) {
      d.status = null;
      d.error = "no appUrl configured";
      this.deliveries.push({ ...d });
      return;
    }
    d.url = joinUrl(this.appUrl, d.uri);
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: d.headers,
        body: d.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      d.status = res.status;
      d.error = null;
    } catch (e) {
      d.status = 0;
      d.error = e instanceof Error ? e.message : String(e);
    }
    this.deliveries.push({ ...d });
  }
}

function joinUrl(base: string, uri: string): string {
  if (/^https?:\/\//.test(uri)) return uri;
  return base.replace(/\/+$/, "") + (uri.startsWith("/") ? uri : `/${uri}`);
}
