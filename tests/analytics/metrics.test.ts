import { describe, expect, it } from "vitest";
import { profitBasisOf, summarizeAnalytics, type AnalyticsMonthRow } from "../../app/analytics/metrics";
import {
  DEFAULT_TRAFFIC_KIND_RULES,
  formatTrafficKindLines,
  kindOf,
  parseTrafficKindLines,
  validateTrafficKindRules,
} from "../../app/analytics/traffic-kinds";

const NOW = new Date("2026-11-23T12:00:00Z");
const row = (month: string, visitors: number | null, extra: Partial<AnalyticsMonthRow> = {}): AnalyticsMonthRow => ({
  month,
  visitors,
  sessions: visitors == null ? null : visitors * 2,
  subscribers: 0,
  netSalesMinor: null,
  grossProfitMinor: null,
  costRecordedSalesMinor: null,
  ...extra,
});

describe("Stage 1 kinds of traffic", () => {
  it("the documented table", () => {
    expect(kindOf("search", "Google")).toBe("get-found");
    expect(kindOf("search", "Google Shopping")).toBe("get-found");
    expect(kindOf("direct", "")).toBe("get-found");
    expect(kindOf("social", "Instagram")).toBe("shine-a-light");
    expect(kindOf("paid", "Facebook")).toBe("target-customers");
    expect(kindOf("paid", "Google")).toBe("get-found");
    expect(kindOf("paid", "YouTube")).toBe("shine-a-light");
    expect(kindOf("email", "Klaviyo")).toBe("not-stage-1");
    expect(kindOf("unknown", "")).toBe("unattributed");
    expect(kindOf("unknown", "blog.example")).toBe("shine-a-light");
    expect(kindOf("Search", "GOOGLE")).toBe("get-found");
    expect(kindOf("carrier-pigeon", "")).toBe("unattributed");
  });

  it("the merchant's rules come first", () => {
    const rules = parseTrafficKindLines("# mine\nsocial, instagram → target-customers\ncarrier-pigeon -> get-found\n");
    expect(rules).toEqual([
      { source: "social", name: "instagram", kind: "target-customers" },
      { source: "carrier-pigeon", kind: "get-found" },
    ]);
    expect(kindOf("social", "Instagram", rules)).toBe("target-customers");
    expect(kindOf("social", "Facebook", rules)).toBe("shine-a-light");
    expect(kindOf("carrier-pigeon", "", rules)).toBe("get-found");
    expect(parseTrafficKindLines(formatTrafficKindLines(rules))).toEqual(rules);
    expect(() => parseTrafficKindLines("social → loud")).toThrow(/unknown kind/);
    expect(() => parseTrafficKindLines("just words")).toThrow(/Line 1/);
    expect(validateTrafficKindRules(DEFAULT_TRAFFIC_KIND_RULES)).toHaveLength(DEFAULT_TRAFFIC_KIND_RULES.length);
  });
});

describe("summarizeAnalytics", () => {
  it("Stage 1: the last complete month, and the trend of the last 3 complete months against the 3 before", () => {
    const rows = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"].map((m, i) =>
      row(m, 1000 + i * 100),
    );
    rows.push(row("2026-11", 50)); // this month so far: not used
    const s = summarizeAnalytics(rows, [], null, NOW);
    expect(s.month).toBe("2026-10");
    expect(s.stage1.visitors).toBe(1600);
    expect(s.stage1.recent).toBe(1400 + 1500 + 1600);
    expect(s.stage1.previous).toBe(1100 + 1200 + 1300);
    expect(s.stage1.trend).toBeCloseTo(4500 / 3600, 12);
    expect(s.months.at(-1)).toMatchObject({ month: "2026-11", complete: false });
  });

  it("with less history the trend halves what there is; one month gives no trend", () => {
    expect(summarizeAnalytics([row("2026-09", 100), row("2026-10", 80)], [], null, NOW).stage1).toMatchObject({
      trendMonths: 1,
      recent: 80,
      previous: 100,
      trend: 0.8,
    });
    expect(summarizeAnalytics([row("2026-10", 80)], [], null, NOW).stage1).toMatchObject({
      trendMonths: 0,
      trend: null,
      visitors: 80,
    });
    expect(summarizeAnalytics([], [], null, NOW).stage1).toMatchObject({ visitors: null, trend: null, byKind: null });
  });

  it("Stage 2: subscribers of the month ÷ its visitors, next to the average pop-up (3.09% of the visitors who see it)", () => {
    const s = summarizeAnalytics([row("2026-10", 2000, { subscribers: 50 })], [], null, NOW);
    expect(s.stage2).toEqual({ subscribers: 50, visitors: 2000, rate: 0.025, reference: 0.0309 });
  });

  it("GP/V uses gross profit only when costs cover at least 90% of net sales", () => {
    const full = [
      row("2026-10", 1000, { netSalesMinor: 500_000n, grossProfitMinor: 200_000n, costRecordedSalesMinor: 480_000n }),
    ];
    expect(profitBasisOf(full)).toEqual({ basis: "grossProfit", coverage: 0.96 });
    expect(summarizeAnalytics(full, [], null, NOW).gpv.perVisitorMinor).toBe(200);
    const partial = [
      row("2026-10", 1000, { netSalesMinor: 500_000n, grossProfitMinor: 50_000n, costRecordedSalesMinor: 100_000n }),
    ];
    expect(summarizeAnalytics(partial, [], null, NOW)).toMatchObject({
      profitBasis: "netSales",
      costCoverage: 0.2,
      gpv: { perVisitorMinor: 500 },
    });
  });

  it("traffic by kind lists every kind and names sources the table does not know", () => {
    const s = summarizeAnalytics(
      [row("2026-10", 100)],
      [
        { month: "2026-10", source: "search", name: "Google", visitors: 60, sessions: 80 },
        { month: "2026-10", source: "social", name: "TikTok", visitors: 30, sessions: 35 },
        { month: "2026-10", source: "carrier-pigeon", name: "Coo", visitors: 10, sessions: 10 },
        { month: "2026-09", source: "search", name: "Google", visitors: 999, sessions: 999 },
      ],
      null,
      NOW,
    );
    expect(s.stage1.byKind!.map((k) => [k.kind, k.visitors, k.share])).toEqual([
      ["shine-a-light", 30, 0.3],
      ["target-customers", 0, 0],
      ["get-found", 60, 0.6],
      ["not-stage-1", 0, 0],
      ["unattributed", 10, 0.1],
    ]);
    expect(s.stage1.unmapped).toEqual(["carrier-pigeon / Coo"]);
  });
});
