import prisma, { type Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { DEFAULT_INBOX_BATCH, processInbox } from "../sync/inbox.server";
import { boundedInteger } from "./runner.server";
import { shopifyWriter } from "../sync/shopify-writer.server";
import { runBackfill } from "../sync/backfill.server";
import { runDailyOnce } from "../sync/daily-schedule.server";
import { reclassifyShop } from "../sync/reclassify.server";
import { syncStageSegments } from "../sync/segments.server";
import { refreshShopCampaigns } from "../campaigns/refresh.server";
import type { JobHandler, JobName, JobRuntime, JobTask, WorkerContext } from "../queue/kinds";

export interface HandlerDeps {
  clientFor: (shop: string) => AdminClient;
  log?: (message: string) => void;
}

function requireShop(shop: string | null): string {
  if (!shop) throw new Error("This job needs a shop");
  return shop;
}

/** The jobs, each a call into a service; the same table serves both runners. Names and payloads are the queue's contract. */
export function jobHandlers(deps: HandlerDeps): Record<JobName, JobHandler> {
  return {
    backfill: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const client = deps.clientFor(shop);
      await runBackfill({
        db: ctx.db,
        shop,
        client,
        writer: shopifyWriter(ctx.db, shop, client),
        now: ctx.now,
        log: deps.log,
      });
    },
    daily: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const day = typeof job.data.day === "string" ? job.data.day : null;
      await runDailyOnce({ db: ctx.db, shop, day, client: deps.clientFor(shop), now: ctx.now(), log: deps.log });
    },
    reclassify: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const retiredPrefix = typeof job.data.retiredPrefix === "string" ? job.data.retiredPrefix : undefined;
      await reclassifyShop({
        db: ctx.db,
        shop,
        client: deps.clientFor(shop),
        now: ctx.now(),
        retiredPrefix,
        log: deps.log,
      });
    },
    campaigns: async (ctx, job) => {
      const shop = requireShop(job.shop);
      const summary = await refreshShopCampaigns(ctx.db, shop, deps.clientFor(shop), ctx.now());
      deps.log?.(`${shop}: campaigns refreshed ${JSON.stringify(summary)}`);
    },
    segments: async (ctx, job) => {
      const shop = requireShop(job.shop);
      await syncStageSegments(ctx.db, shop, deps.clientFor(shop));
    },
  };
}

/** The inbox as a runner calls it: one pass of processInbox (app/sync/inbox.server.ts) for all shops or one. */
export function inboxProcessor(deps: HandlerDeps, env: NodeJS.ProcessEnv = process.env) {
  // Deliveries per set-based batch (LIFECYCLE_INBOX_BATCH): smaller batches commit sooner, larger ones apply faster.
  const limit = boundedInteger(env, "LIFECYCLE_INBOX_BATCH", DEFAULT_INBOX_BATCH, 1, 10_000);
  return (ctx: WorkerContext, shop?: string): Promise<number> =>
    processInbox({ db: ctx.db, now: ctx.now, clientFor: deps.clientFor, log: deps.log }, { shop, limit });
}

/** An inbox task applies batches for up to this long, then gives its lane back (more work is picked up next pass). */
const INBOX_SLICE_MS = 5000;

/** A runtime from handlers and an inbox pass: what an executor thread runs (tests build theirs from the same parts). */
export function jobRuntime(
  deps: HandlerDeps,
  db: Db = prisma,
  handlers: Record<JobName, JobHandler> = jobHandlers(deps),
): JobRuntime {
  const ctx: WorkerContext = { db, now: () => new Date() };
  const processInbox = inboxProcessor(deps);
  return {
    async run(task: JobTask) {
      if (task.kind === "inbox") {
        const until = Date.now() + INBOX_SLICE_MS;
        let handled = 0;
        for (;;) {
          const batch = await processInbox(ctx, task.shop ?? undefined);
          handled += batch;
          if (batch === 0 || Date.now() >= until) return handled;
        }
      }
      const handler = handlers[task.kind];
      if (!handler) throw new Error(`No handler for job "${task.kind}"`);
      if (task.shop && (await isUninstalled(db, task.shop))) {
        // app/uninstalled retires a shop's queued work; its inbox still runs (shop/redact arrives after it).
        deps.log?.(`${task.kind} job for ${task.shop} dropped: the app is not installed there`);
        return 0;
      }
      await handler(ctx, { shop: task.shop, data: task.data });
      return 0;
    },
  };
}

async function isUninstalled(db: Db, shop: string): Promise<boolean> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  return row?.uninstalledAt != null;
}
