/** The webhook topics the app subscribes to in shopify.app.toml (a test keeps the two equal). */
export const SUBSCRIBED_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/delete",
  "customers/create",
  "customers/update",
  "customers/delete",
  "customers/merge",
  "customers/purchasing_summary",
  "customers_email_marketing_consent/update",
  "bulk_operations/finish",
  "app/uninstalled",
  "app/scopes_update",
] as const;

export const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;

type ComplianceTopic = (typeof COMPLIANCE_TOPICS)[number];

export function isComplianceTopic(topic: string): topic is ComplianceTopic {
  return (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
}

/**
 * Where a topic's documented payload names the shop (tests/fixtures/shopify/webhooks): the compliance topics always
 * carry `shop_domain`; app/uninstalled carries the shop object, whose `myshopify_domain` may be null in Shopify's
 * example. The signature covers the payload but not the headers, so a payload's shop that differs from
 * X-Shopify-Shop-Domain means the header was changed: the delivery would otherwise act on the wrong shop.
 */
const PAYLOAD_SHOP_FIELDS: Array<{ field: string; required: (topic: string) => boolean }> = [
  { field: "shop_domain", required: isComplianceTopic },
  { field: "myshopify_domain", required: () => false },
];

/** Why the payload's shop contradicts the delivery's shop header, or null when it agrees (or names none). */
export function payloadShopMismatch(topic: string, payload: Record<string, unknown>, shop: string): string | null {
  for (const { field, required } of PAYLOAD_SHOP_FIELDS) {
    const value = payload[field];
    if (value === undefined || value === null) {
      if (required(topic)) return `the ${topic} payload has no ${field}`;
      continue;
    }
    if (value !== shop) return `the payload's ${field} is not the shop in X-Shopify-Shop-Domain`;
  }
  return null;
}
