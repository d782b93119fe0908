import prisma, { type Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { enqueueJob } from "../queue/queue.server";
import { runDailyEvaluation, type DailySummary } from "./daily.server";
import { shopifyWriter } from "./shopify-writer.server";

/** The UTC day a daily job is for (its key and its "already done" check). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Queues today's evaluation for every installed shop, and the refresh of its imported campaigns. The key names the
 * day, so a second scheduler (or a second cron tick) queues nothing new. Returns how many evaluations it queued.
 */
export async function scheduleDailyEvaluations(now: Date, db: Db = prisma): Promise<number> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true } });
  const day = utcDay(now);
  let queued = 0;
  for (const { domain } of shops) {
    if (await enqueueJob(db, "daily", { day }, { shop: domain, singletonKey: `daily:${domain}:${day}` })) queued++;
    await enqueueJob(db, "campaigns", { day }, { shop: domain, singletonKey: `campaigns:${domain}:${day}` });
  }
  return queued;
}

/**
 * The daily job of one shop: the evaluation, once per day however many schedulers queued it (a retried or repeated
 * job finds the day done). Its after-pass reads Shopify's analytics too, so the board never waits for them.
 */
export async function runDailyOnce(options: {
  db: Db;
  shop: string;
  day: string | null;
  client: AdminClient;
  now: Date;
  log?: (message: string) => void;
}): Promise<DailySummary | null> {
  const { db, shop, day, client, now, log } = options;
  const last = (await db.shop.findUnique({ where: { domain: shop }, select: { lastDailyRunAt: true } }))
    ?.lastDailyRunAt;
  if (day && last && utcDay(last) >= day) {
    log?.(`${shop}: daily evaluation for ${day} already done`);
    return null;
  }
  const summary = await runDailyEvaluation(db, shop, now, shopifyWriter(db, shop, client), { analytics: client, log });
  log?.(`${shop}: daily evaluation ${JSON.stringify(summary)}`);
  return summary;
}
