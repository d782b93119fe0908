/**
 * The installation's access as Shopify grants it. Scope names are compared as @shopify/shopify-api's AuthScopes
 * does: a write scope implies its read scope.
 */
import { AuthScopes } from "@shopify/shopify-api";
import { AccessScopesQuery } from "../graphql/AccessScopesQuery";
import type { GraphqlRequester } from "./requester.server";

/** Without it Shopify shows the app only the last 60 days of orders, too little history for any stage. */
export const FULL_HISTORY_SCOPE = "read_all_orders";
/** ShopifyQL (Stages 1 and 2, GP/V); Shopify also asks for level 2 protected customer data there. */
export const ANALYTICS_SCOPE = "read_reports";

export async function readGrantedScopes(client: GraphqlRequester): Promise<string[]> {
  const { data } = await client.request(AccessScopesQuery);
  return data.currentAppInstallation.accessScopes.map((scope) => scope.handle);
}

export function scopeGranted(granted: readonly string[], scope: string): boolean {
  return new AuthScopes([...granted]).has(scope);
}
