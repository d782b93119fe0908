/** Seeding a shop from plain rows (for tests). No webhooks are emitted: seeded data is history. */
import {
  attachOrder,
  emptyCustomer,
  splitTags,
  type CancelReason,
  type CustomerRec,
  type EmailMarketingState,
  type FinancialStatus,
  type IdSequence,
  type OptInLevel,
  type OrderRec,
  type ShopState,
} from "../state";
import { gid, toMinor } from "../util";

type When = Date | string | number;

export interface CustomerRow {
  /** Your reference for this customer, used by OrderRow.customer. */
  key?: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  note?: string | null;
  tags?: string[] | string;
  country?: string | null;
  countryCode?: string | null;
  createdAt: When;
  updatedAt?: When;
  emailMarketing?:
    | EmailMarketingState
    | { state: EmailMarketingState; optInLevel?: OptInLevel | null; consentUpdatedAt?: When | null };
}

export interface OrderRow {
  /** CustomerRow.key, or a customer gid / numeric id already in the shop; omitted = guest order. */
  customer?: string | number | null;
  createdAt: When;
  /** Major units. */
  total: number | string;
  currency?: string;
  name?: string;
  cancelledAt?: When | null;
  cancelReason?: CancelReason | null;
  /** Major units refunded; default: the whole total when cancelled, else 0. */
  refunded?: number | string;
  test?: boolean;
  tags?: string[] | string;
  financialStatus?: FinancialStatus;
  email?: string | null;
  updatedAt?: When;
  lines?: Array<{ title: string; quantity: number; price: number | string; sku?: string | null }>;
}

export interface SeedRows {
  customers?: CustomerRow[];
  orders?: OrderRow[];
}

export interface SeedRowsReport {
  customers: number;
  orders: number;
  /** CustomerRow.key → customer gid */
  customerIds: Record<string, string>;
  /** gids of the created orders, in row order */
  orderIds: string[];
}

function ms(v: When): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number") return v;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`devstore seed: bad date ${v}`);
  return t;
}

export function seedRowsInto(shop: ShopState, ids: IdSequence, rows: SeedRows): SeedRowsReport {
  const byKey = new Map<string, CustomerRec>();
  const report: SeedRowsReport = { customers: 0, orders: 0, customerIds: {}, orderIds: [] };
  for (const r of rows.customers ?? []) {
    const c = emptyCustomer(ids.take(), ms(r.createdAt));
    c.updatedAt = r.updatedAt !== undefined ? ms(r.updatedAt) : c.createdAt;
    c.email = r.email ?? null;
    c.firstName = r.firstName ?? null;
    c.lastName = r.lastName ?? null;
    c.phone = r.phone ?? null;
    c.note = r.note ?? null;
    c.tags = r.tags ? splitTags(r.tags) : [];
    c.country = r.country ?? null;
    c.countryCode = r.countryCode ?? null;
    if (r.emailMarketing) {
      const em = typeof r.emailMarketing === "string" ? { state: r.emailMarketing } : r.emailMarketing;
      c.emailMarketing = {
        state: em.state,
        optInLevel:
          "optInLevel" in em && em.optInLevel !== undefined
            ? em.optInLevel
            : em.state === "SUBSCRIBED"
              ? "SINGLE_OPT_IN"
              : null,
        consentUpdatedAt:
          "consentUpdatedAt" in em && em.consentUpdatedAt !== undefined && em.consentUpdatedAt !== null
            ? ms(em.consentUpdatedAt)
            : em.state === "NOT_SUBSCRIBED"
              ? null
              : c.createdAt,
      };
    }
    shop.customers.set(c.id, c);
    if (r.key) {
      byKey.set(r.key, c);
      report.customerIds[r.key] = gid("Customer", c.id);
    }
    report.customers++;
  }
  const sorted = (rows.orders ?? []).map((r, i) => ({ r, i, at: ms(r.createdAt) }));
  const orderIds: string[] = new Array(sorted.length);
  sorted.sort((a, b) => a.at - b.at || a.i - b.i);
  for (const { r, i, at } of sorted) {
    let customer: CustomerRec | undefined;
    if (r.customer !== undefined && r.customer !== null) {
      customer = typeof r.customer === "string" ? byKey.get(r.customer) : undefined;
      if (!customer) {
        const m = /(\d+)$/.exec(String(r.customer));
        customer = m ? shop.customers.get(Number(m[1])) : undefined;
      }
      if (!customer) throw new Error(`devstore seed: unknown customer ${r.customer}`);
    }
    const total = toMinor(r.total);
    const cancelledAt = r.cancelledAt ? ms(r.cancelledAt) : null;
    const refunded = r.refunded !== undefined ? toMinor(r.refunded) : cancelledAt !== null ? total : 0;
    const number = shop.nextOrderNumber++;
    const o: OrderRec = {
      id: ids.take(),
      number,
      name: r.name ?? `#${number}`,
      createdAt: at,
      processedAt: at,
      updatedAt: r.updatedAt !== undefined ? ms(r.updatedAt) : (cancelledAt ?? at),
      cancelledAt,
      cancelReason: cancelledAt !== null ? (r.cancelReason ?? "CUSTOMER") : null,
      closedAt: null,
      test: r.test ?? false,
      customerId: customer?.id ?? null,
      email: r.email ?? customer?.email ?? null,
      currency: r.currency ?? shop.currencyCode,
      totalMinor: total,
      refundedMinor: refunded,
      financialStatus:
        r.financialStatus ??
        (refunded >= total && refunded > 0 ? "REFUNDED" : refunded > 0 ? "PARTIALLY_REFUNDED" : "PAID"),
      lines: (r.lines ?? []).map((l) => ({
        title: l.title,
        sku: l.sku ?? null,
        quantity: l.quantity,
        priceMinor: toMinor(l.price),
      })),
      tags: r.tags ? splitTags(r.tags) : [],
      country: customer?.country ?? null,
      countryCode: customer?.countryCode ?? null,
    };
    shop.orders.set(o.id, o);
    if (customer) {
      attachOrder(shop, customer, o);
      if (o.updatedAt > customer.updatedAt) customer.updatedAt = o.updatedAt;
    }
    orderIds[i] = gid("Order", o.id);
    report.orders++;
  }
  report.orderIds = orderIds;
  return report;
}
