import { describe, expect, it } from "vitest";
import { findCampaigns, mainStage, placeOrder, type HistoryOrder, type JourneyOrder } from "../../app/campaigns/found";
import { DEFAULT_LIFECYCLE_SETTINGS, type LifecycleSettings } from "../../app/lifecycle";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const at = (day: number) => new Date(T0 + day * DAY);

// A fixed lapse of 100 days, so the lapse rule can be worked by hand: lapsed when ≥ 100 days passed since the last order.
const settings: LifecycleSettings = { ...DEFAULT_LIFECYCLE_SETTINGS, lapseMode: "fixed", fixedLapseDays: 100 };
const stats = { gapThresholdDays: 100, gapCount: 0, usedSmallShopFallback: true };

const paid = (day: number, total = 1000): HistoryOrder => ({
  createdAt: T0 + day * DAY,
  totalMinor: total,
  refundedMinor: 0,
  cancelled: false,
  test: false,
  voided: false,
  fullyRefunded: false,
});
// Every stored order of each customer (the journey orders included).
const histories = new Map<string, HistoryOrder[]>([
  ["A", [paid(0), paid(30), paid(60)]],
  ["B", [paid(0), paid(200)]],
  ["C", [paid(0), paid(10), paid(20), paid(250)]],
  ["E", [paid(0), paid(50), paid(100)]],
  ["F", [paid(0), { ...paid(40), cancelled: true }]],
]);

function order(partial: Partial<JourneyOrder> & { orderGid: string; day: number; net: number }): JourneyOrder {
  const { day, net, ...rest } = partial;
  return {
    customerGid: null,
    createdAt: at(day),
    netMinor: BigInt(net),
    qualifying: true,
    customerOrderIndex: null,
    lastUtmSource: null,
    lastUtmMedium: null,
    lastUtmCampaign: null,
    firstUtmCampaign: null,
    eventGid: null,
    eventTactic: null,
    eventChannel: null,
    eventName: null,
    discountCodes: [],
    simulated: false,
    ...rest,
  };
}

// The hand-built table: each order, and (worked by hand) where it converts.
const orders: JourneyOrder[] = [
  // A's first order → Stage 3.
  order({
    orderGid: "a1",
    customerGid: "A",
    day: 0,
    net: 1000,
    customerOrderIndex: 1,
    lastUtmCampaign: "Spring",
    lastUtmSource: "google",
    lastUtmMedium: "cpc",
  }),
  // A's second, 30 days later (not lapsed) → Stage 4; also code WELCOME.
  order({
    orderGid: "a2",
    customerGid: "A",
    day: 30,
    net: 2000,
    customerOrderIndex: 2,
    lastUtmCampaign: "Spring",
    discountCodes: ["WELCOME"],
  }),
  // A's third → Stage 5; a marketing event wins over its utm_campaign.
  order({
    orderGid: "a3",
    customerGid: "A",
    day: 60,
    net: 1500,
    customerOrderIndex: 3,
    lastUtmCampaign: "spring",
    eventGid: "gid://shopify/MarketingEvent/1",
    eventName: "Newsletter",
    eventTactic: "NEWSLETTER",
    eventChannel: "EMAIL",
  }),
  // B returns after 200 days (≥ 100: lapsed) → Stage 4 win-back; only the first visit had a utm_campaign.
  order({ orderGid: "b2", customerGid: "B", day: 200, net: 500, customerOrderIndex: 2, firstUtmCampaign: "spring" }),
  // C's fourth order after 230 days → Stage 4 win-back (not 5); code in lower case joins WELCOME.
  order({
    orderGid: "c4",
    customerGid: "C",
    day: 250,
    net: 700,
    customerOrderIndex: 4,
    lastUtmCampaign: "vip",
    discountCodes: ["welcome"],
  }),
  // A guest's first order → Stage 3.
  order({ orderGid: "d1", day: 90, net: 300, customerOrderIndex: 1, lastUtmCampaign: "vip" }),
  // No index from Shopify: E's stored history says third order, 50 days after the second → Stage 5.
  order({ orderGid: "e3", customerGid: "E", day: 100, net: 900, lastUtmCampaign: "vip" }),
  // Cancelled: not a conversion, left out.
  order({
    orderGid: "f2",
    customerGid: "F",
    day: 40,
    net: 0,
    customerOrderIndex: 2,
    lastUtmCampaign: "spring",
    qualifying: false,
  }),
  // No index and no customer: cannot be placed, left out.
  order({ orderGid: "g", day: 5, net: 400, lastUtmCampaign: "spring" }),
];

describe("campaigns found in orders: placement by whom they converted", () => {
  it("places each order of the table where it was worked out by hand", () => {
    const ctx = { histories, stats, settings };
    const placed = Object.fromEntries(orders.map((o) => [o.orderGid, placeOrder(o, ctx)]));
    expect(placed).toEqual({
      a1: { stage: 3, winback: false },
      a2: { stage: 4, winback: false },
      a3: { stage: 5, winback: false },
      b2: { stage: 4, winback: true },
      c4: { stage: 4, winback: true },
      d1: { stage: 3, winback: false },
      e3: { stage: 5, winback: false },
      f2: { stage: 4, winback: false },
      g: null,
    });
  });

  it("groups by event, else utm_campaign (last visit, then first), and by discount code, with figures per stage", () => {
    const found = findCampaigns(orders, { histories, stats, settings });
    const summary = found.map((c) => ({
      source: c.source,
      externalId: c.externalId,
      name: c.name,
      stage: c.stage,
      orders: c.orders,
      revenue: Number(c.revenueMinor),
      perStage: Object.fromEntries(
        Object.entries(c.perStage).map(([s, f]) => [s, [f!.orders, Number(f!.revenueMinor), f!.winbackOrders]]),
      ),
      last: c.lastOrderAt.toISOString().slice(0, 10),
    }));
    expect(summary).toEqual([
      // spring: a1 (3), a2 (4), b2 (4, win-back) → 3 orders, £35.00, mostly Stage 4; named as in its newest order (b2).
      {
        source: "found_campaign",
        externalId: "utm:spring",
        name: "spring",
        stage: 4,
        orders: 3,
        revenue: 3500,
        perStage: { 3: [1, 1000, 0], 4: [2, 2500, 1] },
        last: "2026-07-20",
      },
      // vip: d1 (3, £3), c4 (4, £7), e3 (5, £9): one order each, the tie goes to the most revenue → Stage 5.
      {
        source: "found_campaign",
        externalId: "utm:vip",
        name: "vip",
        stage: 5,
        orders: 3,
        revenue: 1900,
        perStage: { 3: [1, 300, 0], 4: [1, 700, 1], 5: [1, 900, 0] },
        last: "2026-09-08",
      },
      // WELCOME: a2 (4) and c4 (4, win-back).
      {
        source: "found_code",
        externalId: "code:WELCOME",
        name: "welcome",
        stage: 4,
        orders: 2,
        revenue: 2700,
        perStage: { 4: [2, 2700, 1] },
        last: "2026-09-08",
      },
      // The newsletter event: a3 (5).
      {
        source: "found_campaign",
        externalId: "event:gid://shopify/MarketingEvent/1",
        name: "Newsletter",
        stage: 5,
        orders: 1,
        revenue: 1500,
        perStage: { 5: [1, 1500, 0] },
        last: "2026-03-02",
      },
    ]);
  });

  it("the main stage: most orders; a tie goes to more revenue, then to the earlier stage", () => {
    const f = (orders: number, revenue: number) => ({ orders, revenueMinor: BigInt(revenue), winbackOrders: 0 });
    expect(mainStage({ 3: f(2, 10), 5: f(3, 1) })).toBe(5);
    expect(mainStage({ 3: f(2, 10), 4: f(2, 20) })).toBe(4);
    expect(mainStage({ 3: f(2, 10), 4: f(2, 10) })).toBe(3);
  });

  it("a subscriber's first order is Stage 3 (Stage 2 ends at the subscription)", () => {
    expect(
      placeOrder(order({ orderGid: "s", customerGid: "S", day: 1, net: 10, customerOrderIndex: 1 }), {
        histories: new Map(),
        stats,
        settings,
      }),
    ).toEqual({ stage: 3, winback: false });
  });

  it("a campaign is simulated only when every order behind it is", () => {
    const mixed = [
      order({ orderGid: "x1", day: 1, net: 10, customerOrderIndex: 1, lastUtmCampaign: "mix", simulated: true }),
      order({ orderGid: "x2", day: 2, net: 10, customerOrderIndex: 1, lastUtmCampaign: "mix", simulated: false }),
      order({ orderGid: "y1", day: 2, net: 10, customerOrderIndex: 1, lastUtmCampaign: "sim", simulated: true }),
    ];
    const found = findCampaigns(mixed, { histories: new Map(), stats, settings });
    expect(Object.fromEntries(found.map((c) => [c.name, c.simulated]))).toEqual({ mix: false, sim: true });
  });
});
