import { Cron } from "croner";
import prisma from "../db.server";
import { databaseUrl, isPostgresUrl } from "../db.url";
import { unauthenticated } from "../shopify.server";
import { adminClientFor } from "../shopify/clients.server";
import { enqueueJob } from "./queue.server";
import { inboxProcessor, jobHandlers, type HandlerDeps } from "./handlers.server";
import { startWorker, type Worker } from "./worker.server";

declare global {
  var lifecycleWorker: { worker: Worker; cron?: Cron; ready: Promise<void> } | undefined;
}

export function clientForShop(shop: string) {
  return adminClientFor(shop, async (domain) => {
    // shopify-app-remix loads the offline session and refreshes an expiring token before it lapses.
    const { session } = await unauthenticated.admin(domain);
    if (!session.accessToken) throw new Error(`No offline access token for ${domain}`);
    return session.accessToken;
  });
}

/**
 * Enqueues today's evaluation for every installed shop. The key names the day, so a second scheduler (or a
 * second cron tick) queues nothing new, and the daily handler skips a shop already evaluated that day.
 */
export async function scheduleDailyEvaluations(now: Date, db = prisma): Promise<number> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true } });
  const day = now.toISOString().slice(0, 10);
  let queued = 0;
  for (const { domain } of shops) {
    if (await enqueueJob(db, "daily", { day }, { shop: domain, singletonKey: `daily:${domain}:${day}` })) queued++;
    // The board's imported campaigns (marketing activities, discounts) are refreshed with the same schedule.
    await enqueueJob(db, "campaigns", { day }, { shop: domain, singletonKey: `campaigns:${domain}:${day}` });
  }
  return queued;
}

/**
 * Starts this process's job runner, chosen by DATABASE_URL: on SQLite the in-process worker with a cron (one
 * file, one machine); on PostgreSQL a pg-boss worker, any number of which can run side by side.
 * LIFECYCLE_WORKER=off keeps web processes out of it (run `npm run worker` separately).
 */
export function ensureBackgroundWorker(deps: HandlerDeps = defaultDeps()): void {
  if (process.env.LIFECYCLE_WORKER === "off" || globalThis.lifecycleWorker) return;
  const url = databaseUrl();
  if (isPostgresUrl(url)) {
    globalThis.lifecycleWorker = startPostgresWorker(url, deps);
    return;
  }
  const worker = startWorker({ db: prisma, handlers: jobHandlers(deps), processInbox: inboxProcessor(deps) });
  const cron = new Cron(process.env.DAILY_CRON ?? "0 3 * * *", { timezone: "UTC" }, () => {
    void scheduleDailyEvaluations(new Date());
  });
  globalThis.lifecycleWorker = { worker, cron, ready: Promise.resolve() };
}

function defaultDeps(): HandlerDeps {
  return { clientFor: clientForShop, log: (message: string) => console.log(`[jobs] ${message}`) };
}

/** pg-boss starts asynchronously; the Worker handle waits for it, and a failed start is reported, not swallowed. */
function startPostgresWorker(url: string, deps: HandlerDeps): { worker: Worker; ready: Promise<void> } {
  const started = import("./pgboss.server").then(({ startPgBossWorker }) =>
    startPgBossWorker({
      db: prisma,
      url,
      handlers: jobHandlers(deps),
      processShopInbox: inboxProcessor(deps),
      scheduleDaily: (now) => scheduleDailyEvaluations(now),
      dailyCron: process.env.DAILY_CRON,
      concurrency: process.env.LIFECYCLE_WORKER_CONCURRENCY ? Number(process.env.LIFECYCLE_WORKER_CONCURRENCY) : undefined,
      log: deps.log,
    }),
  );
  started.catch((error: unknown) => {
    console.error(`[jobs] the pg-boss worker did not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  });
  return {
    worker: { stop: async () => (await started).stop(), drain: async () => (await started).drain() },
    ready: started.then(() => undefined),
  };
}
