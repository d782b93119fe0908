import crypto from "node:crypto";
import { TEST_API_SECRET } from "./app-env";

export interface WebhookRequestOptions {
  topic: string;
  shop: string;
  /** Text is sent as UTF-8; bytes are sent as they are (and signed as they are). */
  body: string | Uint8Array;
  secret?: string;
  eventId?: string;
  webhookId?: string;
  path?: string;
  /** X-Shopify-Triggered-At (default: now). */
  triggeredAt?: string;
}

/** A delivery exactly as Shopify sends it: headers and a base64 HMAC-SHA256 of the raw body bytes. */
export function webhookRequest(options: WebhookRequestOptions): Request {
  const hmac = crypto
    .createHmac("sha256", options.secret ?? TEST_API_SECRET)
    .update(options.body)
    .digest("base64");
  return new Request(`http://127.0.0.1:3999${options.path ?? `/webhooks/${options.topic}`}`, {
    method: "POST",
    body: options.body as BodyInit,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": options.topic,
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Shop-Domain": options.shop,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": options.webhookId ?? crypto.randomUUID(),
      "X-Shopify-Event-Id": options.eventId ?? crypto.randomUUID(),
      "X-Shopify-Triggered-At": options.triggeredAt ?? new Date().toISOString(),
    },
  });
}
