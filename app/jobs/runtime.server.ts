/**
 * What an executor thread runs by default (executor-thread.ts loads this module): the app's job handlers and inbox
 * with the offline sessions' Admin clients. Kept apart from handlers.server.ts so that importing the handlers (tests
 * do, with clients of their own) does not load shopify.server and its configuration.
 */
import prisma, { type Db } from "../db.server";
import { unauthenticated } from "../shopify.server";
import { adminClientFor } from "../shopify/clients.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { jobRuntime, type HandlerDeps } from "./handlers.server";
import type { JobRuntime } from "../queue/kinds";
import { messageLog } from "../logger.server";

/** The offline session's Admin client; shopify-app-remix refreshes an expiring token before it lapses. */
export function clientForShop(shop: string): AdminClient {
  return adminClientFor(shop, async (domain) => {
    const { session } = await unauthenticated.admin(domain);
    if (!session.accessToken) throw new Error(`No offline access token for ${domain}`);
    return session.accessToken;
  });
}

export function productionDeps(): HandlerDeps {
  return { clientFor: clientForShop, log: messageLog("jobs") };
}

/**
 * Readies a thread's database client before the thread takes tasks, so a task's deadline measures the task, not
 * the client's first connection and query planning (seconds on a loaded machine).
 */
export async function warmUp(db: Db = prisma): Promise<void> {
  await db.job.count({ where: { id: -1 } });
}

export async function createJobRuntime(): Promise<JobRuntime> {
  await warmUp();
  return jobRuntime(productionDeps());
}
