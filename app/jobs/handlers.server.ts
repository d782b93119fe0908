import type { AdminClient } from "../shopify/admin-client.server";
import { applyPendingDeliveries, markApplied } from "../ingest/inbox.server";
import { reconcileCustomers, reconcileShop } from "../sync/reconcile.server";
import { shopifyWriter } from "../sync/shopify-writer.server";
import { runBackfill } from "../sync/backfill.server";
import { runDailyEvaluation } from "../sync/daily.server";
import { ensureStageSegments } from "../shopify/segments.server";
import { loadShopContext } from "../models/shop.server";
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
      const client = deps.clientFor(shop);
      const summary = await runDailyEvaluation(ctx.db, shop, ctx.now(), shopifyWriter(ctx.db, shop, client));
      deps.log?.(`${shop}: daily evaluation ${JSON.stringify(summary)}`);
    },
    reclassify: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const client = deps.clientFor(shop);
      const retiredPrefix = typeof job.data.retiredPrefix === "string" ? job.data.retiredPrefix : undefined;
      await reconcileShop({ db: ctx.db, shop, now: ctx.now(), cause: "settings", shopify: shopifyWriter(ctx.db, shop, client), retiredPrefix });
      if (retiredPrefix !== undefined) await ensureSegments(ctx, shop, client);
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

/** One inbox pass: apply deliveries, re-classify the customers they touched, then mark them processed. */
export function inboxProcessor(deps: HandlerDeps) {
  return async (ctx: WorkerContext): Promise<number> => {
    const now = ctx.now();
    const batch = await applyPendingDeliveries({
      db: ctx.db,
      now,
      clientFor: deps.clientFor,
      onShopEvent: (shop, topic, payload) => handleShopEvent(ctx.db, shop, topic, payload, now),
    });
    for (const [shop, byCause] of batch.affected) {
      const client = deps.clientFor(shop);
      for (const [cause, gids] of byCause) {
        await reconcileCustomers({ db: ctx.db, shop, now, cause, shopify: shopifyWriter(ctx.db, shop, client) }, [...gids]);
      }
    }
    await markApplied(ctx.db, batch.appliedIds, now);
    return batch.processed + batch.failed;
  };
}
