import { describe, expect, it } from "vitest";
import {
  SHOPIFY_MAX_TAGS_PER_CUSTOMER,
  STAGES,
  appTagsFor,
  applyTagPlan,
  planTagChange,
  validateLifecycleSettings,
} from "../../app/lifecycle/index";

describe("app tags", () => {
  it("the stage tag is prefix + stage", () => {
    for (const stage of STAGES.filter((s) => s !== "lapsed")) {
      expect(appTagsFor({ stage, winbackTier: null }, "lifecycle:")).toEqual([`lifecycle:${stage}`]);
    }
  });
  it("a lapsed customer with a tier also carries the win-back tag", () => {
    expect(appTagsFor({ stage: "lapsed", winbackTier: 180 }, "lifecycle:")).toEqual([
      "lifecycle:lapsed",
      "lifecycle:winback-180",
    ]);
    expect(appTagsFor({ stage: "lapsed", winbackTier: null }, "lifecycle:")).toEqual(["lifecycle:lapsed"]);
  });
  it("a maximal prefix still keeps every app tag within Shopify's 255 characters", () => {
    const prefix = validateLifecycleSettings({ tagPrefix: "p".repeat(40) }).tagPrefix;
    for (const tag of appTagsFor({ stage: "first-time-buyer", winbackTier: null }, prefix))
      expect(tag.length).toBeLessThanOrEqual(255);
    for (const tag of appTagsFor({ stage: "lapsed", winbackTier: 360 }, prefix))
      expect(tag.length).toBeLessThanOrEqual(255);
  });
});

describe("planTagChange", () => {
  it("replaces stale app tags and leaves merchant tags alone", () => {
    const plan = planTagChange(
      ["VIP", "lifecycle:lapsed", "lifecycle:winback-90", "wholesale"],
      ["lifecycle:returned"],
      "lifecycle:",
    );
    expect(plan).toEqual({
      add: ["lifecycle:returned"],
      remove: ["lifecycle:lapsed", "lifecycle:winback-90"],
      overLimit: false,
    });
  });
  it("compares case-insensitively like Shopify: a differently cased desired tag is already there", () => {
    expect(planTagChange(["Lifecycle:Repeat-Buyer"], ["lifecycle:repeat-buyer"], "lifecycle:")).toEqual({
      add: [],
      remove: [],
      overLimit: false,
    });
  });
  it("removes prefixed tags whatever their case", () => {
    expect(planTagChange(["LIFECYCLE:visitor"], ["lifecycle:enquirer"], "lifecycle:").remove).toEqual([
      "LIFECYCLE:visitor",
    ]);
  });
  it("tags that merely resemble the prefix are not touched", () => {
    const current = ["lifecycle", "my-lifecycle:lapsed", "life cycle:lapsed", "lifecycle-lapsed"];
    expect(planTagChange(current, ["lifecycle:lapsed"], "lifecycle:")).toEqual({
      add: ["lifecycle:lapsed"],
      remove: [],
      overLimit: false,
    });
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
    expect(planTagChange(merchant(249), ["lifecycle:lapsed"], "lifecycle:")).toEqual({
      add: ["lifecycle:lapsed"],
      remove: [],
      overLimit: false,
    });
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
    const plan = planTagChange(
      [...merchant(249), "lifecycle:lapsed"],
      ["lifecycle:returned", "lifecycle:winback-90"],
      "lifecycle:",
    );
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
