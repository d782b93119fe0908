/**
 * What the board says about the app's access (the AccessCard): whether Shopify granted read_all_orders, without
 * which the app imports nothing and writes no tags, and whether Shopify's analytics can be read (read_reports plus
 * level 2 protected customer data; without them Stages 1 and 2 use the monthly sessions from Settings).
 */
import type { Db } from "../db.server";
import { loadGrantedScopes } from "../models/shop-access.server";
import { ANALYTICS_SCOPE, FULL_HISTORY_SCOPE, scopeGranted } from "../shopify/access-scopes.server";
import { PROTECTED_DATA_MESSAGE } from "../shopify/shopifyql.server";

export interface AccessView {
  /** False until the app has read the scopes (nothing is claimed missing before that). */
  known: boolean;
  fullHistory: boolean;
  analyticsScope: boolean;
  /** Shopify refused the analytics although read_reports is granted: level 2 protected customer data is missing. */
  analyticsProtectedData: boolean;
}

export async function loadAccessView(db: Db, shop: string): Promise<AccessView> {
  const [{ scopes }, analytics] = await Promise.all([
    loadGrantedScopes(db, shop),
    db.shopAnalytics.findUnique({
      where: { shop },
      select: { sessionsError: true, trafficError: true, salesError: true, firstVisitError: true },
    }),
  ]);
  const refusals = analytics
    ? [analytics.sessionsError, analytics.trafficError, analytics.salesError, analytics.firstVisitError]
    : [];
  return {
    known: scopes !== null,
    fullHistory: scopes === null || scopeGranted(scopes, FULL_HISTORY_SCOPE),
    analyticsScope: scopes === null || scopeGranted(scopes, ANALYTICS_SCOPE),
    analyticsProtectedData: refusals.includes(PROTECTED_DATA_MESSAGE),
  };
}
