import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { action as topicAction } from "../../app/routes/webhooks.$topic.$action";
import { action as complianceAction } from "../../app/routes/webhooks.compliance";
import { MAX_WEBHOOK_BODY_BYTES } from "../../app/webhooks/receive.server";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";
import { TEST_API_SECRET } from "../support/app-env";
import { webhookRequest } from "../support/webhook-request";
import { startDevStore, type DevStore } from "../devstore/server";
import { appUnderTest, type AppUnderTest } from "../support/app-under-test";
import { createDatabase, type TestDb } from "../support/databases";

const SHOP = "fuzz.myshopify.com";
const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/shopify/webhooks");
const ALL_TOPICS: readonly string[] = [...SUBSCRIBED_TOPICS, ...COMPLIANCE_TOPICS];

function example(topic: string): Record<string, unknown> {
  const file = path.join(FIXTURES, `${topic.replace(/\//g, "__")}.json`);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { response?: Record<string, unknown> };
  return (json.response ?? json) as Record<string, unknown>;
}

/** Calls the route a path would reach: /webhooks/compliance, or /webhooks/<resource>/<verb>. */
async function deliver(request: Request, address: string): Promise<Response> {
  if (address === "compliance") return complianceAction({ request, params: {}, context: {} } as never);
  const [topic, action] = address.split("/");
  return topicAction({ request, params: { topic, action }, context: {} } as never);
}

function addressOf(topic: string): string {
  return (COMPLIANCE_TOPICS as readonly string[]).includes(topic) ? "compliance" : topic;
}

async function stored(eventId: string) {
  return prisma.webhookDelivery.findUnique({ where: { shop_eventId: { shop: SHOP, eventId } } });
}

beforeAll(async () => {
  // Deliveries are stored only for shops that installed the app.
  await prisma.shop.create({ data: { domain: SHOP } });
});

afterAll(async () => {
  await prisma.$disconnect();
});

/** Bodies a broken or hostile sender might post: not JSON, JSON of the wrong shape, truncated, binary, empty. */
const bodies = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .constantFrom(...ALL_TOPICS)
    .chain((topic) => fc.nat({ max: 2000 }).map((cut) => JSON.stringify(example(topic)).slice(0, cut))),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.constant(""),
);

const addresses = fc.oneof(
  fc.constantFrom(...ALL_TOPICS).map(addressOf),
  fc.constantFrom("products/create", "orders/fulfilled", "shop/update", "customers/redact", "../../etc", "orders/"),
  fc.constant("compliance"),
);

const headerTopics = fc.oneof(
  fc.constantFrom(...ALL_TOPICS),
  fc.constantFrom("products/create", "", "ORDERS/CREATE", "orders/create "),
  fc.string({ maxLength: 30 }),
);

describe("webhook routes under malformed input", () => {
  it("any signed body, topic header and address: a 2xx or a 4xx, never a crash; stored exactly when 200", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, addresses, headerTopics, async (body, address, topic) => {
        const eventId = crypto.randomUUID();
        let request: Request;
        try {
          request = webhookRequest({ topic, shop: SHOP, body, eventId, path: `/webhooks/${address}` });
        } catch {
          return; // a header value fetch itself refuses (control characters): never reaches the app
        }
        const response = await deliver(request, address);
        // 401: a compliance payload without the shop_domain Shopify's always carries.
        expect([200, 400, 401, 404]).toContain(response.status);
        const row = await stored(eventId);
        if (response.status === 200) {
          expect(row?.payload).toBe(body);
          // Fetch strips a header value's surrounding whitespace before any app code sees it.
          expect(row?.topic).toBe(topic.trim());
          const parsed: unknown = JSON.parse(body);
          expect(
            typeof parsed === "object" && parsed !== null && !Array.isArray(parsed),
            "only JSON objects are stored",
          ).toBe(true);
        } else {
          expect(row).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a body that is not JSON is refused with 400, even with a valid HMAC", async () => {
    for (const [i, body] of ["{", "not json", '{"id": 1,}', "\u0000\u0001", "[1,2", "NaN"].entries()) {
      const response = await deliver(
        webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId: `bad-json-${i}` }),
        "orders/create",
      );
      expect(response.status, body).toBe(400);
      expect(await stored(`bad-json-${i}`)).toBeNull();
    }
  });

  it.each([
    "X-Shopify-Hmac-Sha256",
    "X-Shopify-Topic",
    "X-Shopify-Shop-Domain",
    "X-Shopify-API-Version",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Triggered-At",
  ])("without %s: 4xx and nothing stored", async (header) => {
    const eventId = `missing-${header}`;
    const request = webhookRequest({
      topic: "orders/create",
      shop: SHOP,
      body: JSON.stringify(example("orders/create")),
      eventId,
    });
    request.headers.delete(header);
    const response = await deliver(request, "orders/create");
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await stored(eventId)).toBeNull();
  });

  it("an HMAC of another body, or with another secret, gets 401", async () => {
    const body = JSON.stringify(example("orders/create"));
    const forged = webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId: "forged" });
    forged.headers.set(
      "X-Shopify-Hmac-Sha256",
      crypto.createHmac("sha256", TEST_API_SECRET).update(`${body} `).digest("base64"),
    );
    expect((await deliver(forged, "orders/create")).status).toBe(401);
    const wrongSecret = webhookRequest({
      topic: "orders/create",
      shop: SHOP,
      body,
      eventId: "forged-2",
      secret: "not-the-secret",
    });
    expect((await deliver(wrongSecret, "orders/create")).status).toBe(401);
    expect(await stored("forged")).toBeNull();
    expect(await stored("forged-2")).toBeNull();
  });

  it(`bodies over ${MAX_WEBHOOK_BODY_BYTES} bytes get 413, declared or streamed; one at the limit is accepted`, async () => {
    const pad = (bytes: number) =>
      JSON.stringify({ id: 1, padding: "x".repeat(bytes - JSON.stringify({ id: 1, padding: "" }).length) });
    const over = pad(MAX_WEBHOOK_BODY_BYTES + 1);
    expect(
      (
        await deliver(
          webhookRequest({ topic: "orders/create", shop: SHOP, body: over, eventId: "over-declared" }),
          "orders/create",
        )
      ).status,
    ).toBe(413);

    // Streamed without Content-Length: the limit holds on what is actually read.
    const signed = webhookRequest({ topic: "orders/create", shop: SHOP, body: over, eventId: "over-streamed" });
    const chunks = [over.slice(0, 1000), over.slice(1000)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    const headers = new Headers(signed.headers);
    headers.delete("Content-Length");
    const streamed = new Request(signed.url, { method: "POST", body: stream, headers, duplex: "half" } as RequestInit);
    expect((await deliver(streamed, "orders/create")).status).toBe(413);
    // A Content-Length that understates the body does not let it through either.
    const lying = new Request(signed.url, {
      method: "POST",
      body: over,
      headers: { ...Object.fromEntries(signed.headers), "Content-Length": "10" },
    });
    expect((await deliver(lying, "orders/create")).status).toBe(413);

    const atLimit = pad(MAX_WEBHOOK_BODY_BYTES);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_WEBHOOK_BODY_BYTES);
    expect(
      (
        await deliver(
          webhookRequest({ topic: "orders/create", shop: SHOP, body: atLimit, eventId: "at-limit" }),
          "orders/create",
        )
      ).status,
    ).toBe(200);
    for (const id of ["over-declared", "over-streamed"]) expect(await stored(id)).toBeNull();
  });
});

describe("the inbox processor under malformed payloads", () => {
  let testDb: TestDb;
  let devStore: DevStore;
  let app: AppUnderTest;

  beforeAll(async () => {
    testDb = await createDatabase("sqlite");
    devStore = await startDevStore({ port: 0, apiKey: "fuzz-key", apiSecret: "fuzz-secret" });
    app = appUnderTest(testDb.db, devStore, { timeoutMs: 2000, maxAttempts: 2 });
    await app.install(SHOP);
  });

  afterAll(async () => {
    await testDb?.close();
    await devStore?.close();
  });

  async function facts() {
    const [customers, orders, changes, exports, shops, sessions] = await Promise.all([
      testDb.db.customer.findMany({ orderBy: { id: "asc" } }),
      testDb.db.order.findMany({ orderBy: { id: "asc" } }),
      testDb.db.stageChange.findMany({ orderBy: { id: "asc" } }),
      testDb.db.dataRequestExport.findMany({ orderBy: { id: "asc" } }),
      testDb.db.shop.findMany(),
      testDb.db.session.findMany(),
    ]);
    return { customers, orders, changes, exports, shops: shops.map(({ updatedAt: _u, ...s }) => s), sessions };
  }

  /** A documented payload with one field replaced by a value of the wrong type, removed, or made huge. */
  const mutated = fc
    .record({
      topic: fc.constantFrom(...ALL_TOPICS.filter((t) => t !== "shop/redact" && t !== "app/uninstalled")),
      seed: fc.nat(),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constant(undefined),
        fc.constantFrom("", "gid://shopify/Customer/", "-1", "1e400", "9".repeat(400), "2026-13-45T99:99:99Z"),
        fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map((n) => ({ __raw: n.toString() })),
      ),
    })
    .map(({ topic, seed, value }) => {
      const payload = example(topic);
      const keys = Object.keys(payload);
      const key = keys[seed % keys.length];
      let body = JSON.stringify({
        ...payload,
        [key]: value && typeof value === "object" && "__raw" in value ? "__RAW__" : value,
      });
      if (value && typeof value === "object" && "__raw" in value) body = body.replace('"__RAW__"', String(value.__raw));
      return { topic, key, body };
    });

  it("a delivery is either applied or left failed with its error, and a failed one changes no facts", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async ({ topic, key, body }) => {
        const before = await facts();
        const eventId = `mutant-${n++}`;
        await app.receive([
          { shop: SHOP, topic, eventId, webhookId: eventId, triggeredAt: new Date().toISOString(), body } as never,
        ]);
        await app.processInbox();
        const row = await testDb.db.webhookDelivery.findUnique({ where: { shop_eventId: { shop: SHOP, eventId } } });
        expect(row, `${topic} ${key}`).not.toBeNull();
        if (row!.processedAt === null) {
          expect(row!.lastError, `${topic} ${key}`).toBeTruthy();
          expect(row!.attempts).toBeGreaterThan(0);
          expect(await facts(), `${topic} with a bad ${key} changed facts although it failed`).toEqual(before);
        }
      }),
      { numRuns: 120 },
    );
  }, 300_000);

  it("ids beyond 2^53 are kept exact from the payload to the stored facts", async () => {
    const payload = example("orders/create");
    const body = JSON.stringify({
      ...payload,
      id: "__ID__",
      admin_graphql_api_id: undefined,
      customer: { ...(payload.customer as object), id: "__CID__", admin_graphql_api_id: undefined },
    })
      .replace('"__ID__"', "123456789012345678901")
      .replace('"__CID__"', "98765432109876543210");
    await app.receive([
      {
        shop: SHOP,
        topic: "orders/create",
        eventId: "big-ids",
        webhookId: "big-ids",
        triggeredAt: new Date().toISOString(),
        body,
      } as never,
    ]);
    await app.processInbox();
    const order = await testDb.db.order.findUnique({
      where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Order/123456789012345678901" } },
    });
    expect(order?.customerGid).toBe("gid://shopify/Customer/98765432109876543210");
  });
});
