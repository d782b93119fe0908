import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { action as topicAction } from "../../app/routes/webhooks.$topic.$action";
import { action as complianceAction } from "../../app/routes/webhooks.compliance";
import { MAX_WEBHOOK_BODY_BYTES } from "../../app/webhooks/receive.server";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";
import { TEST_API_SECRET } from "../support/app-env";
import { webhookRequest } from "../support/webhook-request";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/shopify/webhooks");
const SHOP = "webhook-routes.myshopify.com";
const OTHER = "webhook-routes-other.myshopify.com";
const NEVER_INSTALLED = "never-installed.myshopify.com";
const HOUR = 3_600_000;

/** Shopify's documented example payload of a topic, for a given shop (the compliance examples name "{shop}"). */
function examplePayload(topic: string, shop = SHOP): string {
  const file = path.join(FIXTURES, `${topic.replace(/\//g, "__")}.json`);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { response?: unknown };
  return JSON.stringify(json.response ?? json).replaceAll("{shop}.myshopify.com", shop);
}

async function deliver(request: Request, topic: string): Promise<Response> {
  const [resource, verb] = topic.split("/");
  const isCompliance = (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
  const args = { request, params: isCompliance ? {} : { topic: resource, action: verb }, context: {} };
  return isCompliance ? complianceAction(args as never) : topicAction(args as never);
}

const storedFor = (shop: string) => prisma.webhookDelivery.count({ where: { shop } });
const stored = (eventId: string) => prisma.webhookDelivery.count({ where: { eventId } });

beforeAll(async () => {
  // Installed shops have a Shop row (written when the app is first opened after install).
  for (const domain of [SHOP, OTHER]) await prisma.shop.create({ data: { domain } });
});

afterAll(async () => {
  await prisma.$disconnect();
});

describe("webhook routes", () => {
  it.each([...SUBSCRIBED_TOPICS, ...COMPLIANCE_TOPICS])(
    "a signed %s delivery is stored in the inbox and answered 200",
    async (topic) => {
      const eventId = `event-${topic}`;
      const response = await deliver(
        webhookRequest({ topic, shop: SHOP, body: examplePayload(topic), eventId }),
        topic,
      );
      expect(response.status).toBe(200);
      const row = await prisma.webhookDelivery.findUnique({ where: { shop_eventId: { shop: SHOP, eventId } } });
      expect(row?.topic).toBe(topic);
      expect(row?.processedAt).toBeNull();
      expect(row?.payload).toBe(examplePayload(topic));
    },
  );

  it("a delivery with a bad HMAC gets 401 and stores nothing", async () => {
    const before = await prisma.webhookDelivery.count();
    const request = webhookRequest({
      topic: "orders/create",
      shop: SHOP,
      body: examplePayload("orders/create"),
      secret: "wrong-secret",
    });
    const response = await deliver(request, "orders/create");
    expect(response.status).toBe(401);
    expect(await prisma.webhookDelivery.count()).toBe(before);
  });

  it("the same event delivered twice is stored once and both deliveries get 200", async () => {
    const body = examplePayload("orders/updated");
    const first = await deliver(
      webhookRequest({ topic: "orders/updated", shop: SHOP, body, eventId: "dup-1" }),
      "orders/updated",
    );
    const second = await deliver(
      webhookRequest({ topic: "orders/updated", shop: SHOP, body, eventId: "dup-1" }),
      "orders/updated",
    );
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await prisma.webhookDelivery.count({ where: { shop: SHOP, eventId: "dup-1" } })).toBe(1);
  });

  it("without X-Shopify-Event-Id the webhook id is the idempotency key", async () => {
    const request = webhookRequest({
      topic: "customers/create",
      shop: SHOP,
      body: examplePayload("customers/create"),
      webhookId: "wh-only",
    });
    request.headers.delete("X-Shopify-Event-Id");
    expect((await deliver(request, "customers/create")).status).toBe(200);
    expect(await prisma.webhookDelivery.count({ where: { shop: SHOP, eventId: "wh-only" } })).toBe(1);
  });

  it("a topic delivered to another topic's address is refused and not stored", async () => {
    const request = webhookRequest({
      topic: "customers/create",
      shop: SHOP,
      body: examplePayload("customers/create"),
      eventId: "misrouted",
    });
    const response = await topicAction({
      request,
      params: { topic: "orders", action: "create" },
      context: {},
    } as never);
    expect(response.status).toBe(400);
    expect(await stored("misrouted")).toBe(0);
  });

  it("an unknown topic address answers 404", async () => {
    const request = webhookRequest({ topic: "products/create", shop: SHOP, body: "{}" });
    const response = await topicAction({
      request,
      params: { topic: "products", action: "create" },
      context: {},
    } as never);
    expect(response.status).toBe(404);
  });
});

describe("webhook intake: the body", () => {
  it("a body over the size limit is refused with 413 before anything is stored", async () => {
    const body = JSON.stringify({ id: 1, padding: "x".repeat(3 * 1024 * 1024) });
    const response = await deliver(
      webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId: "huge" }),
      "orders/create",
    );
    expect(response.status).toBe(413);
    expect(await stored("huge")).toBe(0);
  });

  it("a chunked 600 MB body without Content-Length is cut off past the limit: 413, and the rest is never read", async () => {
    const TOTAL = 600 * 1024 * 1024;
    const CHUNK = 64 * 1024;
    let produced = 0;
    // Each chunk is new memory, as bytes from a socket are: buffering the body would hold all 600 MB.
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (produced >= TOTAL) return controller.close();
          produced += CHUNK;
          controller.enqueue(new Uint8Array(CHUNK).fill(0x20));
        },
      },
      { highWaterMark: 0 },
    );
    const signed = webhookRequest({ topic: "orders/create", shop: SHOP, body: "{}", eventId: "chunked-600mb" });
    const headers = new Headers(signed.headers);
    headers.delete("Content-Length");
    const request = new Request(signed.url, { method: "POST", body, headers, duplex: "half" } as RequestInit);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;

    const response = await deliver(request, "orders/create");

    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    // Read no further than the chunk that crossed the limit (plus what the stream buffers ahead: one chunk).
    expect(produced).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES + 2 * CHUNK);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    expect(await stored("chunked-600mb")).toBe(0);
  });

  it("the HMAC is over the raw bytes: two bodies that decode to the same text do not share a signature", async () => {
    // 0xFF and 0xFE are both invalid UTF-8; a lenient decoder turns either into U+FFFD.
    const signedBytes = Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const sentBytes = Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xfe]), Buffer.from('"}')]);
    expect(new TextDecoder().decode(signedBytes)).toBe(new TextDecoder().decode(sentBytes));
    const request = webhookRequest({ topic: "orders/create", shop: SHOP, body: signedBytes, eventId: "raw-bytes" });
    const swapped = new Request(request.url, { method: "POST", headers: request.headers, body: sentBytes });
    expect((await deliver(swapped, "orders/create")).status).toBe(401);
    // Correctly signed, invalid UTF-8 is still not a payload.
    expect(
      (
        await deliver(
          webhookRequest({ topic: "orders/create", shop: SHOP, body: signedBytes, eventId: "raw-bytes-2" }),
          "orders/create",
        )
      ).status,
    ).toBe(400);
    expect(await stored("raw-bytes")).toBe(0);
    expect(await stored("raw-bytes-2")).toBe(0);
  });

  it("multi-byte UTF-8 is signed and stored exactly", async () => {
    const body = JSON.stringify({ id: 7, note: "注文 — bestelling ✓" });
    expect(
      (await deliver(webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId: "utf8" }), "orders/create"))
        .status,
    ).toBe(200);
    expect(
      (await prisma.webhookDelivery.findUnique({ where: { shop_eventId: { shop: SHOP, eventId: "utf8" } } }))?.payload,
    ).toBe(body);
  });

  it.each(["[]", "[1,2]", "1", '"text"', "null", "true"])(
    "a JSON body that is not an object (%s) gets 400 and is not stored",
    async (body) => {
      const eventId = `not-object-${body}`;
      expect(
        (await deliver(webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId }), "orders/create")).status,
      ).toBe(400);
      expect(await stored(eventId)).toBe(0);
    },
  );
});

describe("webhook intake: the HMAC header", () => {
  const body = examplePayload("orders/create");
  const valid = crypto.createHmac("sha256", TEST_API_SECRET).update(body).digest("base64");

  it.each([
    ["a valid value followed by garbage", `${valid}garbage!!`],
    ["a valid value followed by base64 characters", `${valid}AAAA`],
    ["a valid value without its padding", valid.slice(0, -1)],
    ["a valid value with a space inside", `${valid.slice(0, 10)} ${valid.slice(10)}`],
    ["the hex digest", crypto.createHmac("sha256", TEST_API_SECRET).update(body).digest("hex")],
    ["16 bytes", crypto.createHash("md5").update(body).digest("base64")],
  ])("%s: 401, nothing stored", async (_what, header) => {
    const eventId = crypto.randomUUID();
    const request = webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId });
    request.headers.set("X-Shopify-Hmac-Sha256", header);
    expect((await deliver(request, "orders/create")).status).toBe(401);
    expect(await stored(eventId)).toBe(0);
  });
});

describe("webhook intake: the shop", () => {
  it("a shop/redact signed for one shop but sent with another shop's header is refused; nothing of that shop is stored", async () => {
    const body = examplePayload("shop/redact", OTHER);
    const before = await storedFor(SHOP);
    const response = await deliver(
      webhookRequest({ topic: "shop/redact", shop: SHOP, body, eventId: "cross-shop-redact" }),
      "shop/redact",
    );
    expect(response.status).toBe(401);
    expect(await storedFor(SHOP)).toBe(before);
    expect(await stored("cross-shop-redact")).toBe(0);
  });

  it.each(["customers/redact", "customers/data_request"])(
    "%s naming another shop in shop_domain is refused",
    async (topic) => {
      const eventId = `cross-shop-${topic}`;
      expect(
        (await deliver(webhookRequest({ topic, shop: SHOP, body: examplePayload(topic, OTHER), eventId }), topic))
          .status,
      ).toBe(401);
      expect(await stored(eventId)).toBe(0);
    },
  );

  it("a compliance payload without shop_domain is refused (Shopify's always carries it)", async () => {
    const body = JSON.stringify({ shop_id: 954889 });
    expect(
      (
        await deliver(
          webhookRequest({ topic: "shop/redact", shop: SHOP, body, eventId: "no-shop-domain" }),
          "shop/redact",
        )
      ).status,
    ).toBe(401);
    expect(await stored("no-shop-domain")).toBe(0);
  });

  it("app/uninstalled: a myshopify_domain of another shop is refused, the shop's own (or null, as in Shopify's example) accepted", async () => {
    const payload = JSON.parse(examplePayload("app/uninstalled")) as Record<string, unknown>;
    const other = JSON.stringify({ ...payload, myshopify_domain: OTHER });
    expect(
      (
        await deliver(
          webhookRequest({ topic: "app/uninstalled", shop: SHOP, body: other, eventId: "uninstall-other" }),
          "app/uninstalled",
        )
      ).status,
    ).toBe(401);
    const own = JSON.stringify({ ...payload, myshopify_domain: SHOP });
    expect(
      (
        await deliver(
          webhookRequest({ topic: "app/uninstalled", shop: SHOP, body: own, eventId: "uninstall-own" }),
          "app/uninstalled",
        )
      ).status,
    ).toBe(200);
    expect(await stored("uninstall-other")).toBe(0);
    expect(await stored("uninstall-own")).toBe(1);
  });

  it.each([
    ["a custom domain", "shop.example.com"],
    ["a look-alike", "evil.myshopify.com.example.com"],
    ["uppercase", "Webhook-Routes.myshopify.com"],
    ["a 5,000-character domain", `${"a".repeat(5000)}.myshopify.com`],
    ["a 64-character handle", `${"a".repeat(64)}.myshopify.com`],
    ["a path", "webhook-routes.myshopify.com/admin"],
    ["no handle", ".myshopify.com"],
  ])("a shop header that is %s gets 400; nothing is stored and no shop is created", async (_what, shop) => {
    const shopsBefore = await prisma.shop.count();
    const eventId = crypto.randomUUID();
    expect(
      (
        await deliver(
          webhookRequest({ topic: "orders/create", shop, body: examplePayload("orders/create"), eventId }),
          "orders/create",
        )
      ).status,
    ).toBe(400);
    expect(await stored(eventId)).toBe(0);
    expect(await prisma.shop.count()).toBe(shopsBefore);
  });

  it("a delivery for a shop that never installed the app is refused, and creates nothing", async () => {
    for (const topic of SUBSCRIBED_TOPICS) {
      const response = await deliver(
        webhookRequest({ topic, shop: NEVER_INSTALLED, body: examplePayload(topic, NEVER_INSTALLED) }),
        topic,
      );
      expect(response.status, topic).toBe(403);
    }
    expect(await storedFor(NEVER_INSTALLED)).toBe(0);
    expect(await prisma.shop.count({ where: { domain: NEVER_INSTALLED } })).toBe(0);
  });

  it("compliance deliveries for a shop that never installed the app are answered 200 and create nothing", async () => {
    for (const topic of COMPLIANCE_TOPICS) {
      const response = await deliver(
        webhookRequest({ topic, shop: NEVER_INSTALLED, body: examplePayload(topic, NEVER_INSTALLED) }),
        topic,
      );
      expect(response.status, topic).toBe(200);
    }
    expect(await storedFor(NEVER_INSTALLED)).toBe(0);
    expect(await prisma.shop.count({ where: { domain: NEVER_INSTALLED } })).toBe(0);
    expect(await prisma.dataRequestExport.count({ where: { shop: NEVER_INSTALLED } })).toBe(0);
  });

  it("a shop that uninstalled still has its deliveries stored (shop/redact comes 48 hours later)", async () => {
    const domain = "uninstalled-earlier.myshopify.com";
    await prisma.shop.create({ data: { domain, uninstalledAt: new Date() } });
    expect(
      (
        await deliver(
          webhookRequest({
            topic: "shop/redact",
            shop: domain,
            body: examplePayload("shop/redact", domain),
            eventId: "late-redact",
          }),
          "shop/redact",
        )
      ).status,
    ).toBe(200);
    expect(await stored("late-redact")).toBe(1);
  });
});

describe("webhook intake: X-Shopify-Triggered-At", () => {
  const body = examplePayload("orders/create");
  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

  it.each([
    ["49 hours ago", at(-49 * HOUR)],
    ["a week ago", at(-7 * 24 * HOUR)],
    ["an hour ahead", at(HOUR)],
    ["not a time", "yesterday"],
    ["a date without a time", "2026-01-01"],
  ])("triggered %s: 400, not stored", async (_what, triggeredAt) => {
    const eventId = crypto.randomUUID();
    expect(
      (
        await deliver(
          webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId, triggeredAt }),
          "orders/create",
        )
      ).status,
    ).toBe(400);
    expect(await stored(eventId)).toBe(0);
  });

  it("missing: 400, not stored", async () => {
    const request = webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId: "no-triggered-at" });
    request.headers.delete("X-Shopify-Triggered-At");
    expect((await deliver(request, "orders/create")).status).toBe(400);
    expect(await stored("no-triggered-at")).toBe(0);
  });

  it.each([
    ["47 hours ago (a retried delivery that was itself late)", at(-47 * HOUR)],
    ["a minute ahead (clocks differ)", at(60_000)],
    ["with nanoseconds, as Shopify writes it", at(-HOUR).replace(/\.(\d{3})Z$/, ".$1041743Z")],
  ])("triggered %s: stored, with that time", async (_what, triggeredAt) => {
    const eventId = crypto.randomUUID();
    expect(
      (
        await deliver(
          webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId, triggeredAt }),
          "orders/create",
        )
      ).status,
    ).toBe(200);
    const row = await prisma.webhookDelivery.findUnique({ where: { shop_eventId: { shop: SHOP, eventId } } });
    expect(row?.triggeredAt?.getTime()).toBe(Date.parse(triggeredAt));
  });
});
