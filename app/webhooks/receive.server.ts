import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { recordDelivery } from "../models/inbox.server";
import { wakeWorker } from "../jobs/worker.server";

/** Shopify caps webhook payloads well below this; anything larger is not from Shopify. */
export const MAX_WEBHOOK_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The whole of a webhook route: verify the HMAC, persist the raw delivery to the inbox, answer 200.
 * Processing happens in the worker, so Shopify's 5-second budget is never at risk.
 */
export async function receiveWebhook(request: Request, acceptedTopics: readonly string[]): Promise<Response> {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405 });
  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  if (declaredLength > MAX_WEBHOOK_BODY_BYTES) return new Response("Payload Too Large", { status: 413 });

  // The raw text is kept: JSON.parse would round 18-digit ids that the HMAC-verified payload carries.
  const raw = await request.clone().text();
  if (Buffer.byteLength(raw) > MAX_WEBHOOK_BODY_BYTES) return new Response("Payload Too Large", { status: 413 });

  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response) return error;
    return new Response("Bad Request: the body is not a JSON webhook payload", { status: 400 });
  }

  const topic = request.headers.get("x-shopify-topic") ?? "";
  if (!acceptedTopics.includes(topic)) {
    return new Response(`Bad Request: topic "${topic}" is not delivered to this address`, { status: 400 });
  }
  const eventId = context.eventId || context.webhookId;
  if (!eventId) return new Response("Bad Request: no X-Shopify-Event-Id or X-Shopify-Webhook-Id", { status: 400 });

  const triggeredAt = context.triggeredAt ? new Date(context.triggeredAt) : null;
  await recordDelivery(prisma, {
    shop: context.shop,
    topic,
    eventId,
    webhookId: context.webhookId || null,
    apiVersion: context.apiVersion || null,
    triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null,
    payload: raw,
  });
  wakeWorker();
  return new Response(null, { status: 200 });
}
