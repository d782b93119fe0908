import { ApiVersion } from "@shopify/shopify-app-remix/server";

export const API_VERSION = ApiVersion.October26;

export const APP_SCOPES = [
  "read_customers",
  "write_customers",
  "read_orders",
  "read_all_orders",
  // customers/merge: a merge moves orders from one customer to another, changing both stages.
  "read_customer_merge",
  "read_marketing_events",
  "read_discounts",
  // ShopifyQL (shopifyqlQuery): online store visitors, traffic sources and sales for stages 1–2 and GP/V.
  "read_reports",
] as const;

export interface AppConfig {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  scopes: string[];
  // Where Admin API calls go instead of https://<shop>; unset in production.
  adminApiOrigin?: string;
}

export function readAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const missing = ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL"].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`Missing environment variable(s): ${missing.join(", ")}. See README.md, "Configuration".`);
  }
  return {
    apiKey: env.SHOPIFY_API_KEY!,
    apiSecret: env.SHOPIFY_API_SECRET!,
    appUrl: env.SHOPIFY_APP_URL!,
    scopes: env.SCOPES ? env.SCOPES.split(",").map((s) => s.trim()) : [...APP_SCOPES],
    adminApiOrigin: env.SHOPIFY_ADMIN_API_ORIGIN || undefined,
  };
}

/** The Admin GraphQL endpoint of a shop, honouring SHOPIFY_ADMIN_API_ORIGIN. */
export function adminGraphqlUrl(shop: string, config: Pick<AppConfig, "adminApiOrigin"> = readAppConfig()): string {
  const origin = config.adminApiOrigin ?? `https://${shop}`;
  return `${origin}/admin/api/${API_VERSION}/graphql.json`;
}
