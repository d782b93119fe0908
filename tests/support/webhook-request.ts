import crypto from "node:crypto";
import { TEST_API_SECRET } from "./app-env";

export interface WebhookRequestOptions {
  topic: string;
  shop: string;
  body: string;
  secret?: string;
  eventId?: string;
  webhookId?: string;
  path?: string;
}

/** A delivery exactly as Shopify sends it: headers and a base64 HMAC-SHA256 of the raw body. */
export function webhookRequest(options: WebhookRequestOptions): Request {
  const hmac = crypto.createHmac("sha256", options.secret ?? TEST_API_SECRET).update(options.body, "utf8").digest("base64");
  return new Request(`http://127.0.0.1:3999${options.path ?? `/webhooks/${options.topic}`}`, {
    method: "POST",
    body: options.body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": options.topic,
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Shop-Domain": options.shop,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": options.webhookId ?? crypto.randomUUID(),
      "X-Shopify-Event-Id": options.eventId ?? crypto.randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
  });
}
