import type { AdminClient } from "../shopify/admin-client.server";
import { applyDelivery, applyPendingDeliveries, markApplied, type InboxBatchResult, type InboxDeps } from "../ingest/inbox.server";
import { markDeliveryFailed, MAX_DELIVERY_ATTEMPTS } from "../models/inbox.server";
import type { ChangeCause } from "../sync/reconcile.server";
import { reconcileCustomers, reconcileShop } from "../sync/reconcile.server";
import { shopifyWriter } from "../sync/shopify-writer.server";
import { runBackfill } from "../sync/backfill.server";
import { runDailyEvaluation } from "../sync/daily.server";
import { ensureStageSegments } from "../shopify/segments.server";
import { loadShopContext } from "../models/shop.server";
import { refreshShopCampaigns } from "../campaigns/refresh.server";
import { afterFullPass } from "../sync/after-pass.server";
import { handleShopEvent } from "../sync/shop-events.server";
import type { JobHandler, WorkerContext } from "./worker.server";
import type { JobName } from "./queue.server";

export interface HandlerDeps {
  clientFor: (shop: string) => AdminClient;
  log?: (message: string) => void;
}

function requireShop(shop: string | null): string {
  if (!shop) throw new Error("This job needs a shop");
  return shop;
}

/** The jobs the worker runs, each a thin call into a service; the same table serves any job engine. */
export function jobHandlers(deps: HandlerDeps): Record<JobName, JobHandler> {
  return {
    backfill: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const client = deps.clientFor(shop);
      await runBackfill({ db: ctx.db, shop, client, writer: shopifyWriter(ctx.db, shop, client), now: ctx.now, log: deps.log });
    },
    daily: async (ctx, job) => {
      const shop = requireShop(job.shop);
      // However many schedulers queued it, a shop is evaluated once per day (its jobs never run concurrently).
      const day = typeof job.data.day === "string" ? job.data.day : null;
      const last = (await ctx.db.shop.findUnique({ where: { domain: shop }, select: { lastDailyRunAt: true } }))?.lastDailyRunAt;
      if (day && last && last.toISOString().slice(0, 10) >= day) {
        deps.log?.(`${shop}: daily evaluation for ${day} already done`);
        return;
      }
      const client = deps.clientFor(shop);
      const summary = await runDailyEvaluation(ctx.db, shop, ctx.now(), shopifyWriter(ctx.db, shop, client), { analytics: client, log: deps.log });
      deps.log?.(`${shop}: daily evaluation ${JSON.stringify(summary)}`);
    },
    reclassify: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const client = deps.clientFor(shop);
      const retiredPrefix = typeof job.data.retiredPrefix === "string" ? job.data.retiredPrefix : undefined;
      const writer = shopifyWriter(ctx.db, shop, client);
      await reconcileShop({ db: ctx.db, shop, now: ctx.now(), cause: "settings", shopify: writer, retiredPrefix });
      if (retiredPrefix !== undefined) await ensureSegments(ctx, shop, client);
      await afterFullPass({ db: ctx.db, shop, now: ctx.now(), cause: "settings", writer, analytics: client, log: deps.log });
    },
    campaigns: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const summary = await refreshShopCampaigns(ctx.db, shop, deps.clientFor(shop), ctx.now());
      deps.log?.(`${shop}: campaigns refreshed ${JSON.stringify(summary)}`);
    },
    segments: async (ctx, job) => {
      const shop = requireShop(job.shop);
      await ensureSegments(ctx, shop, deps.clientFor(shop));
    },
  };
}

async function ensureSegments(ctx: WorkerContext, shop: string, client: AdminClient): Promise<void> {
  const { settings } = await loadShopContext(ctx.db, shop);
  for (const segment of await ensureStageSegments(client, settings.tagPrefix)) {
    await ctx.db.shopSegment.upsert({
      where: { shop_stage: { shop, stage: segment.stage } },
      create: { shop, stage: segment.stage, segmentGid: segment.id, name: segment.name, query: segment.query },
      update: { segmentGid: segment.id, name: segment.name, query: segment.query },
    });
  }
  await ctx.db.shop.update({ where: { domain: shop }, data: { segmentsPrefix: settings.tagPrefix } });
}

/**
 * One inbox pass: apply deliveries (of every shop, or of one shop when the pg-boss runner serializes shops),
 * re-classify the customers they touched, then mark them processed.
 */
export function inboxProcessor(deps: HandlerDeps) {
  return async (ctx: WorkerContext, shop?: string): Promise<number> => {
    const now = ctx.now();
    const inbox: InboxDeps = {
      db: ctx.db,
      now,
      clientFor: deps.clientFor,
      onShopEvent: (eventShop, topic, payload) => handleShopEvent(ctx.db, eventShop, topic, payload, now),
    };
    const batch = shop === undefined ? await applyPendingDeliveries(inbox) : await applyShopDeliveries(inbox, shop);
    for (const [shop, byCause] of batch.affected) {
      const client = deps.clientFor(shop);
      for (const [cause, gids] of byCause) {
        await reconcileCustomers({ db: ctx.db, shop, now, cause, shopify: shopifyWriter(ctx.db, shop, client) }, [...gids]);
      }
    }
    await markApplied(ctx.db, batch.appliedIds, now);
    // An applied payload is not needed again and carries personal data (names, emails, addresses): the row stays,
    // its event id still makes a redelivery a no-op, the content goes.
    await ctx.db.webhookDelivery.updateMany({ where: { id: { in: batch.appliedIds } }, data: { payload: "" } });
    return batch.processed + batch.failed;
  };
}

/** applyPendingDeliveries restricted to one shop. */
async function applyShopDeliveries(deps: InboxDeps, shop: string, limit = 200): Promise<InboxBatchResult> {
  const deliveries = await deps.db.webhookDelivery.findMany({
    where: { shop, processedAt: null, attempts: { lt: MAX_DELIVERY_ATTEMPTS } },
    orderBy: { id: "asc" },
    take: limit,
  });
  const result: InboxBatchResult = { processed: 0, failed: 0, appliedIds: [], affected: new Map() };
  for (const delivery of deliveries) {
    try {
      const affected = await applyDelivery(deps, shop, delivery.topic, delivery.payload);
      if (affected && affected.gids.length > 0) {
        const byCause = result.affected.get(shop) ?? new Map<ChangeCause, Set<string>>();
        const gids = byCause.get(affected.cause) ?? new Set<string>();
        affected.gids.forEach((gid) => gids.add(gid));
        byCause.set(affected.cause, gids);
        result.affected.set(shop, byCause);
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
