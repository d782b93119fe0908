import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { action as topicAction } from "../../app/routes/webhooks.$topic.$action";
import { action as complianceAction } from "../../app/routes/webhooks.compliance";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";
import { webhookRequest } from "../support/webhook-request";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/shopify/webhooks");
const SHOP = "webhook-routes.myshopify.com";

function examplePayload(topic: string): string {
  const file = path.join(FIXTURES, `${topic.replace(/\//g, "__")}.json`);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { response?: unknown };
  return JSON.stringify(json.response ?? json);
}

async function deliver(request: Request, topic: string): Promise<Response> {
  const [resource, verb] = topic.split("/");
  const isCompliance = (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
  const args = { request, params: isCompliance ? {} : { topic: resource, action: verb }, context: {} };
  return isCompliance ? complianceAction(args as never) : topicAction(args as never);
}

afterAll(async () => {
  await prisma.$disconnect();
});

describe("webhook routes", () => {
  it.each([...SUBSCRIBED_TOPICS, ...COMPLIANCE_TOPICS])("a signed %s delivery is stored in the inbox and answered 200", async (topic) => {
    const eventId = `event-${topic}`;
    const response = await deliver(webhookRequest({ topic, shop: SHOP, body: examplePayload(topic), eventId }), topic);
    expect(response.status).toBe(200);
    const stored = await prisma.webhookDelivery.findUnique({ where: { shop_eventId: { shop: SHOP, eventId } } });
    expect(stored?.topic).toBe(topic);
    expect(stored?.processedAt).toBeNull();
    expect(stored?.payload).toBe(examplePayload(topic));
  });

  it("a delivery with a bad HMAC gets 401 and stores nothing", async () => {
    const before = await prisma.webhookDelivery.count();
    const request = webhookRequest({ topic: "orders/create", shop: SHOP, body: examplePayload("orders/create"), secret: "wrong-secret" });
    const response = await deliver(request, "orders/create");
    expect(response.status).toBe(401);
    expect(await prisma.webhookDelivery.count()).toBe(before);
  });

  it("the same event delivered twice is stored once and both deliveries get 200", async () => {
    const body = examplePayload("orders/updated");
    const first = await deliver(webhookRequest({ topic: "orders/updated", shop: SHOP, body, eventId: "dup-1" }), "orders/updated");
    const second = await deliver(webhookRequest({ topic: "orders/updated", shop: SHOP, body, eventId: "dup-1" }), "orders/updated");
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await prisma.webhookDelivery.count({ where: { shop: SHOP, eventId: "dup-1" } })).toBe(1);
  });

  it("without X-Shopify-Event-Id the webhook id is the idempotency key", async () => {
    const request = webhookRequest({ topic: "customers/create", shop: SHOP, body: examplePayload("customers/create"), webhookId: "wh-only" });
    request.headers.delete("X-Shopify-Event-Id");
    expect((await deliver(request, "customers/create")).status).toBe(200);
    expect(await prisma.webhookDelivery.count({ where: { shop: SHOP, eventId: "wh-only" } })).toBe(1);
  });

  it("a topic delivered to another topic's address is refused and not stored", async () => {
    const request = webhookRequest({ topic: "customers/create", shop: SHOP, body: examplePayload("customers/create"), eventId: "misrouted" });
    const response = await topicAction({ request, params: { topic: "orders", action: "create" }, context: {} } as never);
    expect(response.status).toBe(400);
    expect(await prisma.webhookDelivery.count({ where: { eventId: "misrouted" } })).toBe(0);
  });

  it("an unknown topic address answers 404", async () => {
    const request = webhookRequest({ topic: "products/create", shop: SHOP, body: "{}" });
    const response = await topicAction({ request, params: { topic: "products", action: "create" }, context: {} } as never);
    expect(response.status).toBe(404);
  });

  it("a body over the size limit is refused with 413 before anything is stored", async () => {
    const body = JSON.stringify({ id: 1, padding: "x".repeat(3 * 1024 * 1024) });
    const response = await deliver(webhookRequest({ topic: "orders/create", shop: SHOP, body, eventId: "huge" }), "orders/create");
    expect(response.status).toBe(413);
    expect(await prisma.webhookDelivery.count({ where: { eventId: "huge" } })).toBe(0);
  });
});
