/**
 * Shopify's limits and app boundaries, each refused by the dev store as Shopify refuses it: input arrays over 250,
 * more than five bulk queries at once, Flow trigger payloads the app's trigger does not declare, another app's
 * marketing activities.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { loadFlowTriggers, triggerPayloadProblems } from "./flow";
import { startDevStore, type DevStore } from "./server";

const SHOP = "limits-test.myshopify.com";
let ds: DevStore;
let token: string;
const gql = (query: string, variables?: Record<string, unknown>) => adminGraphql(ds.origin, token, query, variables);

beforeAll(async () => {
  // Bulk operations stay RUNNING for the whole file, so counting running ones cannot race their completion.
  ds = await startDevStore({ apiKey: "limits-key", apiSecret: "limits-secret", bulkDelayMs: 600_000 });
  ds.addShop(SHOP);
  ds.seedFromRows(SHOP, { customers: [{ key: "a", email: "a@example.com", createdAt: "2026-01-01T00:00:00Z" }] });
  token = ds.issueOfflineToken(SHOP);
  ds.webhooks.mode = "record";
});
afterAll(async () => {
  await ds.close();
});

const gids = (n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/Customer/${i + 1}`);

describe("input arrays hold at most 250 items", () => {
  it("nodes(ids:) with 251 ids is refused before it runs; 250 is answered", async () => {
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    const refused = await gql(query, { ids: gids(251) });
    expect(refused.status).toBe(200);
    expect(refused.data).toBeUndefined();
    expect(refused.errors).toEqual([
      {
        message: "The input array size of 251 is greater than the maximum allowed of 250.",
        locations: [{ line: 1, column: 29 }],
        path: ["nodes", "ids"],
        extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
      },
    ]);
    const answered = await gql(query, { ids: gids(250) });
    expect(answered.errors).toBeUndefined();
    expect(answered.data.nodes).toHaveLength(250);
  });

  it("counts lists inside input objects and literal lists too", async () => {
    const input = Array.from({ length: 251 }, (_, i) => ({
      resource: "BULK_MUTATION_VARIABLES",
      filename: `f${i}.jsonl`,
      mimeType: "text/jsonl",
      httpMethod: "POST",
    }));
    const staged = await gql(
      `mutation($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) { userErrors { message } } }`,
      { input },
    );
    expect(staged.errors[0]).toMatchObject({
      path: ["stagedUploadsCreate", "input"],
      extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
    });
    const literal = `{ nodes(ids: [${gids(251)
      .map((g) => `"${g}"`)
      .join(",")}]) { id } }`;
    expect((await gql(literal)).errors[0].message).toBe(
      "The input array size of 251 is greater than the maximum allowed of 250.",
    );
  });
});

describe("bulk queries: at most five at once per shop (API 2026-01 and later)", () => {
  it("the sixth gets LIMIT_REACHED", async () => {
    const run = `mutation { bulkOperationRunQuery(query: "{ customers { edges { node { id } } } }") { bulkOperation { id status } userErrors { field message code } } }`;
    for (let i = 0; i < 5; i++)
      expect((await gql(run)).data.bulkOperationRunQuery).toMatchObject({
        bulkOperation: { status: "CREATED" },
        userErrors: [],
      });
    const sixth = await gql(run);
    expect(sixth.data.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [
        { field: null, message: "Bulk operations limit reached. Please try again later.", code: "LIMIT_REACHED" },
      ],
    });
  });
});

describe("flowTriggerReceive checks the payload against the app's trigger extension", () => {
  const send = (handle: string, payload: unknown) =>
    gql(
      `mutation($h: String, $p: JSON) { flowTriggerReceive(handle: $h, payload: $p) { userErrors { field message } } }`,
      { h: handle, p: payload },
    );
  const valid = {
    customer_id: 7,
    "Previous stage": "",
    "New stage": "first-time-buyer",
    "Winback tier": "",
    "Days since last order": 0,
  };
  const errorsOf = async (handle: string, payload: unknown) =>
    (await send(handle, payload)).data.flowTriggerReceive.userErrors;

  it("accepts exactly the declared keys with values of their types", async () => {
    expect(await errorsOf("lifecycle-stage-changed", valid)).toEqual([]);
    expect(await errorsOf("lifecycle-stage-changed", { ...valid, "Days since last order": 12.75 })).toEqual([]);
  });

  it("refuses an unknown handle, missing and extra keys, wrong types and payloads of 50,000 bytes or more", async () => {
    expect(await errorsOf("no-such-trigger", valid)).toEqual([
      { field: ["body"], message: "Errors validating schema:\n  Invalid handle 'no-such-trigger'.\n" },
    ]);
    const { "New stage": _dropped, ...missing } = valid;
    expect(await errorsOf("lifecycle-stage-changed", missing)).toEqual([
      { field: ["body"], message: "Errors validating schema:\n  Missing property 'New stage'.\n" },
    ]);
    expect((await errorsOf("lifecycle-stage-changed", { ...valid, stage: "x" }))[0].message).toContain(
      "Unknown property 'stage'",
    );
    expect(
      (await errorsOf("lifecycle-stage-changed", { ...valid, "Days since last order": "12" }))[0].message,
    ).toContain("Property 'Days since last order' must be a number");
    expect(
      (await errorsOf("lifecycle-stage-changed", { ...valid, customer_id: "gid://shopify/Customer/7" }))[0].message,
    ).toContain("must be a numeric ID");
    const big = { ...valid, "New stage": "x".repeat(50_000) };
    expect((await errorsOf("lifecycle-stage-changed", big))[0].message).toBe(
      "Errors validating schema:\n  Properties size exceeds the limit of 50000 bytes.\n",
    );
    expect(ds.flowTriggers.filter((t) => t.handle !== "lifecycle-stage-changed")).toEqual([]);
  });

  it("a trigger declaring a type Shopify CLI cannot deploy (number_integer) is refused when loaded", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "flow-ext-"));
    try {
      mkdirSync(path.join(dir, "t"));
      writeFileSync(
        path.join(dir, "t", "shopify.extension.toml"),
        `[[extensions]]\nname = "T"\ntype = "flow_trigger"\nhandle = "t"\n\n[settings]\n  [[settings.fields]]\n  type = "number_integer"\n  key = "Days"\n`,
      );
      expect(() => loadFlowTriggers(dir)).toThrow("Field type number_integer is not supported on Flow Triggers");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(triggerPayloadProblems(undefined, "x", {})).toEqual(["Invalid handle 'x'"]);
  });
});

describe("marketingActivities returns only the calling app's activities", () => {
  it("Shopify Email's activity is not listed, nor readable by id; the app's own is", async () => {
    const theirs = ds.addMarketingActivity(SHOP, {
      title: "Shopify Email newsletter",
      tactic: "NEWSLETTER",
      app: "Shopify Email",
    });
    const ours = ds.addMarketingActivity(SHOP, { title: "Our own activity", tactic: "NEWSLETTER" });
    const list = await gql(`{ marketingActivities(first: 10) { nodes { id title } } }`);
    expect(list.data.marketingActivities.nodes).toEqual([
      { id: `gid://shopify/MarketingActivity/${ours.id}`, title: "Our own activity" },
    ]);
    const byId = await gql(`query($id: ID!) { marketingActivity(id: $id) { id } node(id: $id) { id } }`, {
      id: `gid://shopify/MarketingActivity/${theirs.id}`,
    });
    expect(byId.data).toEqual({ marketingActivity: null, node: null });
  });
});
