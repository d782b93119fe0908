import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { APP_SCOPES, API_VERSION } from "../../app/config.server";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";

const ROOT = path.resolve(import.meta.dirname, "../..");
const toml = fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");

/** The [[webhooks.subscriptions]] blocks of the toml as {topics, compliance, uri}. */
function subscriptions() {
  return toml
    .split("[[webhooks.subscriptions]]")
    .slice(1)
    .map((block) => ({
      topics: [...(/^\s*topics\s*=\s*\[([^\]]*)\]/m.exec(block)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]),
      compliance: [...(/compliance_topics\s*=\s*\[([^\]]*)\]/.exec(block)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]),
      uri: /uri\s*=\s*"([^"]+)"/.exec(block)?.[1] ?? "",
    }));
}

describe("shopify.app.toml", () => {
  it("subscribes to exactly the topics the app handles, each at /webhooks/<topic>", () => {
    const subs = subscriptions().filter((s) => s.topics.length > 0);
    expect(subs.flatMap((s) => s.topics).sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
    for (const sub of subs) expect(sub.uri).toBe(`/webhooks/${sub.topics[0]}`);
  });

  it("declares the three compliance topics at /webhooks/compliance", () => {
    const compliance = subscriptions().find((s) => s.compliance.length > 0);
    expect(compliance?.compliance.sort()).toEqual([...COMPLIANCE_TOPICS].sort());
    expect(compliance?.uri).toBe("/webhooks/compliance");
    expect(fs.existsSync(path.join(ROOT, "app/routes/webhooks.compliance.tsx"))).toBe(true);
  });

  it("asks for the scopes the app needs, read_all_orders included, and uses API 2026-10", () => {
    const scopes = /scopes\s*=\s*"([^"]+)"/.exec(toml)?.[1].split(",");
    expect(scopes?.sort()).toEqual([...APP_SCOPES].sort());
    expect(/api_version\s*=\s*"([^"]+)"/.exec(toml)?.[1]).toBe("2026-10");
    expect(API_VERSION).toBe("2026-10");
  });

  it("the Flow trigger extension uses only letters and spaces in its field keys and a handle of at most 30 characters", () => {
    const ext = fs.readFileSync(path.join(ROOT, "extensions/lifecycle-stage-changed/shopify.extension.toml"), "utf8");
    const keys = [...ext.matchAll(/key\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z ]+$/);
    const handle = /handle\s*=\s*"([^"]+)"/.exec(ext)?.[1] ?? "";
    expect(handle.length).toBeLessThanOrEqual(30);
    expect(ext).toContain('type = "customer_reference"');
  });
});
