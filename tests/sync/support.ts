import { startDevStore, type DevStore, type ShopState } from "../devstore/server";
import { AdminClient } from "../../app/shopify/admin-client.server";
import {
  appTagsFor,
  classifyCustomer,
  computeShopStats,
  DEFAULT_LIFECYCLE_SETTINGS,
  qualifyingOrderTimes,
  type Classification,
  type CustomerFacts,
  type EmailMarketingState,
} from "../../app/lifecycle";
import type { ReconcileSummary, ShopifyWriter } from "../../app/sync/reconcile.server";

export const API_KEY = "sync-test-key";
export const API_SECRET = "sync-test-secret";

export async function devStoreWithClient(shop: string, options: { clock?: () => number } = {}) {
  const devStore = await startDevStore({ port: 0, apiKey: API_KEY, apiSecret: API_SECRET, clock: options.clock });
  devStore.addShop(shop);
  const token = devStore.issueOfflineToken(shop);
  const client = new AdminClient({
    shop,
    endpoint: `${devStore.origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => token,
  });
  return { devStore, client };
}

/** What the model says about every dev-store customer as of `now`, computed straight from the store's state. */
export function expectedByModel(state: ShopState, now: number): Map<string, Classification> {
  const facts = new Map<string, CustomerFacts>();
  for (const customer of state.customers.values()) {
    facts.set(`gid://shopify/Customer/${customer.id}`, {
      emailMarketingState: customer.emailMarketing.state as EmailMarketingState,
      orders: customer.orderIds.map((id) => {
        const order = state.orders.get(id)!;
        return {
          createdAt: order.createdAt,
          totalMinor: order.totalMinor,
          refundedMinor: order.refundedMinor,
          cancelled: order.cancelledAt !== null,
          test: order.test,
          voided: order.financialStatus === "VOIDED",
          fullyRefunded: order.financialStatus === "REFUNDED",
        };
      }),
    });
  }
  const stats = computeShopStats(
    [...facts.values()].map((f) => qualifyingOrderTimes(f.orders, now)),
    DEFAULT_LIFECYCLE_SETTINGS,
    now,
  );
  return new Map([...facts].map(([gid, f]) => [gid, classifyCustomer(f, stats, DEFAULT_LIFECYCLE_SETTINGS, now)]));
}

export function appTagsOf(tags: readonly string[], prefix = DEFAULT_LIFECYCLE_SETTINGS.tagPrefix): string[] {
  return tags.filter((t) => t.toLowerCase().startsWith(prefix)).sort();
}

export function modelTags(c: Classification): string[] {
  return appTagsFor(c, DEFAULT_LIFECYCLE_SETTINGS.tagPrefix).sort();
}

/** Wraps a writer to count what reconcile asked Shopify to do. */
export function countingWriter(inner: ShopifyWriter) {
  const counts = { tagEdits: 0, stageChangeBatches: 0 };
  const writer: ShopifyWriter = {
    writePlannedTags: async (now) => {
      const summary = await inner.writePlannedTags(now);
      counts.tagEdits += summary.written;
      return summary;
    },
    sendPendingStageChanges: () => {
      counts.stageChangeBatches++;
      return inner.sendPendingStageChanges();
    },
  };
  return { writer, counts };
}

export type { DevStore, ReconcileSummary };
