import { Cron } from "croner";
import prisma from "../db.server";
import { unauthenticated } from "../shopify.server";
import { adminClientFor } from "../shopify/clients.server";
import { enqueueJob } from "./queue.server";
import { inboxProcessor, jobHandlers } from "./handlers.server";
import { startWorker, type Worker } from "./worker.server";

declare global {
  // eslint-disable-next-line no-var
  var lifecycleWorker: { worker: Worker; cron: Cron } | undefined;
}

export function clientForShop(shop: string) {
  return adminClientFor(shop, async (domain) => {
    // shopify-app-remix loads the offline session and refreshes an expiring token before it lapses.
    const { session } = await unauthenticated.admin(domain);
    if (!session.accessToken) throw new Error(`No offline access token for ${domain}`);
    return session.accessToken;
  });
}

/** Enqueues today's evaluation for every installed shop; the singleton key makes a second scheduler harmless. */
export async function scheduleDailyEvaluations(now: Date): Promise<number> {
  const shops = await prisma.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true } });
  const day = now.toISOString().slice(0, 10);
  let queued = 0;
  for (const { domain } of shops) {
    if (await enqueueJob(prisma, "daily", {}, { shop: domain, singletonKey: `daily:${domain}:${day}` })) queued++;
  }
  return queued;
}

/**
 * The embedded default runs the worker and the daily schedule inside the web process (one SQLite file, one
 * machine). LIFECYCLE_WORKER=off leaves them to a separate process.
 */
export function ensureBackgroundWorker(): void {
  if (process.env.LIFECYCLE_WORKER === "off" || globalThis.lifecycleWorker) return;
  const deps = { clientFor: clientForShop, log: (message: string) => console.log(`[jobs] ${message}`) };
  const worker = startWorker({ db: prisma, handlers: jobHandlers(deps), processInbox: inboxProcessor(deps) });
  const cron = new Cron(process.env.DAILY_CRON ?? "0 3 * * *", { timezone: "UTC" }, () => {
    void scheduleDailyEvaluations(new Date());
  });
  globalThis.lifecycleWorker = { worker, cron };
}
