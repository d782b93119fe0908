import prisma from "../db.server";
import { readAppConfig } from "../config.server";
import { checkDeliveryHeaders, hmacMatches } from "./verify.server";
import { readBodyWithin } from "../http/body.server";
import { isComplianceTopic, payloadShopMismatch } from "./topics";
import { recordDelivery } from "../models/inbox.server";
import { wakeWorker } from "../queue/wake.server";

const appConfig = readAppConfig();

/** Shopify caps webhook payloads well below this; anything larger is not from Shopify. */
export const MAX_WEBHOOK_BODY_BYTES = 2 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function refuse(status: number, reason: string, headers: Record<string, string> = {}): Response {
  return new Response(reason, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

/**
 * The whole of a webhook route: check the delivery, persist it raw to the inbox, answer 200. Processing happens in the
 * worker, so Shopify's 5-second budget is never at risk. Nothing is stored, and no shop is created, for a delivery
 * that is refused; the cheap header checks come before the body is read at all.
 */
export async function receiveWebhook(request: Request, acceptedTopics: readonly string[]): Promise<Response> {
  if (request.method !== "POST") return refuse(405, "Method Not Allowed");
  const headers = checkDeliveryHeaders(request.headers, new Date());
  if (!headers.valid)
    return refuse(headers.status, headers.status === 401 ? "Unauthorized" : `Bad Request: ${headers.reason}`);
  if (!acceptedTopics.includes(headers.topic))
    return refuse(400, `Bad Request: topic "${headers.topic}" is not delivered to this address`);

  // Past the limit the rest of the body is left unread and the connection closed after the answer.
  const tooLarge = () => refuse(413, "Payload Too Large", { Connection: "close" });
  if (Number(request.headers.get("content-length") ?? "0") > MAX_WEBHOOK_BODY_BYTES) return tooLarge();
  const body = await readBodyWithin(request, MAX_WEBHOOK_BODY_BYTES);
  if (!body) return tooLarge();

  if (!hmacMatches(body, headers.hmac, appConfig.apiSecret)) return refuse(401, "Unauthorized");

  // The raw text is kept: JSON.parse would round 18-digit ids that the HMAC-verified payload carries.
  let raw: string;
  let payload: unknown;
  try {
    raw = utf8.decode(body);
    payload = JSON.parse(raw);
  } catch {
    return refuse(400, "Bad Request: the body is not a JSON webhook payload");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return refuse(400, "Bad Request: a webhook payload is a JSON object");
  }
  const mismatch = payloadShopMismatch(headers.topic, payload as Record<string, unknown>, headers.shop);
  if (mismatch) return refuse(401, `Unauthorized: ${mismatch}`);

  const recorded = await recordDelivery(prisma, {
    shop: headers.shop,
    topic: headers.topic,
    eventId: headers.eventId || headers.webhookId,
    webhookId: headers.webhookId,
    apiVersion: headers.apiVersion,
    triggeredAt: headers.triggeredAt,
    payload: raw,
  });
  if (recorded === "not installed") {
    // Shopify requires compliance webhooks to be acknowledged; the app holds nothing of a shop that never installed it.
    if (isComplianceTopic(headers.topic)) return new Response(null, { status: 200 });
    // Shopify retries a refused delivery for 4 hours, so one that raced the install is accepted once it completes.
    return refuse(403, "Forbidden: this shop has not installed the app");
  }
  if (recorded === "stored") wakeWorker();
  return new Response(null, { status: 200 });
}
