/**
 * instantText writes DateTime values as Prisma stores them on SQLite, without toISOString on the hot path: the text
 * must be exactly toISOString's (with "+00:00" for "Z") for every instant, and read back through Prisma as the same
 * Date on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantText } from "../../app/models/sql-values.server";
import { upsertOrders } from "../../app/models/facts.server";
import type { OrderRow } from "../../app/ingest/facts";
import { describeEachDatabase, type TestDb } from "../support/databases";

const isoText = (date: Date) => date.toISOString().replace("Z", "+00:00");

const EDGES = [
  "1970-01-01T00:00:00.000Z",
  "1969-12-31T23:59:59.999Z",
  "1900-03-01T12:00:00.000Z",
  "2000-02-29T23:59:59.999Z",
  "2024-02-29T00:00:00.001Z",
  "2024-12-31T23:59:59.999Z",
  "2025-01-01T00:00:00.000Z",
  "2100-02-28T10:11:12.013Z",
  "2100-03-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  "+010000-01-01T00:00:00.000Z",
].map((text) => new Date(text));

/** A deterministic spread of instants over 1970–9999, and runs of neighbours that share or cross a day. */
function spread(): Date[] {
  const dates: Date[] = [];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) dates.push(new Date(Math.floor(next() * 253_402_300_800_000)));
  for (let ms = Date.UTC(2023, 11, 31, 23, 0); ms < Date.UTC(2024, 0, 1, 1, 0); ms += 61_001) dates.push(new Date(ms));
  return dates;
}

describe("instantText", () => {
  it("writes toISOString's text with +00:00 for every instant, edges and neighbours in any order", () => {
    for (const date of [...EDGES, ...spread(), ...EDGES]) expect(instantText(date)).toBe(isoText(date));
  });

  it("null for no date; an invalid date throws as toISOString does", () => {
    expect(instantText(null)).toBeNull();
    expect(instantText(undefined)).toBeNull();
    expect(() => instantText(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describeEachDatabase("instantText through the database", (database) => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await database.create();
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it("an order's instants, before 1970 too, read back through Prisma as the same Dates", async () => {
    const shop = "instants.myshopify.com";
    const dates = EDGES.filter((d) => d.getUTCFullYear() <= 9999);
    const rows: OrderRow[] = dates.map((date, i) => ({
      gid: `gid://shopify/Order/${i}`,
      customerGid: null,
      createdAt: date,
      totalMinor: 100n,
      refundedMinor: 0n,
      currencyCode: "EUR",
      cancelled: false,
      test: false,
      voided: false,
      fullyRefunded: false,
      shopifyUpdatedAt: dates[dates.length - 1 - i],
    }));
    await upsertOrders(testDb.db, shop, rows);
    const stored = await testDb.db.order.findMany({ where: { shop }, orderBy: { gid: "asc" } });
    expect(stored.map((o) => [o.gid, o.createdAt.getTime(), o.shopifyUpdatedAt?.getTime()])).toEqual(
      rows
        .map((r) => [r.gid, r.createdAt.getTime(), r.shopifyUpdatedAt!.getTime()])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });
});
