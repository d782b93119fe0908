import type { AdminClient } from "../shopify/admin-client.server";
import { processInbox } from "../sync/inbox.server";
import { reconcileShop } from "../sync/reconcile.server";
import { shopifyWriter } from "../sync/shopify-writer.server";
import { runBackfill } from "../sync/backfill.server";
import { runDailyEvaluation } from "../sync/daily.server";
import { ensureStageSegments } from "../shopify/segments.server";
import { loadShopContext } from "../models/shop.server";
import { refreshShopCampaigns } from "../campaigns/refresh.server";
import { afterFullPass } from "../sync/after-pass.server";
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

/** The inbox as a runner calls it: one pass of processInbox (app/sync/inbox.server.ts) for all shops or one. */
export function inboxProcessor(deps: HandlerDeps) {
  return (ctx: WorkerContext, shop?: string): Promise<number> =>
    processInbox({ db: ctx.db, now: ctx.now, clientFor: deps.clientFor, log: deps.log }, { shop });
}
