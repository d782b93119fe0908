import crypto from "node:crypto";

/** The headers every Shopify webhook delivery carries (Shopify's HTTPS delivery). */
const REQUIRED_HEADERS = ["x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"] as const;

export type WebhookCheck =
  | { valid: true; shop: string; topic: string; webhookId: string; eventId: string | null; apiVersion: string; triggeredAt: string | null }
  | { valid: false; status: 400 | 401; reason: string };

/**
 * Checks a delivery as Shopify documents it: the required headers are present and X-Shopify-Hmac-Sha256 is the
 * base64 HMAC-SHA256 of the raw body under the app's secret (compared in constant time). The same check
 * shopify-app-remix's authenticate.webhook makes, without what that call adds for handlers that act inline (an
 * offline-session lookup and an admin client per delivery): this route only stores the delivery, at thousands a
 * second.
 */
export function verifyWebhook(headers: Headers, rawBody: string, secret: string): WebhookCheck {
  for (const name of REQUIRED_HEADERS) {
    if (!headers.get(name)) return { valid: false, status: 400, reason: `missing header ${name}` };
  }
  const given = Buffer.from(headers.get("x-shopify-hmac-sha256")!, "base64");
  const expected = crypto.createHmac("sha256", secret).update(rawBody, "utf8").digest();
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { valid: false, status: 401, reason: "invalid HMAC" };
  return {
    valid: true,
    shop: headers.get("x-shopify-shop-domain")!,
    topic: headers.get("x-shopify-topic")!,
    webhookId: headers.get("x-shopify-webhook-id")!,
    eventId: headers.get("x-shopify-event-id"),
    apiVersion: headers.get("x-shopify-api-version")!,
    triggeredAt: headers.get("x-shopify-triggered-at"),
  };
}
