import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  defaultStageForTactic,
  MARKETING_TACTICS,
  stageForActivity,
  TACTIC_STAGE,
  UNKNOWN_TACTIC_STAGE,
} from "../../app/domain/tactics";

const ROOT = path.resolve(import.meta.dirname, "../..");
const schema = JSON.parse(
  zlib.gunzipSync(fs.readFileSync(path.join(ROOT, "tests/fixtures/shopify/admin_2026-10.json.gz"))).toString(),
) as {
  data: { __schema: { types: Array<{ name: string; enumValues?: Array<{ name: string }> | null }> } };
};
const enumValues = (name: string) =>
  schema.data.__schema.types.find((t) => t.name === name)!.enumValues!.map((v) => v.name);

describe("tactic → stage default table", () => {
  it("covers exactly the MarketingTactic values of the 2026-10 schema", () => {
    expect([...MARKETING_TACTICS].sort()).toEqual(enumValues("MarketingTactic").sort());
    expect(Object.keys(TACTIC_STAGE).sort()).toEqual(enumValues("MarketingTactic").sort());
  });

  it("places reach tactics in Stage 1, abandoned carts and retargeting in Stage 3, transactional in 4, loyalty in 5", () => {
    for (const tactic of ["AD", "SEO", "AFFILIATE", "POST"]) expect(defaultStageForTactic(tactic).stage).toBe(1);
    expect(defaultStageForTactic("NEWSLETTER").stage).toBe(3);
    expect(defaultStageForTactic("ABANDONED_CART").stage).toBe(3);
    expect(defaultStageForTactic("RETARGETING").stage).toBe(3);
    expect(defaultStageForTactic("TRANSACTIONAL").stage).toBe(4);
    expect(defaultStageForTactic("LOYALTY").stage).toBe(5);
    expect(defaultStageForTactic("STOREFRONT_APP").stage).toBe(2);
  });

  it("gives Stage 1 activities a kind (search ads are Get Found) and later stages none", () => {
    expect(defaultStageForTactic("SEO")).toEqual({ stage: 1, stageOneKind: "get-found" });
    expect(defaultStageForTactic("AD", "SOCIAL")).toEqual({ stage: 1, stageOneKind: "target-customers" });
    expect(defaultStageForTactic("AD", "SEARCH")).toEqual({ stage: 1, stageOneKind: "get-found" });
    expect(defaultStageForTactic("POST")).toEqual({ stage: 1, stageOneKind: "shine-a-light" });
    expect(defaultStageForTactic("ABANDONED_CART", "EMAIL")).toEqual({ stage: 3, stageOneKind: null });
  });

  it("puts a tactic newer than the table in the fallback stage until the merchant moves it", () => {
    expect(defaultStageForTactic("HOLOGRAM").stage).toBe(UNKNOWN_TACTIC_STAGE);
  });
});

describe("per-activity overrides", () => {
  it("a new activity gets the table's stage, not overridden", () => {
    expect(stageForActivity("LOYALTY", "EMAIL", null)).toEqual({
      stage: 5,
      stageOneKind: null,
      stageOverridden: false,
    });
  });

  it("a refresh keeps the merchant's stage for an overridden activity", () => {
    expect(stageForActivity("NEWSLETTER", "EMAIL", { stage: 2, stageOneKind: null, stageOverridden: true })).toEqual({
      stage: 2,
      stageOneKind: null,
      stageOverridden: true,
    });
    expect(
      stageForActivity("LOYALTY", "EMAIL", { stage: 1, stageOneKind: "get-found", stageOverridden: true }),
    ).toEqual({
      stage: 1,
      stageOneKind: "get-found",
      stageOverridden: true,
    });
  });

  it("a refresh re-applies the table to an activity that was not overridden (its tactic may have changed)", () => {
    expect(
      stageForActivity("TRANSACTIONAL", "EMAIL", { stage: 3, stageOneKind: null, stageOverridden: false }).stage,
    ).toBe(4);
  });
});
