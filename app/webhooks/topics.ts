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

export type SubscribedTopic = (typeof SUBSCRIBED_TOPICS)[number];
export type ComplianceTopic = (typeof COMPLIANCE_TOPICS)[number];
export type InboxTopic = SubscribedTopic | ComplianceTopic;

export function isSubscribedTopic(topic: string): topic is SubscribedTopic {
  return (SUBSCRIBED_TOPICS as readonly string[]).includes(topic);
}

export function isComplianceTopic(topic: string): topic is ComplianceTopic {
  return (COMPLIANCE_TOPICS as readonly string[]).includes(topic);
}
