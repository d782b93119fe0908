import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { journeyFromGraphql } from "../../app/ingest/journey";
import {
  FIRST_JOURNEY_DELAY_MS,
  MAX_JOURNEY_ATTEMPTS,
  awaitJourney,
  storeJourneys,
} from "../../app/models/journey.server";
import { readDueJourneys } from "../../app/campaigns/journeys.server";
import { rebuildFoundCampaigns } from "../../app/campaigns/found.server";
import { upsertOrders } from "../../app/models/facts.server";
import { ensureShop } from "../../app/models/shop.server";
import {
  activeCampaignsByStage,
  confirmFoundCampaign,
  listCampaigns,
  overrideCampaignStage,
  resetCampaignStage,
  saveCampaignActiveDays,
  setFoundCampaignHidden,
} from "../../app/models/campaign.server";
import type { OrderRow } from "../../app/ingest/facts";
import type { GraphqlRequester } from "../../app/shopify/requester.server";

const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2026, 10, 30, 12));
const SHOP = "journeys-db.myshopify.com";
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

function orderRow(id: number, customer: string | null, createdAt: Date, total: number): OrderRow {
  return {
    gid: `gid://shopify/Order/${id}`,
    customerGid: customer ? `gid://shopify/Customer/${customer}` : null,
    createdAt,
    totalMinor: BigInt(total),
    refundedMinor: 0n,
    currencyCode: "GBP",
    cancelled: false,
    test: false,
    voided: false,
    fullyRefunded: false,
    shopifyUpdatedAt: createdAt,
  };
}

const visit = (campaign: string | null, simulated = false) => ({
  sourceDescription: simulated ? "Simulated visit (dev store): google / cpc" : "Google",
  utmParameters: { source: "google", medium: "cpc", campaign },
  marketingEvent: null,
});
const node = (id: number, index: number | null, campaign: string | null, codes: string[] = [], ready = true) => ({
  id: `gid://shopify/Order/${id}`,
  discountCodes: codes,
  customerJourneySummary: ready
    ? { ready: true, customerOrderIndex: index, firstVisit: visit(campaign), lastVisit: visit(campaign) }
    : { ready: false, customerOrderIndex: null, firstVisit: null, lastVisit: null },
});

describeEachDatabase("journeys and campaigns found in orders", (database) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await database.create();
    await ensureShop(t.db, SHOP);
  });
  afterAll(async () => {
    await t.close();
  });

  it("journeyFromGraphql keeps UTM values, codes and the simulated label; no URLs", () => {
    const row = journeyFromGraphql({
      id: "gid://shopify/Order/1",
      discountCodes: ["WELCOME10", "welcome10", " "],
      customerJourneySummary: {
        ready: true,
        customerOrderIndex: 1,
        firstVisit: { ...visit("spring", true) },
        lastVisit: {
          ...visit("spring-2", true),
          marketingEvent: {
            id: "gid://shopify/MarketingEvent/7",
            type: "NEWSLETTER",
            marketingChannelType: "EMAIL",
            utmCampaign: null,
            description: "Spring mail",
          },
        },
      },
    });
    expect(row).toEqual({
      orderGid: "gid://shopify/Order/1",
      state: "ready",
      customerOrderIndex: 1,
      firstUtm: { source: "google", medium: "cpc", campaign: "spring" },
      lastUtm: { source: "google", medium: "cpc", campaign: "spring-2" },
      event: { gid: "gid://shopify/MarketingEvent/7", tactic: "NEWSLETTER", channel: "EMAIL", name: "Spring mail" },
      discountCodes: ["WELCOME10"],
      simulated: true,
    });
    expect(journeyFromGraphql({ id: "2", customerJourneySummary: null }).state).toBe("pending");
    expect(journeyFromGraphql({ id: "3", discountCodes: ["x".repeat(400)] }).discountCodes[0]).toHaveLength(255);
  });

  it("stores journeys naming a campaign and pending ones; a read journey naming nothing leaves no row", async () => {
    await storeJourneys(
      t.db,
      SHOP,
      [node(101, 1, "spring"), node(102, 1, null), node(103, null, null, [], false), node(104, 2, null, ["SAVE5"])].map(
        journeyFromGraphql,
      ),
      ago(0),
    );
    const rows = await t.db.orderJourney.findMany({ where: { shop: SHOP }, orderBy: { orderGid: "asc" } });
    expect(rows.map((r) => [r.orderGid.split("/").pop(), r.state, r.lastUtmCampaign, r.discountCodes])).toEqual([
      ["101", "ready", "spring", null],
      ["103", "pending", null, null],
      ["104", "ready", null, '["SAVE5"]'],
    ]);
    expect(rows[1].nextAttemptAt?.getTime()).toBe(NOW.getTime() + FIRST_JOURNEY_DELAY_MS);
    // A pending journey never replaces a read one.
    await storeJourneys(t.db, SHOP, [journeyFromGraphql(node(101, null, null, [], false))], NOW);
    expect(
      (await t.db.orderJourney.findFirst({ where: { shop: SHOP, orderGid: "gid://shopify/Order/101" } }))?.state,
    ).toBe("ready");
    await t.db.orderJourney.deleteMany({ where: { shop: SHOP } });
  });

  it("a new order's journey is read when due, again later while not ready, and given up after the last attempt", async () => {
    await awaitJourney(t.db, SHOP, "gid://shopify/Order/201", NOW);
    await awaitJourney(t.db, SHOP, "gid://shopify/Order/202", NOW);
    await awaitJourney(t.db, SHOP, "gid://shopify/Order/203", NOW);
    const asked: string[][] = [];
    let readyNow = false;
    const client: GraphqlRequester = {
      async request<T>(_document: string, variables?: Record<string, unknown>) {
        const ids = variables!.ids as string[];
        asked.push(ids);
        // 201 becomes ready on the second read; 202 never does; 203 was deleted from Shopify.
        const nodes = ids.map((id) =>
          id.endsWith("/203")
            ? null
            : node(Number(id.split("/").pop()), 1, "late", [], id.endsWith("/201") && readyNow),
        );
        return { data: { nodes } as T };
      },
    };
    expect(await readDueJourneys(t.db, SHOP, client, NOW)).toEqual({ read: 0, notReady: 0, gone: 0 }); // not due yet
    let clock = new Date(NOW.getTime() + FIRST_JOURNEY_DELAY_MS);
    expect(await readDueJourneys(t.db, SHOP, client, clock)).toEqual({ read: 0, notReady: 2, gone: 1 });
    const waiting = await t.db.orderJourney.findFirst({ where: { shop: SHOP, orderGid: "gid://shopify/Order/202" } });
    expect(waiting).toMatchObject({ state: "pending", attempts: 1 });
    expect(waiting!.nextAttemptAt!.getTime()).toBe(clock.getTime() + 3 * FIRST_JOURNEY_DELAY_MS);
    readyNow = true;
    let attempts = 1;
    while (attempts < MAX_JOURNEY_ATTEMPTS) {
      clock = new Date(clock.getTime() + 400 * FIRST_JOURNEY_DELAY_MS);
      await readDueJourneys(t.db, SHOP, client, clock);
      attempts++;
    }
    const rows = await t.db.orderJourney.findMany({ where: { shop: SHOP }, orderBy: { orderGid: "asc" } });
    expect(rows.map((r) => [r.orderGid.split("/").pop(), r.state, r.attempts])).toEqual([
      ["201", "ready", 0],
      ["202", "unavailable", MAX_JOURNEY_ATTEMPTS],
    ]);
    expect(asked.length).toBe(MAX_JOURNEY_ATTEMPTS); // nothing asked before due, nothing after giving up
    await readDueJourneys(t.db, SHOP, client, new Date(clock.getTime() + 1000 * DAY));
    expect(asked.length).toBe(MAX_JOURNEY_ATTEMPTS);
    await t.db.orderJourney.deleteMany({ where: { shop: SHOP } });
  });

  it("found campaigns are stored with figures per stage, active for 30 days after their last order; merchant decisions stay", async () => {
    // Customer 1: first order 200 days ago (spring), second 10 days ago (spring, code BACK).
    // Customer 2: first order 40 days ago (autumn). Guest: first order 5 days ago (spring).
    await upsertOrders(t.db, SHOP, [
      orderRow(1, "1", ago(200), 1000),
      orderRow(2, "1", ago(10), 2500),
      orderRow(3, "2", ago(40), 800),
      orderRow(4, null, ago(5), 300),
    ]);
    await storeJourneys(
      t.db,
      SHOP,
      [node(1, 1, "spring"), node(2, 2, "spring", ["BACK"]), node(3, 1, "autumn"), node(4, 1, "spring")].map(
        journeyFromGraphql,
      ),
      NOW,
    );
    await rebuildFoundCampaigns(t.db, SHOP, NOW);
    const list = await listCampaigns(t.db, SHOP, NOW);
    const byName = Object.fromEntries(list.map((c) => [c.name, c]));
    // Customer 1's gap of 190 days is past the default small-shop lapse of 90 days: a win-back (Stage 4).
    expect(byName.spring).toMatchObject({
      source: "found_campaign",
      stage: 3,
      orders: 3,
      revenueMinor: "3800",
      state: "active",
      foundStage: 3,
    });
    expect(byName.spring.perStage).toEqual([
      { stage: 3, orders: 2, revenueMinor: "1300", winbackOrders: 0 },
      { stage: 4, orders: 1, revenueMinor: "2500", winbackOrders: 1 },
    ]);
    expect(byName.BACK).toMatchObject({ source: "found_code", stage: 4, orders: 1, state: "active" });
    expect(byName.autumn).toMatchObject({ stage: 3, orders: 1, state: "ended" }); // last order 40 days ago
    let active = await activeCampaignsByStage(t.db, SHOP, NOW);
    expect(active.get(3)!.map((c) => c.name)).toEqual(["spring"]);

    await saveCampaignActiveDays(t.db, SHOP, 60);
    active = await activeCampaignsByStage(t.db, SHOP, NOW);
    expect(
      active
        .get(3)!
        .map((c) => c.name)
        .sort(),
    ).toEqual(["autumn", "spring"]);

    expect(await overrideCampaignStage(t.db, SHOP, byName.spring.id, 4, null)).toBe(true);
    expect(await setFoundCampaignHidden(t.db, SHOP, byName.autumn.id, true)).toBe(true);
    expect(await confirmFoundCampaign(t.db, SHOP, byName.BACK.id, NOW)).toBe(true);
    await rebuildFoundCampaigns(t.db, SHOP, NOW);
    const again = Object.fromEntries((await listCampaigns(t.db, SHOP, NOW)).map((c) => [c.name, c]));
    expect(again.spring).toMatchObject({ stage: 4, stageOverridden: true, foundStage: 3 });
    expect(again.autumn.hidden).toBe(true);
    expect(again.BACK.confirmed).toBe(true);
    active = await activeCampaignsByStage(t.db, SHOP, NOW);
    expect(active.get(3)!.map((c) => c.name)).toEqual([]); // spring moved, autumn hidden
    expect(await resetCampaignStage(t.db, SHOP, byName.spring.id)).toBe(true);
    expect((await listCampaigns(t.db, SHOP, NOW)).find((c) => c.name === "spring")).toMatchObject({
      stage: 3,
      stageOverridden: false,
    });

    // Once its orders are gone, a found campaign nobody decided about goes; a confirmed one stays, with no orders.
    await t.db.orderJourney.deleteMany({ where: { shop: SHOP } });
    await rebuildFoundCampaigns(t.db, SHOP, NOW);
    const left = await listCampaigns(t.db, SHOP, NOW);
    expect(left.map((c) => [c.name, c.orders]).sort()).toEqual([
      ["BACK", 0],
      ["autumn", 0],
    ]);
  });
});
