import prisma from "../db.server";
import { readAppConfig } from "../config.server";
import { verifyWebhook } from "./verify.server";
import { recordDelivery } from "../models/inbox.server";
import { wakeWorker } from "../jobs/worker.server";

const appConfig = readAppConfig();

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
  const raw = await request.text();
  if (Buffer.byteLength(raw) > MAX_WEBHOOK_BODY_BYTES) return new Response("Payload Too Large", { status: 413 });

  const check = verifyWebhook(request.headers, raw, appConfig.apiSecret);
  if (!check.valid) return new Response(check.status === 401 ? "Unauthorized" : `Bad Request: ${check.reason}`, { status: check.status });
  try {
    JSON.parse(raw);
  } catch {
    return new Response("Bad Request: the body is not a JSON webhook payload", { status: 400 });
  }
  if (!acceptedTopics.includes(check.topic)) {
    return new Response(`Bad Request: topic "${check.topic}" is not delivered to this address`, { status: 400 });
  }

  const triggeredAt = check.triggeredAt ? new Date(check.triggeredAt) : null;
  await recordDelivery(prisma, {
    shop: check.shop,
    topic: check.topic,
    eventId: check.eventId || check.webhookId,
    webhookId: check.webhookId,
    apiVersion: check.apiVersion,
    triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null,
    payload: raw,
  });
  wakeWorker();
  return new Response(null, { status: 200 });
}
