import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { startDevStore, type DevStore } from "./server";

const SHOP = "bulk-test.myshopify.com";
let ds: DevStore;
let token: string;
const gql = (q: string, v?: Record<string, unknown>) => adminGraphql(ds.origin, token, q, v);

async function waitFor(id: string, statuses = ["COMPLETED", "FAILED", "CANCELED"]) {
  const seen: string[] = [];
  for (let i = 0; i < 200; i++) {
    const r = await gql(
      `query($id: ID!) { bulkOperation(id: $id) { id status type objectCount rootObjectCount fileSize url errorCode completedAt } }`,
      { id },
    );
    const op = r.data.bulkOperation;
    if (seen[seen.length - 1] !== op.status) seen.push(op.status);
    if (statuses.includes(op.status)) return { op, seen };
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error("bulk operation did not finish");
}

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "k", apiSecret: "s" });
  ds.addShop(SHOP);
  ds.seedFromRows(SHOP, {
    customers: [
      { key: "a", email: "a@example.com", createdAt: "2024-01-01T00:00:00Z" },
      { key: "b", email: "b@example.com", createdAt: "2024-01-02T00:00:00Z" },
      { key: "c", email: "c@example.com", createdAt: "2024-01-03T00:00:00Z" },
    ],
    orders: [
      { customer: "a", createdAt: "2024-02-01T00:00:00Z", total: 10 },
      { customer: "a", createdAt: "2024-02-02T00:00:00Z", total: 11 },
      { customer: "b", createdAt: "2024-02-03T00:00:00Z", total: 12 },
      { createdAt: "2024-02-04T00:00:00Z", total: 13 },
    ],
  });
  token = ds.issueOfflineToken(SHOP);
  ds.webhooks.mode = "record";
});
afterAll(async () => {
  await ds.close();
});

describe("bulk queries", () => {
  it("writes JSONL with nested connection nodes as separate lines carrying __parentId", async () => {
    const run = await gql(`mutation { bulkOperationRunQuery(query: """
      { customers { edges { node { id email amountSpent { amount } orders { edges { node { id name totalPriceSet { shopMoney { amount } } } } } } } } }
    """) { bulkOperation { id status type } userErrors { field message code } } }`);
    expect(run.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const created = run.data.bulkOperationRunQuery.bulkOperation;
    expect(created).toMatchObject({ status: "CREATED", type: "QUERY" });

    const { op, seen } = await waitFor(created.id);
    expect(seen[seen.length - 1]).toBe("COMPLETED");
    expect(op.objectCount).toBe("6");
    expect(op.rootObjectCount).toBe("3");
    const text = await (await fetch(op.url)).text();
    expect(Number(op.fileSize)).toBe(Buffer.byteLength(text));
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const [a, a1, a2, b, b1, c] = lines;
    expect(a).toEqual({ id: a.id, email: "a@example.com", amountSpent: { amount: "21.00" } });
    expect(a1).toEqual({
      id: a1.id,
      name: "#1001",
      totalPriceSet: { shopMoney: { amount: "10.00" } },
      __parentId: a.id,
    });
    expect(a2).toMatchObject({ name: "#1002", __parentId: a.id });
    expect(b.email).toBe("b@example.com");
    expect(b1).toMatchObject({ name: "#1003", __parentId: b.id });
    expect(c).toEqual({ id: c.id, email: "c@example.com", amountSpent: { amount: "0.00" } });
    expect(lines.every((l) => !("edges" in l) && !("orders" in l))).toBe(true);

    const current = await gql(`{ currentBulkOperation { id status url } }`);
    expect(current.data.currentBulkOperation).toMatchObject({ id: created.id, status: "COMPLETED" });
    await ds.webhooks.drain();
    const finish = ds.webhooks.recorded().find((d) => d.topic === "bulk_operations/finish");
    expect(JSON.parse(finish!.body)).toMatchObject({
      admin_graphql_api_id: created.id,
      status: "completed",
      type: "query",
      error_code: null,
    });
  });

  it("validates the query as Shopify documents (a connection, ids of nested parents)", async () => {
    const q = `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message code } } }`;
    const first = await gql(q, { q: "{ orders { edges { node { id } } } }" });
    await waitFor(first.data.bulkOperationRunQuery.bulkOperation.id);
    const invalid = await gql(q, { q: "{ shop { id } }" });
    expect(invalid.data.bulkOperationRunQuery.userErrors[0]).toMatchObject({ field: ["query"], code: "INVALID" });
    const noId = await gql(q, { q: "{ customers { edges { node { email orders { edges { node { id } } } } } } }" });
    expect(noId.data.bulkOperationRunQuery.userErrors[0].message).toMatch(/must select the 'id' field/);
    const list = await gql(`{ bulkOperations(first: 10, query: "status:completed") { nodes { id status } } }`);
    expect(list.data.bulkOperations.nodes.length).toBeGreaterThanOrEqual(2);
  });

  it("a cancelled bulk operation ends CANCELED", async () => {
    const run = await gql(
      `mutation { bulkOperationRunQuery(query: "{ orders { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`,
    );
    const id = run.data.bulkOperationRunQuery.bulkOperation.id;
    const cancel = await gql(
      `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }`,
      { id },
    );
    expect(cancel.data.bulkOperationCancel).toEqual({ bulkOperation: { status: "CANCELING" }, userErrors: [] });
    const { op } = await waitFor(id);
    expect(op.status).toBe("CANCELED");
  });
});

describe("bulk mutations via staged uploads", () => {
  it("stagedUploadsCreate → multipart POST → bulkOperationRunMutation runs the mutation per JSONL line", async () => {
    const staged =
      await gql(`mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: "tags.jsonl", mimeType: "text/jsonl", httpMethod: POST }]) {
      stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } } }`);
    expect(staged.data.stagedUploadsCreate.userErrors).toEqual([]);
    const target = staged.data.stagedUploadsCreate.stagedTargets[0];
    expect(target.url.startsWith(`${ds.origin}/staged-uploads/`)).toBe(true);
    const key = target.parameters.find((p: any) => p.name === "key").value;

    const customers = await gql(`{ customers(first: 3) { nodes { id email } } }`);
    const ids = customers.data.customers.nodes.map((n: any) => n.id);
    const jsonl = ids.map((id: string, i: number) => JSON.stringify({ id, tags: [`bulk-${i}`] })).join("\n") + "\n";
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    form.append("file", new Blob([jsonl], { type: "text/jsonl" }), "tags.jsonl");
    const upload = await fetch(target.url, { method: "POST", body: form });
    expect(upload.status).toBe(201);

    const run = await gql(
      `mutation($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id status type } userErrors { field message code } } }`,
      {
        m: `mutation call($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { message } } }`,
        p: key,
      },
    );
    expect(run.data.bulkOperationRunMutation.userErrors).toEqual([]);
    const { op } = await waitFor(run.data.bulkOperationRunMutation.bulkOperation.id);
    expect(op).toMatchObject({ status: "COMPLETED", type: "MUTATION", objectCount: "3" });
    const lines = (await (await fetch(op.url)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(
      ids.map((id: string, i: number) => ({ data: { tagsAdd: { node: { id }, userErrors: [] } }, __lineNumber: i })),
    );
    const after = await gql(`{ customers(first: 3) { nodes { tags } } }`);
    expect(after.data.customers.nodes.map((n: any) => n.tags.at(-1))).toEqual(["bulk-0", "bulk-1", "bulk-2"]);
  });

  it("an unknown staged upload path is NO_SUCH_FILE", async () => {
    const run = await gql(
      `mutation { bulkOperationRunMutation(mutation: "mutation m($id: ID!) { tagsAdd(id: $id, tags: [\\"x\\"]) { userErrors { message } } }", stagedUploadPath: "tmp/nope") { bulkOperation { id } userErrors { code } } }`,
    );
    expect(run.data.bulkOperationRunMutation.userErrors).toEqual([{ code: "NO_SUCH_FILE" }]);
  });
});

describe("bulk queries over a store too big for one page", () => {
  async function exportWith(pageNodes: number) {
    const store = await startDevStore({ apiKey: "k", apiSecret: "s", bulkPageNodes: pageNodes, bulkDelayMs: 1 });
    try {
      const shop = "paged-bulk.myshopify.com";
      store.seedGenerated(shop, { customers: 61, orders: 150, seed: 3 });
      const storeToken = store.issueOfflineToken(shop);
      const run = await adminGraphql(
        store.origin,
        storeToken,
        `mutation { bulkOperationRunQuery(query: "{ customers { edges { node { id createdAt tags orders { edges { node { id totalPriceSet { shopMoney { amount } } } } } } } } }") { bulkOperation { id } userErrors { message } } }`,
      );
      const id = run.data.bulkOperationRunQuery.bulkOperation.id;
      const counts: number[] = [];
      for (;;) {
        const r = await adminGraphql(
          store.origin,
          storeToken,
          `query($id: ID!) { bulkOperation(id: $id) { status objectCount rootObjectCount url fileSize } }`,
          { id },
        );
        const op = r.data.bulkOperation;
        counts.push(Number(op.objectCount));
        if (op.status === "COMPLETED") {
          const text = await (await fetch(op.url)).text();
          const state = store.shops.get(shop)!;
          const expectedLines =
            state.customers.size + [...state.orders.values()].filter((o) => o.customerId !== null).length;
          const pages = [...state.bulkOps.values()].find((b) => `gid://shopify/BulkOperation/${b.id}` === id)!.pages;
          return { op, text, counts, expectedLines, pages };
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      await store.close();
    }
  }

  it("writes the same file page by page as in one page, counting objects as it goes", async () => {
    const paged = await exportWith(7);
    const whole = await exportWith(1_000);
    expect([paged.pages, whole.pages]).toEqual([Math.ceil(61 / 7), 1]);
    expect(paged.text).toBe(whole.text);
    expect(paged.text.trim().split("\n")).toHaveLength(paged.expectedLines);
    expect(Number(paged.op.objectCount)).toBe(paged.expectedLines);
    expect(Number(paged.op.rootObjectCount)).toBe(61);
    expect(Number(paged.op.fileSize)).toBe(Buffer.byteLength(paged.text));
    // objectCount never goes back while the export runs.
    expect(paged.counts).toEqual([...paged.counts].sort((a, b) => a - b));
  });
});
