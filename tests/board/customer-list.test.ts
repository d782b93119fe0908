import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../support/test-db";
import { listCustomers, numericCustomerId, parseCursor } from "../../app/models/customer-list.server";
import { customerCsvStream } from "../../app/customers/csv.server";
import { CUSTOMER_COLUMNS } from "../../app/customers/columns";
import { translate } from "../../app/i18n/translate";
import { csvField, minorToDecimal } from "../../app/board/csv";

const SHOP = "list.myshopify.com";
const NOW = new Date("2026-11-23T12:00:00Z");
const DAY = 86_400_000;
let t: TestDb;

beforeAll(async () => {
  t = createTestDb();
  await t.db.shop.create({ data: { domain: SHOP, currencyCode: "JPY" } });
  const explanation = JSON.stringify([
    { key: "orders", values: { count: 1, inWindow: 1, windowDays: 365 } },
    { key: "lastOrder", values: { days: 40.04 } },
  ]);
  for (let i = 1; i <= 130; i++) {
    const stage = i % 2 === 0 ? "first-time-buyer" : i % 5 === 0 ? "lapsed" : "visitor";
    await t.db.customer.create({
      data: {
        shop: SHOP,
        gid: `gid://shopify/Customer/${1000 + i}`,
        stage,
        winbackTier: stage === "lapsed" ? 90 : null,
        lastOrderAt: stage === "visitor" ? null : new Date(NOW.getTime() - 40 * DAY - 3600_000),
        qualifyingOrders: stage === "visitor" ? 0 : 1,
        netSpentMinor: stage === "visitor" ? 0n : 123456n,
        explanation: stage === "visitor" ? null : explanation,
        deletedAt: i === 4 ? NOW : null,
        // Customer 1005 (lapsed) has a prediction; the other lapsed customers have none.
        predictedValueMinor: i === 5 ? 98765n : null,
        probabilityAlive: i === 5 ? 0.123456 : null,
      },
    });
  }
  await t.db.stageCount.createMany({
    data: [
      { shop: SHOP, stage: "first-time-buyer", customers: 64, netSpentMinor: 0n },
      { shop: SHOP, stage: "visitor", customers: 52, netSpentMinor: 0n },
      { shop: SHOP, stage: "lapsed", customers: 13, netSpentMinor: 0n },
    ],
  });
});

afterAll(async () => {
  await t.close();
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("the customers list", () => {
  it("filters by stage and pages on the server by id, forwards and back", async () => {
    const first = await listCustomers(t.db, SHOP, { stage: "first-time-buyer", now: NOW, pageSize: 20 });
    expect(first.total).toBe(64);
    expect(first.rows).toHaveLength(20);
    expect(first.rows.every((r) => r.stage === "first-time-buyer")).toBe(true);
    expect(first.rows.map((r) => r.customerId)).not.toContain("1004"); // deleted
    expect(first.previousBefore).toBeNull();
    const second = await listCustomers(t.db, SHOP, {
      stage: "first-time-buyer",
      after: parseCursor(first.nextAfter),
      now: NOW,
      pageSize: 20,
    });
    expect(second.rows[0].id).toBeGreaterThan(first.rows.at(-1)!.id);
    expect(second.previousBefore).toBe(`first-time-buyer:${second.rows[0].id}`);
    const back = await listCustomers(t.db, SHOP, {
      stage: "first-time-buyer",
      before: parseCursor(second.previousBefore),
      now: NOW,
      pageSize: 20,
    });
    expect(back.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    let page = second;
    const seen = new Set([...first.rows, ...second.rows].map((r) => r.id));
    while (page.nextAfter != null) {
      page = await listCustomers(t.db, SHOP, {
        stage: "first-time-buyer",
        after: parseCursor(page.nextAfter),
        now: NOW,
        pageSize: 20,
      });
      page.rows.forEach((r) => seen.add(r.id));
    }
    expect(seen.size).toBe(64);
  });

  it("shows the model's explanation, days since the last order and the Shopify customer id", async () => {
    const page = await listCustomers(t.db, SHOP, { stage: "lapsed", now: NOW });
    expect(page.rows[0]).toMatchObject({
      customerId: "1005",
      stage: "lapsed",
      winbackTier: 90,
      daysSinceLastOrder: 40,
      qualifyingOrders: 1,
      netSpentMinor: "123456",
    });
    expect(page.rows[0].explanation).toEqual([
      { key: "orders", values: { count: 1, inWindow: 1, windowDays: 365 } },
      { key: "lastOrder", values: { days: 40.04 } },
    ]);
    const visitors = await listCustomers(t.db, SHOP, { stage: "visitor", now: NOW });
    expect(visitors.rows[0]).toMatchObject({ daysSinceLastOrder: null, explanation: [] });
    expect(numericCustomerId("gid://shopify/Customer/7000000000001")).toBe("7000000000001");
  });

  it("all stages together, stage by stage in the model's order, paged across stage boundaries", async () => {
    const all = await listCustomers(t.db, SHOP, { stage: "all", now: NOW, pageSize: 200 });
    expect(all.total).toBe(129);
    expect(all.rows).toHaveLength(129);
    expect(all.nextAfter).toBeNull();
    expect([...new Set(all.rows.map((r) => r.stage))]).toEqual(["visitor", "first-time-buyer", "lapsed"]);
    const ids: number[] = [];
    let page = await listCustomers(t.db, SHOP, { stage: "all", now: NOW, pageSize: 25 });
    ids.push(...page.rows.map((r) => r.id));
    while (page.nextAfter) {
      page = await listCustomers(t.db, SHOP, {
        stage: "all",
        after: parseCursor(page.nextAfter),
        now: NOW,
        pageSize: 25,
      });
      ids.push(...page.rows.map((r) => r.id));
    }
    expect(ids).toEqual(all.rows.map((r) => r.id));
    const back = await listCustomers(t.db, SHOP, {
      stage: "all",
      before: parseCursor(page.previousBefore),
      now: NOW,
      pageSize: 25,
    });
    expect(back.rows.map((r) => r.id)).toEqual(ids.slice(100, 125));
  });

  it("ignores malformed cursors", () => {
    expect(parseCursor("lapsed:12")).toEqual({ stage: "lapsed", id: 12 });
    expect(parseCursor("nobody:12")).toBeNull();
    expect(parseCursor("12")).toBeNull();
  });

  it("exports every customer of the filter as CSV: the page's columns, prediction included, with a translated header", async () => {
    const csv = await readAll(customerCsvStream(t.db, SHOP, "lapsed", NOW, "nl"));
    const lines = csv
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe(
      "Klant,Link naar Shopify-beheer,Fase,Terugwinstap,Waarom,Dagen sinds laatste bestelling,Laatste bestelling,Bestellingen,Netto besteed,Valuta,Verwachte waarde komende 12 maanden,Kans dat de klant nog koopt",
    );
    expect(lines).toHaveLength(14);
    // 40 days and an hour before NOW: 40 whole days, last order on 2026-10-14; one order of 1234.56 JPY in minor units.
    expect(lines[1]).toBe(
      "1005,https://admin.shopify.com/store/list/customers/1005,Afgehaakt,90,1 bestelling in de afgelopen 365 dagen; laatste bestelling 40 dagen geleden,40,2026-10-14,1,1234.56,JPY,987.65,0.1235",
    );
    expect(lines[2].endsWith(",JPY,,")).toBe(true);
    const everyone = await readAll(customerCsvStream(t.db, SHOP, "all", NOW, "en"));
    expect(everyone.trimEnd().split("\r\n")).toHaveLength(130);
    // A byte-order mark first, so spreadsheet programs read the UTF-8 (Response.text() drops it).
    const bytes = new Uint8Array(await new Response(customerCsvStream(t.db, SHOP, "lapsed", NOW, "ja")).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("the CSV has every column of the page, under the page's own headings, in the page's order", async () => {
    for (const locale of ["en", "ja", "nl"] as const) {
      const header = (await readAll(customerCsvStream(t.db, SHOP, "lapsed", NOW, locale)))
        .replace(/^\uFEFF/, "")
        .split("\r\n")[0]
        .split(",");
      const positions = CUSTOMER_COLUMNS.map((c) => header.indexOf(translate(locale, c.title)));
      expect(
        positions.every((p) => p >= 0),
        locale,
      ).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    expect(CUSTOMER_COLUMNS.map((c) => c.id)).toEqual(expect.arrayContaining(["predicted", "alive"]));
  });

  it("quotes CSV fields and defuses spreadsheet formulas", () => {
    expect(csvField('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField(-5)).toBe("-5");
    expect(minorToDecimal(5n)).toBe("0.05");
    expect(minorToDecimal(-123456n)).toBe("-1234.56");
  });
});
