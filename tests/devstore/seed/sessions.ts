/**
 * SIMULATED online store traffic for the dev store's ShopifyQL `sessions` table (tests/devstore/shopifyql.ts).
 * The UCI Online Retail data has orders but no web analytics, so the demo's visitors are GENERATED, deterministically,
 * from the real orders: per calendar month (UTC) VISITORS_PER_ORDER visitors for each order of the month (±5%,
 * hashed from the shop and month), split over the traffic sources of SIMULATED_TRAFFIC by their weights (±10%
 * each), with SESSIONS_PER_VISITOR sessions per visitor (±10%). The first-visit channel of each customer (or guest
 * order) is also generated: FIRST_VISIT_CHANNELS by a hash of its id. Everything the dev store answers from these
 * carries a parseWarning saying it is simulated, and the app shows a "simulated" banner for it.
 */
import type { ShopState } from "../state";
import { hashShare } from "../util";

export const VISITORS_PER_ORDER = 40;
export const SESSIONS_PER_VISITOR = 1.3;

/** Shopify's referrer_source / referrer_name pairs the simulation uses, and each one's share of visitors. */
export const SIMULATED_TRAFFIC: ReadonlyArray<{ source: string; name: string; weight: number }> = [
  { source: "search", name: "Google", weight: 0.3 },
  { source: "search", name: "Bing", weight: 0.04 },
  { source: "direct", name: "", weight: 0.22 },
  { source: "social", name: "Facebook", weight: 0.08 },
  { source: "social", name: "Instagram", weight: 0.06 },
  { source: "paid", name: "Facebook", weight: 0.07 },
  { source: "paid", name: "Google", weight: 0.06 },
  { source: "paid", name: "YouTube", weight: 0.02 },
  { source: "email", name: "Shopify Email", weight: 0.05 },
  { source: "unknown", name: "giftideas.example", weight: 0.04 },
  { source: "unknown", name: "", weight: 0.06 },
];

/** First-visit channels (the `referring_channel` of first-click attribution) and their shares of customers. */
export const FIRST_VISIT_CHANNELS: ReadonlyArray<{ channel: string; weight: number }> = [
  { channel: "search", weight: 0.34 },
  { channel: "direct", weight: 0.22 },
  { channel: "social", weight: 0.14 },
  { channel: "paid", weight: 0.15 },
  { channel: "email", weight: 0.05 },
  { channel: "unknown", weight: 0.1 },
];

export const SIMULATED_SESSIONS_WARNING =
  "Simulated data: the dev store generates its sessions table for the demo from the orders (tests/devstore/seed/sessions.ts); these visitors were not measured.";
export const SIMULATED_FIRST_VISIT_WARNING =
  "Simulated data: the dev store assigns each customer's first visit for the demo (tests/devstore/seed/sessions.ts); sales are the real orders.";

export interface SimulatedTrafficRow {
  month: string;
  source: string;
  name: string;
  visitors: number;
  sessions: number;
}

export const monthOfMs = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** Orders that count as sales: not test orders. */
function salesOrders(shop: ShopState, fromMs: number, toMs: number) {
  return [...shop.orders.values()].filter((o) => !o.test && o.createdAt >= fromMs && o.createdAt <= toMs);
}

/** The simulated sessions table, one row per month and traffic source, for orders created in [fromMs, toMs]. */
export function simulatedTraffic(shop: ShopState, fromMs: number, toMs: number): SimulatedTrafficRow[] {
  const ordersPerMonth = new Map<string, number>();
  for (const o of salesOrders(shop, fromMs, toMs)) {
    const m = monthOfMs(o.createdAt);
    ordersPerMonth.set(m, (ordersPerMonth.get(m) ?? 0) + 1);
  }
  const rows: SimulatedTrafficRow[] = [];
  for (const month of [...ordersPerMonth.keys()].sort()) {
    const total =
      ordersPerMonth.get(month)! * VISITORS_PER_ORDER * (0.95 + 0.1 * hashShare(`${shop.domain}:visitors:${month}`));
    for (const t of SIMULATED_TRAFFIC) {
      const visitors = Math.round(
        total * t.weight * (0.9 + 0.2 * hashShare(`${shop.domain}:${month}:${t.source}:${t.name}`)),
      );
      const sessions = Math.round(
        visitors *
          SESSIONS_PER_VISITOR *
          (0.9 + 0.2 * hashShare(`${shop.domain}:${month}:${t.source}:${t.name}:sessions`)),
      );
      rows.push({ month, source: t.source, name: t.name, visitors, sessions });
    }
  }
  return rows;
}

/** The generated first-visit channel of a customer (or of a guest order: key `order:<id>`). */
export function firstVisitChannel(key: string): string {
  const share = hashShare(`first-visit:${key}`);
  let acc = 0;
  for (const c of FIRST_VISIT_CHANNELS) {
    acc += c.weight;
    if (share < acc) return c.channel;
  }
  return FIRST_VISIT_CHANNELS[FIRST_VISIT_CHANNELS.length - 1].channel;
}

/** Net sales of an order as the sales table counts them here: total less refunds (the data has no taxes or shipping). */
export const orderNetMinor = (o: { totalMinor: number; refundedMinor: number }) => o.totalMinor - o.refundedMinor;

export interface SalesMonthRow {
  month: string;
  netSalesMinor: number;
}

/** Net sales per month of the (real) orders created in [fromMs, toMs]. */
export function salesByMonth(shop: ShopState, fromMs: number, toMs: number): SalesMonthRow[] {
  const byMonth = new Map<string, number>();
  for (const o of salesOrders(shop, fromMs, toMs)) {
    const m = monthOfMs(o.createdAt);
    byMonth.set(m, (byMonth.get(m) ?? 0) + orderNetMinor(o));
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, netSalesMinor]) => ({ month, netSalesMinor }));
}

/** Net sales over [fromMs, toMs] by the generated first-visit channel of the order's customer. */
export function salesByFirstVisitChannel(
  shop: ShopState,
  fromMs: number,
  toMs: number,
): Array<{ channel: string; netSalesMinor: number }> {
  const byChannel = new Map<string, number>();
  for (const o of salesOrders(shop, fromMs, toMs)) {
    const channel = firstVisitChannel(o.customerId != null ? `customer:${o.customerId}` : `order:${o.id}`);
    byChannel.set(channel, (byChannel.get(channel) ?? 0) + orderNetMinor(o));
  }
  return [...byChannel.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([channel, netSalesMinor]) => ({ channel, netSalesMinor }));
}
