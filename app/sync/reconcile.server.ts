import type { Db } from "../db.server";
import {
  appTagsFor,
  HIGH_VALUE_TAG,
  classifyTimes,
  isQualifyingOrder,
  planTagChange,
  qualifyingOrderTimes,
  ShopStatsAccumulator,
  STAGES,
  type Classification,
  type ShopStats,
} from "../lifecycle";
import { customerGidPages, loadCustomersWithOrders, recordTagOutcomes, type StoredCustomer } from "../models/customer.server";
import { loadShopContext, saveShopStats, type ShopContext } from "../models/shop.server";
import type { TagEdit } from "../graphql/TagsBatchMutation";
import type { ChangeCause, StageChangeEvent, TagWriteOutcome } from "../domain/sync";

export type { ChangeCause, StageChangeEvent, TagWriteOutcome } from "../domain/sync";

/** What reconcile needs from Shopify; the real one goes through the throttled Admin client. */
export interface ShopifyWriter {
  writeTags(edits: readonly TagEdit[], currentTags: ReadonlyMap<string, readonly string[]>): Promise<TagWriteOutcome[]>;
  /** Sends the Flow triggers of every StageChange row still marked pending. */
  sendPendingStageChanges(): Promise<void>;
}


export interface ReconcileOptions {
  db: Db;
  shop: string;
  now: Date;
  cause: ChangeCause;
  shopify: ShopifyWriter | null;
  /** Fire Flow triggers for these changes (false for a first backfill unless the merchant asked). */
  notifyFlow?: boolean;
  /** A tag prefix the merchant replaced: its app tags are removed as well (settings change). */
  retiredPrefix?: string;
  /** Called after each chunk of a whole-shop pass with the customers done so far (progress bars). */
  onProgress?: (customersDone: number) => Promise<void> | void;
}

export interface ReconcileSummary {
  customers: number;
  stageChanges: number;
  tagEdits: number;
  tagErrors: number;
}

const CHUNK = 500;
/**
 * Tag edits are gathered across chunks and written in large batches, so a whole-shop pass (first backfill,
 * settings change) reaches the bulk-mutation path instead of spending the rate limit 500 customers at a time.
 * The cap bounds memory on very large shops.
 */
const TAG_FLUSH_AT = 20_000;

interface PendingTags {
  edits: TagEdit[];
  currentTags: Map<string, readonly string[]>;
}

/**
 * The only writer of stages: re-derives the given customers' classification from stored facts, stores what
 * changed, records stage changes, and makes Shopify's tags match (only the difference is written).
 */
export async function reconcileCustomers(options: ReconcileOptions, gids: readonly string[], context?: ShopContext): Promise<ReconcileSummary> {
  const ctx = context ?? (await loadShopContext(options.db, options.shop));
  const stats = ctx.stats ?? (await refreshShopStats(options.db, ctx, options.now));
  const summary: ReconcileSummary = { customers: 0, stageChanges: 0, tagEdits: 0, tagErrors: 0 };
  const unique = [...new Set(gids)];
  const pending: PendingTags = { edits: [], currentTags: new Map() };
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = await loadCustomersWithOrders(options.db, options.shop, unique.slice(i, i + CHUNK));
    await reconcileChunk(options, ctx, stats, chunk, summary, pending);
  }
  await flushTagEdits(options, summary, pending);
  await notifyFlow(options, ctx, summary);
  return summary;
}

/** Every customer of the shop, with Q recomputed as of now first. */
export async function reconcileShop(options: ReconcileOptions): Promise<ReconcileSummary & { stats: ShopStats }> {
  const ctx = await loadShopContext(options.db, options.shop);
  const stats = await refreshShopStats(options.db, ctx, options.now);
  const summary: ReconcileSummary = { customers: 0, stageChanges: 0, tagEdits: 0, tagErrors: 0 };
  const pending: PendingTags = { edits: [], currentTags: new Map() };
  for await (const page of customerGidPages(options.db, options.shop, CHUNK)) {
    const chunk = await loadCustomersWithOrders(options.db, options.shop, page);
    await reconcileChunk(options, ctx, stats, chunk, summary, pending);
    await options.onProgress?.(summary.customers);
  }
  await flushTagEdits(options, summary, pending);
  await notifyFlow(options, ctx, summary);
  await recountStages(options.db, options.shop);
  return { ...summary, stats };
}

/** Computes Q as of `now` over all customers in one pass and stores it. */
export async function refreshShopStats(db: Db, ctx: ShopContext, now: Date): Promise<ShopStats> {
  const accumulator = new ShopStatsAccumulator(ctx.settings, now.getTime());
  for await (const page of customerGidPages(db, ctx.domain, 2000)) {
    for (const customer of await loadCustomersWithOrders(db, ctx.domain, page)) {
      accumulator.add(qualifyingOrderTimes(customer.orders, now.getTime()));
    }
  }
  const stats = accumulator.result();
  await saveShopStats(db, ctx.domain, stats, now);
  ctx.stats = stats;
  return stats;
}

async function reconcileChunk(
  options: ReconcileOptions,
  ctx: ShopContext,
  stats: ShopStats,
  customers: readonly StoredCustomer[],
  summary: ReconcileSummary,
  pending: PendingTags,
): Promise<void> {
  const { db, shop, now } = options;
  const nowMs = now.getTime();
  const updates: Array<{ customer: StoredCustomer; result: Classification; netSpentMinor: bigint }> = [];
  const changes: StageChangeEvent[] = [];

  for (const customer of customers) {
    const times = qualifyingOrderTimes(customer.orders, nowMs);
    const result = classifyTimes(times, customer.emailMarketingState, stats, ctx.settings, nowMs);
    const netSpentMinor = customer.orders
      .filter((order) => isQualifyingOrder(order, nowMs))
      .reduce((sum, order) => sum + BigInt(order.totalMinor - order.refundedMinor), 0n);
    if (classificationChanged(customer, result, netSpentMinor)) updates.push({ customer, result, netSpentMinor });
    if (customer.stage !== result.stage || (customer.winbackTier ?? null) !== result.winbackTier) {
      changes.push({
        customerGid: customer.gid,
        fromStage: customer.stage,
        toStage: result.stage,
        winbackTier: result.winbackTier,
        daysSinceLastOrder: result.daysSinceLastOrder,
      });
    }
    const plan = planTagChange(customer.tags, appTagsFor(result, ctx.settings.tagPrefix, { highValue: ctx.highValueTag && customer.highValue }), ctx.settings.tagPrefix);
    if (options.retiredPrefix && options.retiredPrefix !== ctx.settings.tagPrefix) {
      const retired = new Set(retiredAppTags(options.retiredPrefix));
      plan.remove.push(...customer.tags.filter((tag) => retired.has(tag.toLowerCase()) && !plan.remove.includes(tag)));
    }
    if (plan.overLimit) {
      summary.tagErrors++;
      await db.customer.update({
        where: { id: customer.id },
        data: { tagError: "This customer already has 250 tags, Shopify's limit: the lifecycle tag could not be added." },
      });
    } else if (plan.add.length > 0 || plan.remove.length > 0) {
      pending.edits.push({ id: customer.gid, add: plan.add, remove: plan.remove });
      pending.currentTags.set(customer.gid, customer.tags);
    }
  }

  const notifyFlow = options.notifyFlow ?? true;
  await db.$transaction(async (tx) => {
    for (const { customer, result, netSpentMinor } of updates) {
      const stageMoved = customer.stage !== result.stage;
      await tx.customer.update({
        where: { id: customer.id },
        data: {
          stage: result.stage,
          winbackTier: result.winbackTier,
          nextTransitionAt: result.nextTransitionAt == null ? null : new Date(result.nextTransitionAt),
          explanation: JSON.stringify(result.explanation),
          lapseThresholdDays: result.lapseThresholdDays,
          usesShopThreshold: result.usesShopThreshold,
          qualifyingOrders: result.qualifyingOrderCount,
          lastOrderAt: result.lastOrderAt == null ? null : new Date(result.lastOrderAt),
          netSpentMinor,
          classifiedAt: now,
          ...(stageMoved ? { stageSince: now } : {}),
        },
      });
      if (stageMoved) {
        if (customer.stage) await bumpStageCount(tx as Db, shop, customer.stage, -1, -customer.netSpentMinor);
        await bumpStageCount(tx as Db, shop, result.stage, 1, netSpentMinor);
      } else if (netSpentMinor !== customer.netSpentMinor) {
        await bumpStageCount(tx as Db, shop, result.stage, 0, netSpentMinor - customer.netSpentMinor);
      }
    }
    if (changes.length > 0) {
      await tx.stageChange.createMany({
        data: changes.map((change) => ({
          shop,
          customerGid: change.customerGid,
          fromStage: change.fromStage,
          toStage: change.toStage,
          winbackTier: change.winbackTier,
          at: now,
          cause: options.cause,
          flowStatus: notifyFlow && ctx.flowEnabled ? "pending" : "skipped",
        })),
      });
    }
  });
  summary.customers += customers.length;
  summary.stageChanges += changes.length;
  if (pending.edits.length >= TAG_FLUSH_AT) await flushTagEdits(options, summary, pending);
}

async function flushTagEdits(options: ReconcileOptions, summary: ReconcileSummary, pending: PendingTags): Promise<void> {
  const { db, shop } = options;
  if (!options.shopify || pending.edits.length === 0) return;
  const outcomes = await options.shopify.writeTags(pending.edits, pending.currentTags);
  pending.edits = [];
  pending.currentTags = new Map();
  await recordTagOutcomes(db, shop, outcomes);
  summary.tagErrors += outcomes.filter((o) => !o.ok).length;
  summary.tagEdits += outcomes.filter((o) => o.ok).length;
}

/** Flow goes out after the tags, from the StageChange rows this pass marked pending. */
async function notifyFlow(options: ReconcileOptions, ctx: ShopContext, summary: ReconcileSummary): Promise<void> {
  if (options.shopify && (options.notifyFlow ?? true) && ctx.flowEnabled && summary.stageChanges > 0) {
    await options.shopify.sendPendingStageChanges();
  }
}

/** Every tag the app could have written under a prefix (stage tags, win-back tiers, high-value), lower-cased. */
function retiredAppTags(prefix: string): string[] {
  return [...STAGES.map((stage) => `${prefix}${stage}`), ...[90, 180, 360].map((tier) => `${prefix}winback-${tier}`), `${prefix}${HIGH_VALUE_TAG}`].map((t) =>
    t.toLowerCase(),
  );
}

function classificationChanged(customer: StoredCustomer, result: Classification, netSpentMinor: bigint): boolean {
  return (
    customer.stage !== result.stage ||
    (customer.winbackTier ?? null) !== result.winbackTier ||
    (customer.nextTransitionAt?.getTime() ?? null) !== result.nextTransitionAt ||
    customer.explanation !== JSON.stringify(result.explanation) ||
    customer.lapseThresholdDays !== result.lapseThresholdDays ||
    customer.usesShopThreshold !== result.usesShopThreshold ||
    customer.qualifyingOrders !== result.qualifyingOrderCount ||
    (customer.lastOrderAt?.getTime() ?? null) !== result.lastOrderAt ||
    customer.netSpentMinor !== netSpentMinor
  );
}

async function bumpStageCount(db: Db, shop: string, stage: string, customers: number, netSpentMinor: bigint): Promise<void> {
  await db.stageCount.upsert({
    where: { shop_stage: { shop, stage } },
    create: { shop, stage, customers, netSpentMinor },
    update: { customers: { increment: customers }, netSpentMinor: { increment: netSpentMinor } },
  });
}

/** Rebuilds the per-stage counts the board reads from the customers themselves (after full passes). */
export async function recountStages(db: Db, shop: string): Promise<void> {
  const groups = await db.customer.groupBy({
    by: ["stage"],
    where: { shop, stage: { not: null } },
    _count: { _all: true },
    _sum: { netSpentMinor: true },
  });
  await db.$transaction([
    db.stageCount.deleteMany({ where: { shop } }),
    db.stageCount.createMany({
      data: groups.map((g) => ({ shop, stage: g.stage!, customers: g._count._all, netSpentMinor: g._sum.netSpentMinor ?? 0n })),
    }),
  ]);
}
