import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseJsonKeepingBigIntegers } from "../../app/ingest/json";
import {
  customerGid,
  orderFromGraphql,
  orderFromWebhook,
  toMarketingState,
  toMinorUnits,
} from "../../app/ingest/facts";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/shopify/webhooks");
const example = (name: string) => {
  const json = JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as { response?: unknown };
  return JSON.stringify(json.response ?? json);
};

describe("webhook JSON", () => {
  it("keeps integers beyond 2^53 exact, as strings", () => {
    const parsed = parseJsonKeepingBigIntegers(
      '{"id": 820982911946154508, "n": 12, "s": "820982911946154508", "x": 1.5e3}',
    ) as Record<string, unknown>;
    expect(parsed.id).toBe("820982911946154508");
    expect(parsed.n).toBe(12);
    expect(parsed.s).toBe("820982911946154508");
    expect(parsed.x).toBe(1500);
  });

  it("leaves numbers inside strings and escaped quotes alone", () => {
    const parsed = parseJsonKeepingBigIntegers(
      '{"a": "say \\"99999999999999999999\\"", "b": [99999999999999999999]}',
    ) as { a: string; b: string[] };
    expect(parsed.a).toBe('say "99999999999999999999"');
    expect(parsed.b).toEqual(["99999999999999999999"]);
  });

  it("rejects malformed JSON with an error", () => {
    expect(() => parseJsonKeepingBigIntegers('{"id": ')).toThrow();
  });
});

describe("facts from Shopify", () => {
  it("money strings become exact minor units", () => {
    expect(toMinorUnits("12.3")).toBe(1230n);
    expect(toMinorUnits("0.10")).toBe(10n);
    expect(toMinorUnits("1000")).toBe(100000n);
    expect(toMinorUnits("-0.50")).toBe(-50n);
    expect(toMinorUnits("1.005")).toBe(101n);
    expect(() => toMinorUnits("abc")).toThrow(/Not a money amount/);
  });

  it("refuses an amount past what a signed 64-bit column holds, at the exact edge, either sign", () => {
    // 2^63 - 1 = 9223372036854775807 hundredths.
    expect(toMinorUnits("92233720368547758.07")).toBe(9_223_372_036_854_775_807n);
    expect(toMinorUnits("-92233720368547758.07")).toBe(-9_223_372_036_854_775_807n);
    expect(toMinorUnits("00092233720368547758.07")).toBe(9_223_372_036_854_775_807n);
    expect(() => toMinorUnits("92233720368547758.08")).toThrow(/out of range/);
    expect(() => toMinorUnits("92233720368547758.075")).toThrow(/out of range/);
    expect(() => toMinorUnits("-92233720368547758.08")).toThrow(/out of range/);
    expect(() => toMinorUnits("9".repeat(400))).toThrow(/out of range: "9{40}…"/);
    expect(() => toMinorUnits("1e400")).toThrow(/Not a money amount/);
  });

  it("the documented orders/create example maps to a voided, cancelled test order keyed by its GID", () => {
    const order = orderFromWebhook(
      parseJsonKeepingBigIntegers(example("orders__create.json")) as Record<string, unknown>,
    );
    expect(order.gid).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    expect(order.customerGid).toMatch(/^gid:\/\/shopify\/Customer\/\d+$/);
    expect(order.voided).toBe(true);
    expect(order.cancelled).toBe(true);
    expect(order.test).toBe(true);
    expect(order.createdAt.toISOString()).toBe("2022-01-01T00:00:00.000Z");
  });

  it("a partially refunded order keeps the refunded amount; a fully refunded one is flagged", () => {
    const base = {
      id: "gid://shopify/Order/1",
      createdAt: "2024-01-01T00:00:00Z",
      test: false,
      customer: { id: "gid://shopify/Customer/9" },
    };
    const partial = orderFromGraphql({
      ...base,
      displayFinancialStatus: "PARTIALLY_REFUNDED",
      totalPriceSet: { shopMoney: { amount: "50.00" } },
      totalRefundedSet: { shopMoney: { amount: "20.00" } },
    });
    expect([partial.totalMinor, partial.refundedMinor, partial.fullyRefunded]).toEqual([5000n, 2000n, false]);
    const full = orderFromGraphql({
      ...base,
      displayFinancialStatus: "REFUNDED",
      totalPriceSet: { shopMoney: { amount: "50.00" } },
      totalRefundedSet: { shopMoney: { amount: "50.00" } },
    });
    expect(full.fullyRefunded).toBe(true);
  });

  it("consent states are normalised and unknown ones rejected", () => {
    expect(toMarketingState("subscribed")).toBe("SUBSCRIBED");
    expect(toMarketingState("not_subscribed")).toBe("NOT_SUBSCRIBED");
    expect(() => toMarketingState("maybe")).toThrow(/Unknown email marketing state/);
  });

  it("numeric ids become GIDs and garbage is refused", () => {
    expect(customerGid("706405506930370084")).toBe("gid://shopify/Customer/706405506930370084");
    expect(customerGid("gid://shopify/Customer/5")).toBe("gid://shopify/Customer/5");
    expect(() => customerGid("1; DROP TABLE")).toThrow();
  });
});
