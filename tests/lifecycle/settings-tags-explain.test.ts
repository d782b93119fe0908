import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIFECYCLE_SETTINGS,
  SHOPIFY_MAX_TAGS_PER_CUSTOMER,
  STAGES,
  appTagsFor,
  applyTagPlan,
  classifyTimes,
  explain,
  planTagChange,
  validateLifecycleSettings,
} from "../../app/lifecycle/index";
import { NOW, ago, settings, shop, timesFromGaps } from "./helpers";

describe("app tags", () => {
  it("the stage tag is prefix + stage", () => {
    for (const stage of STAGES.filter((s) => s !== "lapsed")) {
      expect(appTagsFor({ stage, winbackTier: null }, "lifecycle:")).toEqual([`lifecycle:${stage}`]);
    }
  });
  it("a lapsed customer with a tier also carries the win-back tag", () => {
    expect(appTagsFor({ stage: "lapsed", winbackTier: 180 }, "lifecycle:")).toEqual(["lifecycle:lapsed", "lifecycle:winback-180"]);
    expect(appTagsFor({ stage: "lapsed", winbackTier: null }, "lifecycle:")).toEqual(["lifecycle:lapsed"]);
  });
  it("a maximal prefix still keeps every app tag within Shopify's 255 characters", () => {
    const prefix = validateLifecycleSettings({ tagPrefix: "p".repeat(40) }).tagPrefix;
    for (const tag of appTagsFor({ stage: "first-time-buyer", winbackTier: null }, prefix)) expect(tag.length).toBeLessThanOrEqual(255);
    for (const tag of appTagsFor({ stage: "lapsed", winbackTier: 360 }, prefix)) expect(tag.length).toBeLessThanOrEqual(255);
  });
});

describe("planTagChange", () => {
  it("replaces stale app tags and leaves merchant tags alone", () => {
    const plan = planTagChange(["VIP", "lifecycle:lapsed", "lifecycle:winback-90", "wholesale"], ["lifecycle:returned"], "lifecycle:");
    expect(plan).toEqual({ add: ["lifecycle:returned"], remove: ["lifecycle:lapsed", "lifecycle:winback-90"], overLimit: false });
  });
  it("compares case-insensitively like Shopify: a differently cased desired tag is already there", () => {
    expect(planTagChange(["Lifecycle:Repeat-Buyer"], ["lifecycle:repeat-buyer"], "lifecycle:")).toEqual({ add: [], remove: [], overLimit: false });
  });
  it("removes prefixed tags whatever their case", () => {
    expect(planTagChange(["LIFECYCLE:visitor"], ["lifecycle:enquirer"], "lifecycle:").remove).toEqual(["LIFECYCLE:visitor"]);
  });
  it("tags that merely resemble the prefix are not touched", () => {
    const current = ["lifecycle", "my-lifecycle:lapsed", "life cycle:lapsed", "lifecycle-lapsed"];
    expect(planTagChange(current, ["lifecycle:lapsed"], "lifecycle:")).toEqual({ add: ["lifecycle:lapsed"], remove: [], overLimit: false });
  });
  it("prefix migration: passing the old prefix too removes tags written under it", () => {
    const plan = planTagChange(["lifecycle:lapsed", "VIP"], ["stage/lapsed"], ["stage/", "lifecycle:"]);
    expect(plan).toEqual({ add: ["stage/lapsed"], remove: ["lifecycle:lapsed"], overLimit: false });
  });
  it("does not add a desired tag twice", () => {
    expect(planTagChange([], ["lifecycle:lapsed", "LIFECYCLE:lapsed"], "lifecycle:").add).toEqual(["lifecycle:lapsed"]);
  });
  const merchant = (n: number) => Array.from({ length: n }, (_, i) => `merchant-${i}`);
  it("a customer can reach exactly 250 tags", () => {
    expect(planTagChange(merchant(249), ["lifecycle:lapsed"], "lifecycle:")).toEqual({ add: ["lifecycle:lapsed"], remove: [], overLimit: false });
  });
  it("at 250 tags the plan adds nothing and says overLimit instead of failing silently", () => {
    const plan = planTagChange(merchant(250), ["lifecycle:lapsed"], "lifecycle:");
    expect(plan).toEqual({ add: [], remove: [], overLimit: true });
    expect(SHOPIFY_MAX_TAGS_PER_CUSTOMER).toBe(250);
  });
  it("at 250 tags a stale app tag is still swapped for the new one (the count does not grow)", () => {
    const plan = planTagChange([...merchant(249), "lifecycle:lapsed"], ["lifecycle:returned"], "lifecycle:");
    expect(plan).toEqual({ add: ["lifecycle:returned"], remove: ["lifecycle:lapsed"], overLimit: false });
  });
  it("over the limit, stale app tags are still removed", () => {
    const plan = planTagChange([...merchant(249), "lifecycle:lapsed"], ["lifecycle:returned", "lifecycle:winback-90"], "lifecycle:");
    expect(plan).toEqual({ add: [], remove: ["lifecycle:lapsed"], overLimit: true });
  });
  it("a 255-character merchant tag is untouched; a desired tag over 255 characters is refused", () => {
    const long = "m".repeat(255);
    expect(planTagChange([long], ["lifecycle:lapsed"], "lifecycle:").remove).toEqual([]);
    expect(() => planTagChange([], [`lifecycle:${"x".repeat(246)}`], "lifecycle:")).toThrow(/255/);
    expect(() => planTagChange([], [`lifecycle:${"x".repeat(245)}`], "lifecycle:")).not.toThrow();
  });
  it("applying a plan and planning again gives an empty plan", () => {
    const current = ["VIP", "lifecycle:lapsed", "Lifecycle:winback-90"];
    const desired = appTagsFor({ stage: "lapsed", winbackTier: 180 }, "lifecycle:");
    const after = applyTagPlan(current, planTagChange(current, desired, "lifecycle:"));
    expect(after).toEqual(["VIP", "lifecycle:lapsed", "lifecycle:winback-180"]);
    expect(planTagChange(after, desired, "lifecycle:")).toEqual({ add: [], remove: [], overLimit: false });
  });
});

describe("explanations", () => {
  const regular = classifyTimes(timesFromGaps([20, 12], 12), "NOT_SUBSCRIBED", shop(90), settings(), NOW);
  it("reads like the spec's example in English", () => {
    // gaps 20 and 12 days → median 16 → L = 32 days
    expect(explain(regular.explanation, "en")).toBe("3 orders in the last 365 days; last order 12 days ago; lapses after 32 days without an order");
  });
  it("has Japanese and Dutch sentences", () => {
    expect(explain(regular.explanation, "ja")).toBe("過去365日間に3件の注文、最終注文は12日前、注文がないまま32日経過すると休眠。");
    expect(explain(regular.explanation, "nl")).toBe("3 bestellingen in de afgelopen 365 dagen; laatste bestelling 12 dagen geleden; haakt af na 32 dagen zonder bestelling");
  });
  it("says when the threshold is shop-wide, and names the win-back tier", () => {
    const lapsed = classifyTimes([ago(200)], "NOT_SUBSCRIBED", shop(103.04), settings(), NOW);
    expect(explain(lapsed.explanation, "en")).toBe(
      "1 order in the last 365 days; last order 200 days ago; lapsed after 103 days without an order (shop-wide threshold); win-back tier 180",
    );
    expect(explain(lapsed.explanation, "nl")).toContain("win-back-niveau 180");
    expect(explain(lapsed.explanation, "ja")).toContain("ウィンバック段階180");
  });
  it("explains a return with the gap and the threshold it exceeded", () => {
    const returned = classifyTimes(timesFromGaps([20, 20, 200], 3), "NOT_SUBSCRIBED", shop(90), settings(), NOW);
    expect(explain(returned.explanation, "en")).toContain("came back after 200 days without an order (threshold 40 days)");
  });
  it("explains customers without orders by their email marketing state", () => {
    expect(explain(classifyTimes([], "SUBSCRIBED", shop(90), settings(), NOW).explanation, "en")).toBe("No orders yet; subscribed to email marketing");
    expect(explain(classifyTimes([], "PENDING", shop(90), settings(), NOW).explanation, "nl")).toBe(
      "Nog geen bestellingen; niet ingeschreven voor e-mailmarketing",
    );
  });
  it("uses singular words for one order and one day, and mentions orders outside the window", () => {
    const c = classifyTimes([ago(500), ago(1.5)], "NOT_SUBSCRIBED", shop(90), settings({ lapseMode: "fixed" }), NOW);
    expect(explain(c.explanation, "en")).toBe(
      "2 orders, 1 in the last 365 days; last order 1 day ago; came back after 498.5 days without an order (threshold 90 days); lapses after 90 days without an order (fixed threshold)",
    );
  });
  it("every stage has an explanation in every locale", () => {
    const samples = [
      classifyTimes([], "SUBSCRIBED", shop(90), settings(), NOW),
      classifyTimes([], "NOT_SUBSCRIBED", shop(90), settings(), NOW),
      classifyTimes([ago(3)], "NOT_SUBSCRIBED", shop(90), settings(), NOW),
      classifyTimes([ago(0.2)], "NOT_SUBSCRIBED", shop(90), settings(), NOW),
    ];
    for (const c of samples) {
      for (const locale of ["en", "ja", "nl"] as const) expect(explain(c.explanation, locale).length).toBeGreaterThan(10);
    }
    expect(explain(samples[3].explanation, "en")).toContain("last order less than a day ago");
  });
});
