import { describe, expect, it } from "vitest";
import { classifyTimes } from "../../app/lifecycle/index";
import { explain } from "../../app/i18n/explain";
import { NOW, ago, settings, shop, timesFromGaps } from "../lifecycle/helpers";

describe("explanations in the merchant's language", () => {
  const regular = classifyTimes(timesFromGaps([20, 12], 12), "NOT_SUBSCRIBED", shop(90), settings(), NOW);
  it("reads like the spec's example in English", () => {
    // gaps 20 and 12 days → median 16 → L = 32 days
    expect(explain(regular.explanation, "en")).toBe(
      "3 orders in the last 365 days; last order 12 days ago; lapses after 32 days without an order",
    );
  });
  it("has Japanese and Dutch sentences", () => {
    expect(explain(regular.explanation, "ja")).toBe(
      "過去365日間に3件の注文、最終注文は12日前、注文がないまま32日経過すると休眠。",
    );
    expect(explain(regular.explanation, "nl")).toBe(
      "3 bestellingen in de afgelopen 365 dagen; laatste bestelling 12 dagen geleden; haakt af na 32 dagen zonder bestelling",
    );
  });
  it("says when the threshold is shop-wide, and names the win-back tier in the glossary's words", () => {
    const lapsed = classifyTimes([ago(200)], "NOT_SUBSCRIBED", shop(103.04), settings(), NOW);
    expect(explain(lapsed.explanation, "en")).toBe(
      "1 order in the last 365 days; last order 200 days ago; lapsed after 103 days without an order (shop-wide threshold); win-back tier 180",
    );
    expect(explain(lapsed.explanation, "nl")).toBe(
      "1 bestelling in de afgelopen 365 dagen; laatste bestelling 200 dagen geleden; afgehaakt na 103 dagen zonder bestelling (drempel van de hele winkel); terugwinstap 180",
    );
    expect(explain(lapsed.explanation, "ja")).toBe(
      "過去365日間に1件の注文、最終注文は200日前、注文がないまま103日経過したため休眠（ショップ全体の基準）、呼び戻し段階180。",
    );
  });
  it("gives thresholds in whole days, rounded to the nearest: 14.1 days reads as 14, never '14.1' or '14,1'", () => {
    // One order 40 days ago, the shop's threshold 14.1 days (a hand-made shop; settings let Q be any positive number).
    const lapsed = classifyTimes([ago(40)], "NOT_SUBSCRIBED", shop(14.1), settings({ shopThresholdMinDays: 1 }), NOW);
    for (const locale of ["en", "ja", "nl"] as const)
      expect(explain(lapsed.explanation, locale)).not.toMatch(/14[.,]1/);
    expect(explain(lapsed.explanation, "en")).toContain("lapsed after 14 days without an order");
    expect(explain(lapsed.explanation, "nl")).toContain("afgehaakt na 14 dagen zonder bestelling");
    const longer = classifyTimes([ago(40)], "NOT_SUBSCRIBED", shop(14.6), settings({ shopThresholdMinDays: 1 }), NOW);
    expect(explain(longer.explanation, "en")).toContain("lapsed after 15 days");
  });
  it("explains a return with the gap and the threshold it exceeded", () => {
    const returned = classifyTimes(timesFromGaps([20, 20, 200], 3), "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(explain(returned.explanation, "en")).toContain(
      "came back after 200 days without an order (threshold 40 days)",
    );
    expect(explain(returned.explanation, "nl")).toContain(
      "teruggekeerd na 200 dagen zonder bestelling (drempel 40 dagen)",
    );
  });
  it("explains customers without orders by their email marketing state", () => {
    expect(explain(classifyTimes([], "SUBSCRIBED", shop(90), settings(), NOW).explanation, "en")).toBe(
      "No orders yet; subscribed to email marketing",
    );
    expect(explain(classifyTimes([], "PENDING", shop(90), settings(), NOW).explanation, "nl")).toBe(
      "Nog geen bestellingen; niet aangemeld voor e-mailmarketing",
    );
  });
  it("uses singular words for one order and one day, mentions orders outside the window, and rounds a 498.5-day gap to 499", () => {
    const c = classifyTimes([ago(500), ago(1.5)], "NOT_SUBSCRIBED", shop(90), settings({ lapseMode: "fixed" }), NOW);
    expect(explain(c.explanation, "en")).toBe(
      "2 orders, 1 in the last 365 days; last order 1 day ago; came back after 499 days without an order (threshold 90 days); lapses after 90 days without an order (fixed threshold)",
    );
    expect(explain(c.explanation, "nl")).toBe(
      "2 bestellingen, 1 in de afgelopen 365 dagen; laatste bestelling 1 dag geleden; teruggekeerd na 499 dagen zonder bestelling (drempel 90 dagen); haakt af na 90 dagen zonder bestelling (vaste drempel)",
    );
  });
  it("groups large numbers the language's way (a full stop in Dutch)", () => {
    const c = classifyTimes([ago(1300)], "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(explain(c.explanation, "en")).toContain("last order 1,300 days ago");
    expect(explain(c.explanation, "nl")).toContain("laatste bestelling 1.300 dagen geleden");
  });
  it("every stage has an explanation in every locale", () => {
    const samples = [
      classifyTimes([], "SUBSCRIBED", shop(90), settings(), NOW),
      classifyTimes([], "NOT_SUBSCRIBED", shop(90), settings(), NOW),
      classifyTimes([ago(3)], "NOT_SUBSCRIBED", shop(90), settings(), NOW),
      classifyTimes([ago(0.2)], "NOT_SUBSCRIBED", shop(90), settings(), NOW),
    ];
    for (const c of samples) {
      for (const locale of ["en", "ja", "nl"] as const)
        expect(explain(c.explanation, locale).length).toBeGreaterThan(10);
    }
    expect(explain(samples[3].explanation, "en")).toContain("last order less than a day ago");
    expect(explain(samples[3].explanation, "ja")).toContain("最終注文は1日以内");
  });
  it("skips parts it does not know (stored by a newer version) instead of showing raw keys", () => {
    const parts = [
      ...regular.explanation,
      { key: "fromTheFuture", values: {} },
    ] as unknown as typeof regular.explanation;
    expect(explain(parts, "en")).toBe(explain(regular.explanation, "en"));
  });
});
