import type { Db } from "../db.server";
import {
  appTagsFor,
  HIGH_VALUE_TAG,
  classifyTimes,
  isQualifyingOrder,
  qualifyingOrderTimes,
  ShopStatsAccumulator,
  STAGES,
  regularRuleOf,
  summarizeOrders,
  type Classification,
  type ShopStats,
} from "../lifecycle";
import {
  customerGidPages,
  loadCustomersWithOrders,
  orderGapPages,
  sameOrderSummary,
  stageTotalsOfCustomers,
  storedOrderSummary,
  summaryHoldsAt,
  writeReconciledChunk,
  type ReconciledCustomer,
  type StageCountDelta,
  type StoredCustomer,
  type StoredOrderSummary,
} from "../models/customer.server";
import { loadShopContext, saveShopStats, type ShopContext } from "../models/shop.server";
import { refreshOrderSummaries } from "./order-summaries.server";
import type { ChangeCause, StageChangeEvent } from "../domain/sync";
import {
  decodeDesiredAppTags,
  encodeDesiredAppTags,
  isEmptyPlan,
  planDesiredAppTags,
  type DesiredAppTags,
} from "../domain/tag-plan";

export type { ChangeCause, StageChangeEvent, TagWriteOutcome } from "../domain/sync";

/** What reconcile needs from Shopify in a job; the real one goes through the throttled Admin client. */
export interface ShopifyWriter {
  /** Writes every tag change reconcile planned for the shop up to `now`, waiting for the rate limit or a bulk mutation. */
  writePlannedTags(now: Date): Promise<TagWriteSummary>;
  /** Sends the Flow triggers of every StageChange row still marked pending. */
  sendPendingStageChanges(): Promise<void>;
}

export interface TagWriteSummary {
  /** Customers whose planned tags were written. */
  written: number;
  /** Customers whose write failed (retried later) or could only partly be done (at Shopify's 250-tag limit). */
  failed: number;
}

export interface ReconcileOptions {
  db: Db;
  shop: string;
  now: Date;
  cause: ChangeCause;
  /**
   * With a writer (jobs), the planned tags and Flow triggers are sent before reconcile returns; without (the inbox,
   * which sends them in its own step, paced to the shop's rate limit), they stay planned.
   */
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
  /** Customers given a new tag plan. */
  tagsPlanned: number;
  /** Customers whose tags were written (with a writer). */
  tagEdits: number;
  tagErrors: number;
}

/** Customers per chunk: two reads and one batch transaction each. */
const CHUNK = 2000;
/** Repeat buyers per read of their order gaps (a few numbers each). */
const GAP_PAGE_SIZE = 20_000;

function emptySummary(): ReconcileSummary {
  return { customers: 0, stageChanges: 0, tagsPlanned: 0, tagEdits: 0, tagErrors: 0 };
}

/**
 * The only writer of stages: re-derives the given customers' classification from stored facts, stores what
 * changed, records stage changes, and plans the tag writes that make Shopify's tags match (only the newest plan is
 * kept; with a writer it is sent before returning).
 */
export async function reconcileCustomers(
  options: ReconcileOptions,
  gids: readonly string[],
  context?: ShopContext,
): Promise<ReconcileSummary> {
  const ctx = context ?? (await loadShopContext(options.db, options.shop));
  const stats = ctx.stats ?? (await refreshShopStats(options.db, ctx, options.now));
  const summary = emptySummary();
  const unique = [...new Set(gids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = await loadCustomersWithOrders(options.db, options.shop, unique.slice(i, i + CHUNK));
    await reconcileChunk(options, ctx, stats, chunk, summary);
  }
  await sendToShopify(options, ctx, summary);
  return summary;
}

/** Every customer of the shop, with Q recomputed as of now first. */
export async function reconcileShop(options: ReconcileOptions): Promise<ReconcileSummary & { stats: ShopStats }> {
  const ctx = await loadShopContext(options.db, options.shop);
  const stats = await refreshShopStats(options.db, ctx, options.now);
  const summary = emptySummary();
  for await (const page of customerGidPages(options.db, options.shop, CHUNK)) {
    const chunk = await loadCustomersWithOrders(options.db, options.shop, page);
    await reconcileChunk(options, ctx, stats, chunk, summary);
    await options.onProgress?.(summary.customers);
  }
  await sendToShopify(options, ctx, summary);
  return { ...summary, stats };
}

/**
 * Computes Q as of `now` over all customers and stores it: from their order summaries (one row per repeat buyer),
 * made to hold as of `now` first.
 */
export async function refreshShopStats(db: Db, ctx: ShopContext, now: Date): Promise<ShopStats> {
  await refreshOrderSummaries(db, ctx.domain, ctx.settings, now);
  const accumulator = new ShopStatsAccumulator(ctx.settings, now.getTime());
  for await (const page of orderGapPages(db, ctx.domain, GAP_PAGE_SIZE)) {
    for (const gapsMs of page) accumulator.addGapsMs(gapsMs);
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
): Promise<void> {
  const { now } = options;
  const nowMs = now.getTime();
  const rows: ReconciledCustomer[] = [];
  const changes: StageChangeEvent[] = [];
  const counts = new StageCountDeltas();
  const retire =
    options.retiredPrefix && options.retiredPrefix !== ctx.settings.tagPrefix
      ? retiredAppTags(options.retiredPrefix)
      : [];

  for (const customer of customers) {
    const result = classifyTimes(
      qualifyingOrderTimes(customer.orders, nowMs),
      customer.emailMarketingState,
      stats,
      ctx.settings,
      nowMs,
    );
    const netSpentMinor = netSpent(customer, nowMs);
    const moved = customer.stage !== result.stage || (customer.winbackTier ?? null) !== result.winbackTier;
    if (moved) {
      changes.push({
        customerGid: customer.gid,
        fromStage: customer.stage,
        toStage: result.stage,
        winbackTier: result.winbackTier,
        daysSinceLastOrder: result.daysSinceLastOrder,
      });
    }
    const classified = classificationChanged(customer, result, netSpentMinor);
    const desired = desiredAppTagsOf(customer, result, ctx, retire);
    const orderSummary = storedOrderSummary(summarizeOrders(customer.orders, ctx.settings, nowMs), now);
    const summaryHolds =
      summaryHoldsAt(customer.summary, now, regularRuleOf(ctx.settings)) &&
      sameOrderSummary(customer.summary, orderSummary);
    if (!classified && desired === customer.desiredAppTags && summaryHolds) continue;
    if (desired !== customer.desiredAppTags) summary.tagsPlanned++;
    if (customer.stage !== result.stage) {
      if (customer.stage) counts.add(customer.stage, -1, -customer.netSpentMinor);
      counts.add(result.stage, 1, netSpentMinor);
    } else if (netSpentMinor !== customer.netSpentMinor) {
      counts.add(result.stage, 0, netSpentMinor - customer.netSpentMinor);
    }
    rows.push(
      reconciledRow(
        customer,
        result,
        { netSpentMinor, classified, desired, now },
        summaryHolds ? customer.summary : orderSummary,
      ),
    );
  }

  const notifyFlow = options.notifyFlow ?? true;
  await writeReconciledChunk(options.db, options.shop, {
    customers: rows,
    changes,
    counts: counts.list(),
    at: now,
    cause: options.cause,
    flowStatus: notifyFlow && ctx.flowEnabled ? "pending" : "skipped",
    shopifyWorkDue:
      rows.some((r) => r.desiredAppTags !== null && r.tagWriteDueAt === now) ||
      (changes.length > 0 && notifyFlow && ctx.flowEnabled),
  });
  summary.customers += customers.length;
  summary.stageChanges += changes.length;
}

/** The customer's row as reconcile leaves it: the classification, when it changed, the newest tag plan, the summary. */
function reconciledRow(
  customer: StoredCustomer,
  result: Classification,
  decided: { netSpentMinor: bigint; classified: boolean; desired: string | null; now: Date },
  summary: StoredOrderSummary,
): ReconciledCustomer {
  const { netSpentMinor, classified, desired, now } = decided;
  return {
    id: customer.id,
    stage: result.stage,
    winbackTier: result.winbackTier,
    nextTransitionAt: result.nextTransitionAt == null ? null : new Date(result.nextTransitionAt),
    explanation: JSON.stringify(result.explanation),
    lapseThresholdDays: result.lapseThresholdDays,
    usesShopThreshold: result.usesShopThreshold,
    qualifyingOrders: result.qualifyingOrderCount,
    lastOrderAt: result.lastOrderAt == null ? null : new Date(result.lastOrderAt),
    netSpentMinor,
    classifiedAt: classified ? now : customer.classifiedAt,
    stageSince: customer.stage !== result.stage ? now : customer.stageSince,
    summary,
    ...(desired === customer.desiredAppTags
      ? {
          desiredAppTags: customer.desiredAppTags,
          tagWriteDueAt: customer.tagWriteDueAt,
          tagWriteAttempts: customer.tagWriteAttempts,
        }
      : { desiredAppTags: desired, tagWriteDueAt: desired === null ? null : now, tagWriteAttempts: 0 }),
  };
}

/**
 * The tag plan to store: the newest desired app tags when Shopify's known tags differ from them, or when an older
 * plan is still pending (the write step then finds nothing to do and clears it: only that step clears plans, so a
 * write in flight is never forgotten); null when nothing is to be written.
 */
function desiredAppTagsOf(
  customer: StoredCustomer,
  result: Classification,
  ctx: ShopContext,
  retire: readonly string[],
): string | null {
  const pending = customer.desiredAppTags === null ? null : decodeDesiredAppTags(customer.desiredAppTags);
  const desired: DesiredAppTags = {
    tags: appTagsFor(result, ctx.settings.tagPrefix, { highValue: ctx.highValueTag && customer.highValue }),
    prefix: ctx.settings.tagPrefix,
    // A retired prefix's tags still to be removed stay in the plan until it is written.
    retire: [...new Set([...retire, ...(pending?.retire ?? [])])].sort(),
  };
  if (pending === null && isEmptyPlan(planDesiredAppTags(customer.tags, desired))) return null;
  return encodeDesiredAppTags(desired);
}

/** With a writer (a job), the planned tags go out now, then Flow hears of the changes, from the pending rows. */
async function sendToShopify(options: ReconcileOptions, ctx: ShopContext, summary: ReconcileSummary): Promise<void> {
  if (!options.shopify) return;
  const written = await options.shopify.writePlannedTags(options.now);
  summary.tagEdits += written.written;
  summary.tagErrors += written.failed;
  if ((options.notifyFlow ?? true) && ctx.flowEnabled && summary.stageChanges > 0)
    await options.shopify.sendPendingStageChanges();
}

/** Every tag the app could have written under a prefix (stage tags, win-back tiers, high-value), lower-cased. */
function retiredAppTags(prefix: string): string[] {
  return [
    ...STAGES.map((stage) => `${prefix}${stage}`),
    ...[90, 180, 360].map((tier) => `${prefix}winback-${tier}`),
    `${prefix}${HIGH_VALUE_TAG}`,
  ].map((t) => t.toLowerCase());
}

function netSpent(customer: StoredCustomer, nowMs: number): bigint {
  let sum = 0n;
  for (const order of customer.orders)
    if (isQualifyingOrder(order, nowMs)) sum += BigInt(order.totalMinor - order.refundedMinor);
  return sum;
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

/** The stage counts' changes of a chunk, summed per stage, so the chunk bumps each stage once. */
class StageCountDeltas {
  private readonly byStage = new Map<string, StageCountDelta>();

  add(stage: string, customers: number, netSpentMinor: bigint): void {
    const delta = this.byStage.get(stage) ?? { stage, customers: 0, netSpentMinor: 0n };
    delta.customers += customers;
    delta.netSpentMinor += netSpentMinor;
    this.byStage.set(stage, delta);
  }

  list(): StageCountDelta[] {
    return [...this.byStage.values()];
  }
}

/** Rebuilds the per-stage counts the board reads from the customers themselves (after full passes). */
export async function recountStages(db: Db, shop: string): Promise<void> {
  const totals = await stageTotalsOfCustomers(db, shop);
  await db.$transaction([
    db.stageCount.deleteMany({ where: { shop } }),
    db.stageCount.createMany({ data: totals.map((t) => ({ shop, ...t })) }),
  ]);
}
