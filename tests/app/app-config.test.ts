import fs from "node:fs";
import path from "node:path";
import toml from "toml";
import { describe, expect, it } from "vitest";
import { APP_SCOPES, API_VERSION } from "../../app/config.server";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";
import { STAGE_CHANGED_TRIGGER_HANDLE, stageChangedPayload } from "../../app/shopify/flow.server";
import { scopeGranted } from "../../app/shopify/access-scopes.server";
import { accessRules } from "../devstore/access";
import { loadFlowTriggers, triggerPayloadProblems } from "../devstore/flow";
import { loadAdminSchemaJson } from "../devstore/schema";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface AppToml {
  build?: Record<string, unknown>;
  access_scopes?: { scopes?: string };
  webhooks?: {
    api_version?: string;
    subscriptions?: Array<{ topics?: string[]; compliance_topics?: string[]; uri?: string }>;
  };
}
const config = toml.parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as AppToml;
const subscriptions = config.webhooks?.subscriptions ?? [];

describe("shopify.app.toml", () => {
  it("subscribes to exactly the topics the app handles, each at /webhooks/<topic>", () => {
    const subs = subscriptions.filter((s) => s.topics?.length);
    expect(subs.flatMap((s) => s.topics!).sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
    for (const sub of subs) expect(sub.uri).toBe(`/webhooks/${sub.topics![0]}`);
  });

  it("declares the three compliance topics at /webhooks/compliance", () => {
    const compliance = subscriptions.find((s) => s.compliance_topics?.length);
    expect(compliance?.compliance_topics?.sort()).toEqual([...COMPLIANCE_TOPICS].sort());
    expect(compliance?.uri).toBe("/webhooks/compliance");
    expect(fs.existsSync(path.join(ROOT, "app/routes/webhooks.compliance.tsx"))).toBe(true);
  });

  it("asks for the scopes the app needs, read_all_orders included, and uses API 2026-10", () => {
    expect(config.access_scopes?.scopes?.split(",").sort()).toEqual([...APP_SCOPES].sort());
    expect(config.webhooks?.api_version).toBe("2026-10");
    expect(API_VERSION).toBe("2026-10");
  });

  it("requests the scope every subscribed topic needs (read from the schema's WebhookSubscriptionTopic descriptions)", () => {
    const rules = accessRules(loadAdminSchemaJson());
    for (const topic of SUBSCRIBED_TOPICS) {
      const anyOf = rules.topics.get(topic);
      expect(anyOf, `${topic} is a topic of the 2026-10 schema`).toBeDefined();
      if (anyOf!.length > 0)
        expect(
          anyOf!.some((scope) => scopeGranted([...APP_SCOPES], scope)),
          `${topic} needs one of ${anyOf!.join(", ")}`,
        ).toBe(true);
    }
    expect(rules.topics.get("customers/merge")).toEqual(["read_customer_merge"]);
  });

  it("has no obsolete keys (include_config_on_deploy is gone from Shopify CLI 4)", () => {
    expect(config.build ?? {}).not.toHaveProperty("include_config_on_deploy");
  });
});

describe("the Flow trigger extension", () => {
  const file = path.join(ROOT, "extensions/lifecycle-stage-changed/shopify.extension.toml");
  const ext = toml.parse(fs.readFileSync(file, "utf8")) as {
    extensions: Array<{ handle: string; type: string }>;
    settings: { fields: Array<{ type: string; key?: string }> };
  };

  it("has a handle of at most 30 letters, digits and hyphens, and keys of letters and spaces", () => {
    const handle = ext.extensions[0].handle;
    expect(handle).toBe(STAGE_CHANGED_TRIGGER_HANDLE);
    expect(handle).toMatch(/^[a-z0-9-]{1,30}$/);
    for (const field of ext.settings.fields) if (field.key) expect(field.key).toMatch(/^[A-Za-z ]+$/);
    expect(ext.settings.fields.map((f) => f.type)).toContain("customer_reference");
  });

  it("declares only types Shopify CLI deploys on triggers (the day count is number_decimal)", () => {
    const triggers = loadFlowTriggers(path.join(ROOT, "extensions"));
    expect(ext.settings.fields.find((f) => f.key === "Days since last order")?.type).toBe("number_decimal");
    expect(triggers.get(STAGE_CHANGED_TRIGGER_HANDLE)?.fields.map((f) => f.key)).toEqual([
      "customer_id",
      "Previous stage",
      "New stage",
      "Winback tier",
      "Days since last order",
    ]);
  });

  it("accepts the payload the app sends, for a new customer and for a lapsed one", () => {
    const trigger = loadFlowTriggers(path.join(ROOT, "extensions")).get(STAGE_CHANGED_TRIGGER_HANDLE);
    const events = [
      {
        customerGid: "gid://shopify/Customer/7000000000001",
        fromStage: null,
        toStage: "visitor",
        winbackTier: null,
        daysSinceLastOrder: null,
      },
      {
        customerGid: "gid://shopify/Customer/7000000000002",
        fromStage: "repeat-buyer",
        toStage: "lapsed",
        winbackTier: 180,
        daysSinceLastOrder: 190.4,
      },
    ];
    for (const event of events)
      expect(triggerPayloadProblems(trigger, STAGE_CHANGED_TRIGGER_HANDLE, stageChangedPayload(event))).toEqual([]);
  });
});
