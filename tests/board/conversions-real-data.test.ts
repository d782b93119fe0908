/**
 * Stages 3–5 measured on real orders: UCI Online Retail (4,372 customers, Dec 2010 – Dec 2011) stored in SQLite and
 * PostgreSQL, measured by the app's SQL and Kaplan–Meier, against a plain computation written here from the raw
 * invoices: per customer the entry and conversion instants in milliseconds, whole days by the board's rule, and the
 * product-limit estimate with Greenwood's variance by brute force over the days. Online Retail has no email
 * consent, so the test subscribes every fourth customer (a deterministic rule, below) to give Stage 3 entrants.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { loadOnlineRetail, ONLINE_RETAIL_AS_OF } from "../lifecycle/datasets";
import { queryConversionFacts, type LifeTableRow } from "../../app/models/board.server";
import { LOOKBACK_DAYS, measureConversions } from "../../app/board/board.server";
import { refreshOrderSummaries } from "../../app/sync/order-summaries.server";
import { DEFAULT_LIFECYCLE_SETTINGS, type CustomerFacts } from "../../app/lifecycle";

const SHOP = "online-retail.myshopify.com";
const NOW = ONLINE_RETAIL_AS_OF;
const DAY = 86_400_000;
const WINDOW = { 3: 90, 4: 365, 5: 365 } as const;
const GUARD_DAYS = 30;

interface Person {
  gid: string;
  /** Qualifying order instants, ascending. */
  orders: number[];
  subscribedAt: number | null;
}

let people: Person[] = [];
let facts: Map<string, CustomerFacts>;

/** Every fourth customer (by id) subscribed: half of them 20 days before their first invoice, half 3 days after it. */
function subscription(id: number, firstInvoice: number): number | null {
  if (id % 4 !== 0) return null;
  return id % 8 === 0 ? firstInvoice - 20 * DAY : firstInvoice + 3 * DAY;
}

beforeAll(async () => {
  facts = await loadOnlineRetail();
  people = [...facts].map(([id, f]) => {
    const all = f.orders.map((o) => o.createdAt);
    // Qualifying, written out: not cancelled and worth something (the data has no test, voided or refunded orders).
    const orders = f.orders
      .filter((o) => !o.cancelled && o.totalMinor > 0)
      .map((o) => o.createdAt)
      .sort((a, b) => a - b);
    return { gid: `gid://shopify/Customer/${id}`, orders, subscribedAt: subscription(Number(id), Math.min(...all)) };
  });
}, 120_000);

/** Whole days by the board's rule: a conversion on day ceil(Δ) within the window, else censored at floor(now − entry). */
function plainLifeTable(entries: Array<{ entry: number; event: number | null }>, window: number): LifeTableRow[] {
  const byDay = new Map<number, LifeTableRow>();
  for (const { entry, event } of entries) {
    const eventDay = event == null ? null : Math.max(0, Math.ceil((event - entry) / DAY));
    const converted = eventDay != null && eventDay <= window;
    const day = converted ? eventDay : Math.min(Math.floor((NOW - entry) / DAY), window);
    const row = byDay.get(day) ?? { day, events: 0, censored: 0 };
    if (converted) row.events++;
    else row.censored++;
    byDay.set(day, row);
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}

/** Kaplan–Meier by brute force: for every day up to the horizon, who is at risk is counted from the individuals. */
function plainEstimate(rows: LifeTableRow[], window: number) {
  const individuals = rows.flatMap((r) => [
    ...Array(r.events).fill({ day: r.day, event: true }),
    ...Array(r.censored).fill({ day: r.day, event: false }),
  ]) as Array<{
    day: number;
    event: boolean;
  }>;
  const n = individuals.length;
  const needed = Math.min(10, Math.ceil(n / 2));
  let horizon = 0;
  for (let d = 0; d <= window; d++) if (individuals.filter((i) => i.day >= d).length >= needed) horizon = d;
  let s = 1;
  let greenwood = 0;
  for (let d = 0; d <= horizon; d++) {
    const atRisk = individuals.filter((i) => i.day >= d).length;
    const events = individuals.filter((i) => i.day === d && i.event).length;
    if (events === 0) continue;
    s *= 1 - events / atRisk;
    greenwood += events / (atRisk * (atRisk - events));
  }
  const se = Math.sqrt(greenwood) / Math.abs(Math.log(s));
  return {
    horizon,
    rate: 1 - s,
    lower: 1 - s ** Math.exp(-1.959964 * se),
    upper: 1 - s ** Math.exp(1.959964 * se),
    customers: n,
  };
}

function plainEntrants(stage: 3 | 4 | 5) {
  const firstOrder = Math.min(...people.filter((p) => p.orders.length > 0).map((p) => p.orders[0]));
  const from = Math.max(NOW - LOOKBACK_DAYS[stage] * DAY, stage === 3 ? -Infinity : firstOrder + GUARD_DAYS * DAY);
  const entrants: Array<{ entry: number; event: number | null }> = [];
  for (const p of people) {
    if (stage === 3) {
      if (p.subscribedAt == null || p.subscribedAt < from || p.subscribedAt > NOW) continue;
      if (p.orders.length > 0 && p.orders[0] <= p.subscribedAt) continue; // bought before subscribing
      entrants.push({ entry: p.subscribedAt, event: p.orders[0] ?? null });
    } else if (stage === 4) {
      if (p.orders.length === 0 || p.orders[0] < from) continue;
      entrants.push({ entry: p.orders[0], event: p.orders[1] ?? null });
    } else {
      if (p.orders.length < 2 || p.orders[1] < from) continue;
      // Regular: the first order that is the third within 365 days (the default rule: 3 orders within 365 days).
      const regular = p.orders.find((t, i) => i >= 2 && t - p.orders[i - 2] < 365 * DAY) ?? null;
      entrants.push({ entry: p.orders[1], event: regular });
    }
  }
  return entrants;
}

describeEachDatabase("Kaplan–Meier on Online Retail", (database) => {
  let t: TestDb;

  beforeAll(async () => {
    t = await database.create();
    const byGid = new Map(people.map((p) => [p.gid, p]));
    const customers = [...facts].map(([id, f]) => {
      const p = byGid.get(`gid://shopify/Customer/${id}`)!;
      return {
        shop: SHOP,
        gid: p.gid,
        emailMarketingState: p.subscribedAt == null ? "NOT_SUBSCRIBED" : "SUBSCRIBED",
        consentUpdatedAt: p.subscribedAt == null ? null : new Date(p.subscribedAt),
        orders: f.orders,
      };
    });
    for (let i = 0; i < customers.length; i += 1000) {
      await t.db.customer.createMany({ data: customers.slice(i, i + 1000).map(({ orders: _orders, ...c }) => c) });
    }
    const orders = customers.flatMap((c) =>
      c.orders.map((o, i) => ({
        shop: SHOP,
        gid: `${c.gid.replace("Customer", "Order")}-${i}`,
        customerGid: c.gid,
        createdAt: new Date(o.createdAt),
        totalMinor: BigInt(Math.abs(o.totalMinor)),
        cancelled: o.cancelled,
      })),
    );
    for (let i = 0; i < orders.length; i += 2000) await t.db.order.createMany({ data: orders.slice(i, i + 2000) });
  }, 300_000);

  afterAll(async () => {
    await t?.close();
  });

  it("gathers the same life tables as the plain computation, stage by stage", async () => {
    // The query reads the customers' order summaries, as the measure makes them hold first.
    await refreshOrderSummaries(
      t.db,
      SHOP,
      { ...DEFAULT_LIFECYCLE_SETTINGS, regularMinOrders: 3, regularWindowDays: 365 },
      new Date(NOW),
    );
    const measured = await queryConversionFacts(t.db, SHOP, {
      now: new Date(NOW),
      windowDays: WINDOW,
      lookbackDays: LOOKBACK_DAYS,
      historyGuardDays: GUARD_DAYS,
      newSubscriberDays: 30,
    });
    for (const stage of [3, 4, 5] as const) {
      const expected = plainLifeTable(plainEntrants(stage), WINDOW[stage]);
      expect(measured.lifeTables[stage], `Stage ${stage}`).toEqual(expected);
    }
    // Enough data for the measure to mean something: hundreds of entrants per stage, conversions in each.
    expect(plainEntrants(4).length).toBeGreaterThan(3000);
    expect(plainEntrants(3).length).toBeGreaterThan(300);
  }, 120_000);

  it("estimates the share converted with its interval as the plain computation does", async () => {
    const measures = await measureConversions(t.db, SHOP, new Date(NOW), DEFAULT_LIFECYCLE_SETTINGS);
    for (const stage of [3, 4, 5] as const) {
      const expected = plainEstimate(plainLifeTable(plainEntrants(stage), WINDOW[stage]), WINDOW[stage]);
      const estimate = measures[stage].estimate!;
      expect(estimate.customers, `Stage ${stage}`).toBe(expected.customers);
      expect(estimate.horizonDays, `Stage ${stage}`).toBe(expected.horizon);
      expect(estimate.rate, `Stage ${stage}`).toBeCloseTo(expected.rate, 10);
      expect(estimate.lower, `Stage ${stage}`).toBeCloseTo(expected.lower, 6);
      expect(estimate.upper, `Stage ${stage}`).toBeCloseTo(expected.upper, 6);
    }
    // A year of history: Stage 3's 90-day window is covered; stages 4 and 5 are estimated on a shorter horizon.
    expect(measures[3].estimate!.horizonDays).toBe(90);
    expect(measures[4].estimate!.horizonDays).toBeLessThan(365);
  }, 120_000);
});
