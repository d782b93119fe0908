import { describe, expect, it } from "vitest";
import {
  formatChange,
  formatDate,
  formatMoney,
  formatMonth,
  formatNumber,
  formatPercent,
} from "../../app/board/ui/format";
import { translate } from "../../app/i18n/translate";

// Expected strings are written out by hand from each language's conventions (CLDR as shipped with Node's ICU).
describe("numbers, percentages, money and dates in the merchant's language", () => {
  it("groups whole numbers the language's way: a comma in English and Japanese, a full stop in Dutch", () => {
    expect(formatNumber("en", 1234567)).toBe("1,234,567");
    expect(formatNumber("ja", 1234567)).toBe("1,234,567");
    expect(formatNumber("nl", 1234567)).toBe("1.234.567");
    expect(formatNumber("nl", 14.1)).toBe("14");
  });

  it("one rule for every percentage: one decimal below 10%, whole from 10%", () => {
    const cases: [number, string, string][] = [
      // rate, en, nl
      [0.0006, "0.1%", "0,1%"],
      [0.001, "0.1%", "0,1%"],
      [0.0235, "2.4%", "2,4%"],
      [0.05, "5%", "5%"],
      [0.094, "9.4%", "9,4%"],
      [0.141, "14%", "14%"],
      [0.5, "50%", "50%"],
      [1, "100%", "100%"],
      [0, "0%", "0%"],
    ];
    for (const [rate, en, nl] of cases) {
      expect(formatPercent("en", rate), String(rate)).toBe(en);
      expect(formatPercent("nl", rate).replace(/\u00a0/g, " "), String(rate)).toBe(nl);
    }
  });

  it("a rate too small to show is 'less than 0.1%', never 0%", () => {
    expect(formatPercent("en", 0.0002)).toBe("< 0.1%");
    expect(formatPercent("nl", 0.0002)).toBe("< 0,1%");
    expect(formatPercent("ja", 0.0002)).toBe("0.1%未満");
  });

  it("signed changes follow the same rule", () => {
    expect(formatChange("en", 1.12)).toBe("+12%");
    expect(formatChange("en", 0.92)).toBe("-8%");
    expect(formatChange("nl", 1.025)).toBe("+2,5%");
    expect(formatChange("en", 1)).toBe("0%");
  });

  it("money in the shop's currency, with the language's separators", () => {
    expect(formatMoney("en", 123456, "GBP")).toBe("£1,234.56");
    expect(formatMoney("nl", 123456, "EUR").replace(/\u00a0/g, " ")).toBe("€ 1.234,56");
    expect(formatMoney("ja", 123456, "JPY")).toBe("￥1,235");
    expect(formatMoney("en", 123456, "GBP", { whole: true })).toBe("£1,235");
    expect(formatMoney("nl", 123456, null)).toBe("1.234,56");
    expect(formatMoney("en", 123456, "not-a-code")).toBe("1,234.56 not-a-code");
  });

  it("dates in UTC, so the server and a browser anywhere show the same day", () => {
    expect(formatDate("en", "2026-11-23T23:30:00Z")).toBe("Nov 23, 2026");
    expect(formatDate("nl", "2026-11-23T23:30:00Z")).toBe("23 nov 2026");
    expect(formatDate("ja", "2026-11-23T23:30:00Z")).toBe("2026年11月23日");
    expect(formatMonth("en", "2026-10")).toBe("Oct 2026");
  });
});

describe("counts go to messages as numbers", () => {
  it("a count passed already formatted is refused (it would pluralise as NaN), a number is pluralised", () => {
    expect(translate("en", "customers.total", { count: 1 })).toBe("1 customer");
    expect(translate("nl", "customers.total", { count: 4338 })).toBe("4.338 klanten");
    expect(() => translate("en", "customers.total", { count: "4,338" })).toThrow(
      /customers\.total.*\{count\} as a number/,
    );
    // Japanese has no plural forms, but the same key needs a number there too.
    expect(() => translate("ja", "customers.total", { count: "4,338" })).toThrow(TypeError);
  });
});
