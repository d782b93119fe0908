import crypto from "node:crypto";
import { isShopDomain } from "../domain/shop-domain";

/** The headers every Shopify webhook delivery carries (Shopify's HTTPS delivery). */
const REQUIRED_HEADERS = [
  "x-shopify-hmac-sha256",
  "x-shopify-topic",
  "x-shopify-shop-domain",
  "x-shopify-api-version",
  "x-shopify-webhook-id",
  "x-shopify-triggered-at",
] as const;

/**
 * How old a delivery may be. Shopify retries a failed delivery 8 times over 4 hours, each time with the payload of the
 * moment it was triggered, and asks apps to use X-Shopify-Triggered-At to tell a stale payload (changelog "Updates to
 * webhook retry mechanism", 2024-09-10; before it the schedule was 19 retries over 48 hours). Its best-practices page
 * adds that a delivery may, rarely, arrive up to a day late. A day plus the 4-hour retry period is the oldest
 * delivery Shopify can still send; 48 hours (the longest schedule Shopify has documented) leaves room for both and
 * for clock differences, and refuses anything older, such as a captured delivery replayed days later.
 */
export const MAX_DELIVERY_AGE_MS = 48 * 60 * 60 * 1000;
/** A delivery triggered further in the future than this is not Shopify's (clocks differ by seconds, not minutes). */
export const MAX_CLOCK_AHEAD_MS = 15 * 60 * 1000;

/** Bounds on the other headers: Shopify's are UUIDs, topics and versions far below these. */
const MAX_ID_LENGTH = 255;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const STRICT_BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export interface DeliveryHeaders {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  apiVersion: string;
  triggeredAt: Date;
  hmac: Buffer;
}

export type HeaderCheck = ({ valid: true } & DeliveryHeaders) | { valid: false; status: 400 | 401; reason: string };

/**
 * Checks what a delivery's headers claim before its body is read: every header Shopify sends is there and bounded,
 * the HMAC header is strict base64 of exactly 32 bytes (a lenient decoder would accept a valid value followed by
 * garbage), the shop is a *.myshopify.com domain, and the delivery is not older than Shopify would still send it.
 */
export function checkDeliveryHeaders(headers: Headers, now: Date): HeaderCheck {
  for (const name of REQUIRED_HEADERS) {
    const value = headers.get(name);
    if (!value) return { valid: false, status: 400, reason: `missing header ${name}` };
    if (value.length > MAX_ID_LENGTH) return { valid: false, status: 400, reason: `header ${name} is too long` };
  }
  const eventId = headers.get("x-shopify-event-id");
  if (eventId && eventId.length > MAX_ID_LENGTH)
    return { valid: false, status: 400, reason: "header x-shopify-event-id is too long" };

  const hmac = decodeStrictHmac(headers.get("x-shopify-hmac-sha256")!);
  if (!hmac) return { valid: false, status: 401, reason: "X-Shopify-Hmac-Sha256 is not the base64 of a SHA-256 HMAC" };

  const shop = headers.get("x-shopify-shop-domain")!;
  if (!isShopDomain(shop))
    return { valid: false, status: 400, reason: "X-Shopify-Shop-Domain is not a *.myshopify.com shop domain" };

  const triggeredText = headers.get("x-shopify-triggered-at")!;
  const triggeredAt = new Date(triggeredText);
  if (!ISO_TIMESTAMP.test(triggeredText) || Number.isNaN(triggeredAt.getTime())) {
    return { valid: false, status: 400, reason: "X-Shopify-Triggered-At is not an ISO 8601 time" };
  }
  const age = now.getTime() - triggeredAt.getTime();
  if (age > MAX_DELIVERY_AGE_MS)
    return {
      valid: false,
      status: 400,
      reason: "the delivery is older than Shopify's retry period (X-Shopify-Triggered-At)",
    };
  if (-age > MAX_CLOCK_AHEAD_MS)
    return { valid: false, status: 400, reason: "X-Shopify-Triggered-At is in the future" };

  return {
    valid: true,
    shop,
    topic: headers.get("x-shopify-topic")!,
    webhookId: headers.get("x-shopify-webhook-id")!,
    eventId,
    apiVersion: headers.get("x-shopify-api-version")!,
    triggeredAt,
    hmac,
  };
}

/** The 32 bytes of a base64 HMAC-SHA256, or null unless the value is exactly their canonical base64 (44 characters). */
export function decodeStrictHmac(value: string): Buffer | null {
  if (!STRICT_BASE64_SHA256.test(value)) return null;
  const bytes = Buffer.from(value, "base64");
  return bytes.length === 32 && bytes.toString("base64") === value ? bytes : null;
}

/**
 * Shopify's documented check: the HMAC-SHA256 of the raw body bytes under the app's secret, compared in constant time.
 * Over the bytes, not decoded text: decoding would map invalid UTF-8 to U+FFFD, so different bodies would share a
 * signature.
 */
export function hmacMatches(rawBody: Uint8Array, given: Buffer, secret: string): boolean {
  const expected = crypto.createHmac("sha256", secret).update(rawBody).digest();
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
