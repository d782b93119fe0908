import prisma from "../db.server";
import { ensureShop } from "../models/shop.server";
import { requestBackfill } from "./backfill.server";
import { wakeWorker } from "../jobs/worker.server";

/** After token exchange: the shop exists, and its first import is queued unless one already finished. */
export async function onShopInstalled(shop: string): Promise<void> {
  await ensureShop(prisma, shop);
  const done = await prisma.syncRun.count({ where: { shop, kind: "backfill", phase: "done" } });
  if (done === 0) {
    await requestBackfill(shop);
    wakeWorker();
  }
}
