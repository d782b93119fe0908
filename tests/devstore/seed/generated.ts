/**
 * A generated store for benchmarks: N customers and M orders, deterministic for a seed.
 * Everything here is synthetic (no real data): customers sign up over [start, end);
 * order counts per customer follow a skewed (repeat-buyer) distribution; totals are
 * log-normal-ish; a share of orders is cancelled/refunded and a share are guest orders.
 */
import { emptyCustomer, type CustomerRec, type IdSequence, type OrderRec, type ShopState } from "../state";
import { mulberry32 } from "../util";

export interface GeneratedSeedOptions {
  customers: number;
  orders: number;
  seed?: number;
  start?: Date | string | number;
  end?: Date | string | number;
  currency?: string;
  subscribedShare?: number;
  cancelledShare?: number;
  guestShare?: number;
}

export interface GeneratedSeedReport {
  customers: number;
  orders: number;
  guestOrders: number;
  cancelledOrders: number;
  subscribed: number;
  ms: number;
}

const COUNTRIES: Array<[string, string]> = [
  ["United Kingdom", "GB"],
  ["United States", "US"],
  ["Germany", "DE"],
  ["France", "FR"],
  ["Canada", "CA"],
  ["Australia", "AU"],
  ["Netherlands", "NL"],
  ["Spain", "ES"],
];

function ms(v: Date | string | number): number {
  return v instanceof Date ? v.getTime() : typeof v === "number" ? v : Date.parse(v);
}

export function seedGeneratedStore(shop: ShopState, ids: IdSequence, o: GeneratedSeedOptions): GeneratedSeedReport {
  const t0 = Date.now();
  const rand = mulberry32(o.seed ?? 42);
  const end = o.end !== undefined ? ms(o.end) : Date.UTC(2026, 0, 1);
  const start = o.start !== undefined ? ms(o.start) : end - 2 * 365 * 86_400_000;
  const span = end - start;
  const currency = o.currency ?? shop.currencyCode;
  const subShare = o.subscribedShare ?? 0.3;
  const cancelShare = o.cancelledShare ?? 0.04;
  const guestShare = o.guestShare ?? 0.05;
  const report: GeneratedSeedReport = {
    customers: 0,
    orders: 0,
    guestOrders: 0,
    cancelledOrders: 0,
    subscribed: 0,
    ms: 0,
  };

  const customers: CustomerRec[] = [];
  const weights: number[] = [];
  for (let i = 0; i < o.customers; i++) {
    const created = start + Math.floor(rand() * span * 0.9);
    const c = emptyCustomer(ids.take(), created);
    c.email = `gen${c.id}@generated.example.com`;
    const [country, code] = COUNTRIES[Math.floor(rand() * rand() * COUNTRIES.length)];
    c.country = country;
    c.countryCode = code;
    if (rand() < subShare) {
      c.emailMarketing = { state: "SUBSCRIBED", optInLevel: "SINGLE_OPT_IN", consentUpdatedAt: created };
      report.subscribed++;
    }
    shop.customers.set(c.id, c);
    customers.push(c);
    // Pareto-like purchase propensity
    weights.push(1 / Math.pow(rand() + 0.02, 1.2));
    report.customers++;
  }
  // cumulative weights for weighted picks
  const cum = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) cum[i] = acc += weights[i];
  const pick = () => {
    const x = rand() * acc;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return customers[lo];
  };
  const orders: OrderRec[] = [];
  for (let i = 0; i < o.orders; i++) {
    const guest = customers.length === 0 || rand() < guestShare;
    const c = guest ? undefined : pick();
    const from = c ? c.createdAt : start;
    const at = from + Math.floor(rand() * (end - from));
    const total = Math.max(100, Math.round(Math.exp(3 + rand() * 2.5) * 100));
    const cancelled = rand() < cancelShare;
    orders.push({
      id: 0,
      number: 0,
      name: "",
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: cancelled ? at + 3_600_000 : null,
      cancelReason: cancelled ? "CUSTOMER" : null,
      closedAt: null,
      test: false,
      customerId: c?.id ?? null,
      email: c?.email ?? null,
      currency,
      totalMinor: total,
      refundedMinor: cancelled ? total : 0,
      financialStatus: cancelled ? "REFUNDED" : "PAID",
      lines: [],
      tags: [],
      country: c?.country ?? null,
      countryCode: c?.countryCode ?? null,
    });
  }
  orders.sort((a, b) => a.createdAt - b.createdAt);
  for (const ord of orders) {
    ord.id = ids.take();
    ord.number = shop.nextOrderNumber++;
    ord.name = `#${ord.number}`;
    if (ord.cancelledAt !== null) {
      ord.updatedAt = ord.cancelledAt;
      report.cancelledOrders++;
    }
    shop.orders.set(ord.id, ord);
    if (ord.customerId !== null) {
      const c = shop.customers.get(ord.customerId)!;
      c.orderIds.push(ord.id);
      if (ord.updatedAt > c.updatedAt) c.updatedAt = ord.updatedAt;
    } else report.guestOrders++;
    report.orders++;
  }
  report.ms = Date.now() - t0;
  return report;
}
