import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { CustomerFactsQuery } from "../graphql/CustomerFactsQuery";
import { parseJsonKeepingBigIntegers } from "./json";
import { customerFromGraphql, customerFromWebhook, customerGid, orderFromGraphql, orderFromWebhook, orderGid, toMarketingState } from "./facts";
import { deleteCustomer, deleteOrder, mergeCustomers, touchCustomer, updateConsent, upsertCustomers, upsertOrders } from "../models/facts.server";
import { markDeliveryFailed, pendingDeliveries } from "../models/inbox.server";
import { awaitJourney } from "../models/journey.server";
import type { ChangeCause } from "../domain/sync";

export interface Affected {
  gids: string[];
  cause: ChangeCause;
}

export interface InboxDeps {
  db: Db;
  now: Date;
  /** The Admin client of a shop, for topics whose payload does not carry the facts (purchasing summary). */
  clientFor: (shop: string) => AdminClient;
  /** What the app does with shop-level topics (uninstall, compliance); kept out of here so ingest stays about facts. */
  onShopEvent: (shop: string, topic: string, payload: Record<string, unknown>) => Promise<void>;
}

/**
 * Applies one delivery to the stored facts and says which customers must be re-classified and why.
 * Deliveries are idempotent: applying one twice, or an older one after a newer one, leaves the newest state.
 */
export async function applyDelivery(deps: InboxDeps, shop: string, topic: string, rawPayload: string): Promise<Affected | null> {
  const payload = parseJsonKeepingBigIntegers(rawPayload) as Record<string, unknown>;
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) throw new Error("The payload is not a JSON object");
  const { db, now } = deps;
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      const order = orderFromWebhook(payload);
      const previous = await db.order.findUnique({ where: { shop_gid: { shop, gid: order.gid } }, select: { customerGid: true } });
      await upsertOrders(db, shop, [order]);
      // The payload carries no journey summary: read it once Shopify has attributed the order.
      if (topic === "orders/create") await awaitJourney(db, shop, order.gid, now);
      return { gids: [order.customerGid, previous?.customerGid].filter((g): g is string => Boolean(g)), cause: "order" };
    }
    case "orders/delete": {
      const owner = await deleteOrder(db, shop, orderGid(payload.admin_graphql_api_id ?? payload.id), now);
      return { gids: owner ? [owner] : [], cause: "order" };
    }
    case "customers/create": {
      const gid = customerFromWebhook(payload).gid;
      await refetchCustomer(deps, shop, gid);
      return { gids: [gid], cause: "consent" };
    }
    case "customers/update":
      // No longer carries tags or consent (API 2025-01+), so nothing the model reads changed. This is also the
      // echo of the app's own tag writes: it must cause no write, or tags would loop.
      await touchCustomer(db, shop, customerFromWebhook(payload));
      return null;
    case "customers/purchasing_summary": {
      const gid = customerGid(payload.customerId);
      await refetchCustomer(deps, shop, gid);
      return { gids: [gid], cause: "order" };
    }
    case "customers_email_marketing_consent/update": {
      const gid = customerGid(payload.customer_id);
      const consent = payload.email_marketing_consent as { state?: string; consent_updated_at?: string | null } | null;
      const state = consent?.state ? toMarketingState(consent.state) : "NOT_SUBSCRIBED";
      const at = consent?.consent_updated_at ? new Date(consent.consent_updated_at) : null;
      await updateConsent(db, shop, gid, state, at && !Number.isNaN(at.getTime()) ? at : null);
      return { gids: [gid], cause: "consent" };
    }
    case "customers/delete":
      await deleteCustomer(db, shop, customerGid(payload.admin_graphql_api_id ?? payload.id), now);
      return null;
    case "customers/merge": {
      if (payload.status === "failed") return null;
      const kept = customerGid(payload.admin_graphql_api_customer_kept_id);
      const removed = customerGid(payload.admin_graphql_api_customer_deleted_id);
      await mergeCustomers(db, shop, kept, removed, now);
      return { gids: [kept], cause: "merge" };
    }
    case "bulk_operations/finish":
      return null; // the backfill polls its operation; the webhook carries nothing else it needs
    default:
      await deps.onShopEvent(shop, topic, payload);
      return null;
  }
}

/** Re-reads a customer and all its orders from the Admin API (topics that announce a change without its content). */
async function refetchCustomer(deps: InboxDeps, shop: string, gid: string): Promise<void> {
  const client = deps.clientFor(shop);
  let after: string | null = null;
  type Page = {
    customer: (Parameters<typeof customerFromGraphql>[0] & {
      orders: { nodes: Array<Parameters<typeof orderFromGraphql>[0]>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }) | null;
  };
  do {
    const { data }: { data: Page } = await client.request<Page>(CustomerFactsQuery, { id: gid, after });
    if (!data.customer) return; // deleted meanwhile: customers/delete will say so
    if (after === null) await upsertCustomers(deps.db, shop, [customerFromGraphql(data.customer)]);
    await upsertOrders(deps.db, shop, data.customer.orders.nodes.map((node) => orderFromGraphql(node, gid)));
    after = data.customer.orders.pageInfo.hasNextPage ? data.customer.orders.pageInfo.endCursor : null;
  } while (after);
}

export interface InboxBatchResult {
  processed: number;
  failed: number;
  /** Deliveries applied without error: mark them processed once their customers are reconciled. */
  appliedIds: number[];
  affected: Map<string, Map<ChangeCause, Set<string>>>;
}

/** Applies up to `limit` pending deliveries (of one shop, or of all) in arrival order and groups the customers to re-classify by shop. */
export async function applyPendingDeliveries(deps: InboxDeps, options: { shop?: string; limit?: number } = {}): Promise<InboxBatchResult> {
  const deliveries = await pendingDeliveries(deps.db, options.limit ?? 200, options.shop);
  const result: InboxBatchResult = { processed: 0, failed: 0, appliedIds: [], affected: new Map() };
  for (const delivery of deliveries) {
    try {
      const affected = await applyDelivery(deps, delivery.shop, delivery.topic, delivery.payload);
      if (affected && affected.gids.length > 0) {
        const byCause = result.affected.get(delivery.shop) ?? new Map<ChangeCause, Set<string>>();
        const set = byCause.get(affected.cause) ?? new Set<string>();
        affected.gids.forEach((gid) => set.add(gid));
        byCause.set(affected.cause, set);
        result.affected.set(delivery.shop, byCause);
      }
      result.processed++;
      result.appliedIds.push(delivery.id);
    } catch (error) {
      result.failed++;
      await markDeliveryFailed(deps.db, delivery.id, error);
    }
  }
  return result;
}

/**
 * Marks deliveries processed in one statement. An applied payload is not needed again and carries personal data
 * (names, emails, addresses): the row stays, its event id still makes a redelivery a no-op, the content goes.
 */
export async function markApplied(db: Db, ids: readonly number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.webhookDelivery.updateMany({ where: { id: { in: [...ids] } }, data: { processedAt: at, lastError: null, payload: "" } });
}
