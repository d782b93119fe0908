import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { CustomerFactsQuery } from "../graphql/CustomerFactsQuery";
import { parseJsonKeepingBigIntegers } from "./json";
import {
  customerFromGraphql,
  customerFromWebhook,
  customerGid,
  orderFromGraphql,
  orderFromWebhook,
  orderGid,
  toMarketingState,
  type CustomerRow,
  type OrderRow,
} from "./facts";
import {
  deleteCustomer,
  deleteOrders,
  mergeCustomers,
  orderOwners,
  touchCustomers,
  updateConsents,
  upsertCustomers,
  upsertOrders,
  type ConsentRow,
} from "../models/facts.server";
import { awaitJourneys } from "../models/journey.server";
import type { ChangeCause } from "../domain/sync";
import type { CustomerFactsQueryQuery } from "../types/admin.generated";

/** Customers a delivery changed, to re-classify, and why. */
export interface Affected {
  gids: string[];
  cause: ChangeCause;
}

/**
 * What a delivery asks for, read from its payload. Reading is separate from applying so that a batch of deliveries
 * is applied set-based (one statement per kind per batch) and a payload that cannot be read fails alone.
 */
export type DeliveryIntent =
  /** created: orders/create, whose journey (the campaign that brought it) is read once Shopify has attributed it. */
  | { kind: "order"; row: OrderRow; created: boolean }
  | { kind: "orderDelete"; gid: string }
  | { kind: "touch"; row: CustomerRow }
  | { kind: "consent"; row: ConsentRow }
  | { kind: "customerDelete"; gid: string }
  | { kind: "merge"; kept: string; removed: string }
  /** Topics that announce a change without its content: the customer is re-read from the Admin API. */
  | { kind: "refetch"; gid: string; cause: ChangeCause }
  /** Shop-level and compliance topics, handled by the app (uninstall, redact...). */
  | { kind: "shopEvent"; topic: string; payload: Record<string, unknown> }
  | { kind: "ignore" };

/** Topics whose payload does not carry the facts: applying them costs an Admin API call. */
export const REFETCH_TOPICS: readonly string[] = ["customers/create", "customers/purchasing_summary"];

/** A payload that can never be applied as it is (not a JSON object, not Shopify's shape): retrying cannot help. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PayloadError";
  }
}

/** Reads a delivery's payload into what it asks for; throws PayloadError when it cannot. */
export function readDelivery(topic: string, rawPayload: string): DeliveryIntent {
  let payload: unknown;
  try {
    payload = parseJsonKeepingBigIntegers(rawPayload);
  } catch (error) {
    throw new PayloadError(`The payload is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload))
    throw new PayloadError("The payload is not a JSON object");
  try {
    return intentOf(topic, payload as Record<string, unknown>);
  } catch (error) {
    throw new PayloadError(error instanceof Error ? error.message : String(error));
  }
}

function intentOf(topic: string, payload: Record<string, unknown>): DeliveryIntent {
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled":
      return { kind: "order", row: orderFromWebhook(payload), created: topic === "orders/create" };
    case "orders/delete":
      return { kind: "orderDelete", gid: orderGid(payload.admin_graphql_api_id ?? payload.id) };
    case "customers/create":
      return { kind: "refetch", gid: customerFromWebhook(payload).gid, cause: "consent" };
    case "customers/update":
      // No longer carries tags or consent (API 2025-01+), so nothing the model reads changed. This is also the
      // echo of the app's own tag writes: it must cause no write, or tags would loop.
      return { kind: "touch", row: customerFromWebhook(payload) };
    case "customers/purchasing_summary":
      return { kind: "refetch", gid: customerGid(payload.customerId), cause: "order" };
    case "customers_email_marketing_consent/update": {
      const consent = payload.email_marketing_consent as { state?: string; consent_updated_at?: string | null } | null;
      const at = consent?.consent_updated_at ? new Date(consent.consent_updated_at) : null;
      return {
        kind: "consent",
        row: {
          gid: customerGid(payload.customer_id),
          state: consent?.state ? toMarketingState(consent.state) : "NOT_SUBSCRIBED",
          consentUpdatedAt: at && !Number.isNaN(at.getTime()) ? at : null,
        },
      };
    }
    case "customers/delete":
      return { kind: "customerDelete", gid: customerGid(payload.admin_graphql_api_id ?? payload.id) };
    case "customers/merge":
      if (payload.status === "failed") return { kind: "ignore" };
      return {
        kind: "merge",
        kept: customerGid(payload.admin_graphql_api_customer_kept_id),
        removed: customerGid(payload.admin_graphql_api_customer_deleted_id),
      };
    case "bulk_operations/finish":
      return { kind: "ignore" }; // the backfill polls its operation; the webhook carries nothing else it needs
    default:
      return { kind: "shopEvent", topic, payload };
  }
}

export interface FactsDeps {
  db: Db;
  now: Date;
  /** What the app does with shop-level topics (uninstall, compliance); kept out of here so ingest stays about facts. */
  onShopEvent: (shop: string, topic: string, payload: Record<string, unknown>) => Promise<void>;
}

export interface ReadDelivery {
  id: number;
  intent: DeliveryIntent;
}

/**
 * Applies deliveries of one shop whose intents commute (no merge, no shop event: the caller applies those alone,
 * in order), set-based: one statement per kind and batch. Each kind keeps its guard (tombstones, Shopify's
 * updated_at, the consent's own clock), so the result is the one applying them one by one would give. Returns the
 * customers each delivery affected.
 */
export async function applyFactBatch(
  deps: FactsDeps,
  shop: string,
  deliveries: readonly ReadDelivery[],
): Promise<Map<number, Affected>> {
  const { db, now } = deps;
  // Every delivery is in the result, touching customers or not: the caller marks exactly these applied.
  const affected = new Map<number, Affected>(deliveries.map((d) => [d.id, { gids: [], cause: "order" }]));
  const orders = deliveries.filter((d): d is ReadDelivery & { intent: { kind: "order" } } => d.intent.kind === "order");
  if (orders.length > 0) {
    // upsertOrders keeps, of several rows for one order, the one applying them in order would leave.
    const rows = orders.map((d) => d.intent.row);
    const previous = await orderOwners(db, shop, [...new Set(rows.map((r) => r.gid))]);
    await upsertOrders(db, shop, rows);
    // The payload carries no journey summary: a new order's is read once Shopify has attributed it.
    await awaitJourneys(
      db,
      shop,
      [...new Set(orders.filter((d) => d.intent.created).map((d) => d.intent.row.gid))],
      now,
    );
    for (const d of orders) {
      const owners = [d.intent.row.customerGid, previous.get(d.intent.row.gid)].filter((g): g is string => Boolean(g));
      affected.set(d.id, { gids: [...new Set(owners)], cause: "order" });
    }
  }
  const touches = deliveries.flatMap((d) => (d.intent.kind === "touch" ? [d.intent.row] : []));
  if (touches.length > 0)
    await touchCustomers(
      db,
      shop,
      newestOf(
        touches,
        (r) => r.gid,
        (r) => r.shopifyUpdatedAt,
      ),
    );
  const consents = deliveries.filter(
    (d): d is ReadDelivery & { intent: { kind: "consent" } } => d.intent.kind === "consent",
  );
  if (consents.length > 0) {
    await updateConsents(
      db,
      shop,
      newestOf(
        consents.map((d) => d.intent.row),
        (r) => r.gid,
        (r) => r.consentUpdatedAt,
      ),
    );
    for (const d of consents) affected.set(d.id, { gids: [d.intent.row.gid], cause: "consent" });
  }
  const orderDeletes = deliveries.filter(
    (d): d is ReadDelivery & { intent: { kind: "orderDelete" } } => d.intent.kind === "orderDelete",
  );
  if (orderDeletes.length > 0) {
    const owners = await deleteOrders(db, shop, [...new Set(orderDeletes.map((d) => d.intent.gid))], now);
    for (const d of orderDeletes) {
      const owner = owners.get(d.intent.gid);
      affected.set(d.id, { gids: owner ? [owner] : [], cause: "order" });
    }
  }
  for (const d of deliveries) {
    if (d.intent.kind === "customerDelete") await deleteCustomer(db, shop, d.intent.gid, now);
  }
  return affected;
}

/** Applies one delivery that must not be batched with others (a merge, a shop event) or anything, alone. */
export async function applyAlone(deps: FactsDeps, shop: string, delivery: ReadDelivery): Promise<Affected | null> {
  const { intent } = delivery;
  if (intent.kind === "merge") {
    await mergeCustomers(deps.db, shop, intent.kept, intent.removed, deps.now);
    return { gids: [intent.kept], cause: "merge" };
  }
  if (intent.kind === "shopEvent") {
    await deps.onShopEvent(shop, intent.topic, intent.payload);
    return null;
  }
  return (await applyFactBatch(deps, shop, [delivery])).get(delivery.id)!;
}

/** Whether a delivery can join a set-based batch (see applyFactBatch). */
export function isBatchable(intent: DeliveryIntent): boolean {
  return intent.kind !== "merge" && intent.kind !== "shopEvent" && intent.kind !== "refetch";
}

/**
 * Of several rows for one record, the one that would stand after applying them in arrival order under the
 * "not older than the stored one" guard: a later row replaces an earlier one unless it is older.
 */
function newestOf<Row>(
  rows: readonly Row[],
  key: (row: Row) => string,
  at: (row: Row) => Date | null | undefined,
): Row[] {
  const winners = new Map<string, Row>();
  for (const row of rows) {
    const current = winners.get(key(row));
    const currentAt = current === undefined ? null : at(current);
    const rowAt = at(row);
    if (current === undefined || currentAt == null || rowAt == null || rowAt.getTime() >= currentAt.getTime())
      winners.set(key(row), row);
  }
  return [...winners.values()];
}

/** Re-reads a customer and all its orders from the Admin API (topics that announce a change without its content). */
export async function refetchCustomer(
  db: Db,
  client: AdminClient,
  shop: string,
  gid: string,
  requestOptions: { maxAttempts?: number } = {},
): Promise<void> {
  let after: string | null = null;
  do {
    // Annotated: `after` feeds the next request, which TypeScript cannot infer through the loop.
    const { data }: { data: CustomerFactsQueryQuery } = await client.request(
      CustomerFactsQuery,
      { id: gid, after },
      requestOptions,
    );
    if (!data.customer) return; // deleted meanwhile: customers/delete will say so
    if (after === null) await upsertCustomers(db, shop, [customerFromGraphql(data.customer)]);
    await upsertOrders(
      db,
      shop,
      data.customer.orders.nodes.map((node) => orderFromGraphql(node, gid)),
    );
    after = data.customer.orders.pageInfo.hasNextPage ? (data.customer.orders.pageInfo.endCursor ?? null) : null;
  } while (after);
}
