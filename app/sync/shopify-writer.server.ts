import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { writeTagEdits, type TagWriterOptions } from "../shopify/tags.server";
import { FLOW_TRIGGERS_PER_REQUEST, sendStageChangedBatch } from "../shopify/flow.server";
import type { ShopifyWriter } from "./reconcile.server";
import { fullHistoryGranted, heldTagWrites, skipPendingStageChanges } from "./access.server";

/**
 * Reconcile's view of Shopify. Flow triggers are sent from the StageChange rows marked pending (not from memory),
 * so a crash between the database commit and the call only delays them. Without read_all_orders nothing is
 * written (app/sync/access.server.ts): tags are held with the reason, stage changes never reach Flow.
 */
export function shopifyWriter(db: Db, shop: string, client: AdminClient, tagOptions: TagWriterOptions = {}): ShopifyWriter {
  let granted: Promise<boolean> | undefined;
  const mayWrite = () => (granted ??= fullHistoryGranted(db, shop, client));
  return {
    writeTags: async (edits, currentTags) => ((await mayWrite()) ? writeTagEdits(client, edits, currentTags, tagOptions) : heldTagWrites(edits)),
    sendPendingStageChanges: async () => {
      if (await mayWrite()) await sendPendingFlowTriggers(db, shop, client);
      else await skipPendingStageChanges(db, shop);
    },
  };
}

export async function sendPendingFlowTriggers(db: Db, shop: string, client: AdminClient): Promise<number> {
  let sent = 0;
  let afterId = 0;
  for (;;) {
    const pending = await db.stageChange.findMany({
      where: { shop, flowStatus: "pending", id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: FLOW_TRIGGERS_PER_REQUEST,
    });
    if (pending.length === 0) return sent;
    afterId = pending[pending.length - 1].id;
    const customers = await db.customer.findMany({
      where: { shop, gid: { in: pending.map((p) => p.customerGid) } },
      select: { gid: true, lastOrderAt: true },
    });
    const lastOrderAt = new Map(customers.map((c) => [c.gid, c.lastOrderAt]));
    const results = await sendStageChangedBatch(
      client,
      pending.map((change) => {
        const last = lastOrderAt.get(change.customerGid);
        return {
          customerGid: change.customerGid,
          fromStage: change.fromStage,
          toStage: change.toStage,
          winbackTier: change.winbackTier,
          daysSinceLastOrder: last ? (change.at.getTime() - last.getTime()) / 86_400_000 : null,
        };
      }),
    );
    const sentIds = pending.filter((_, i) => results[i] === null).map((p) => p.id);
    const failed = pending.filter((_, i) => results[i] !== null);
    await db.stageChange.updateMany({ where: { id: { in: sentIds } }, data: { flowStatus: "sent" } });
    for (const change of failed) {
      await db.stageChange.update({ where: { id: change.id }, data: { flowStatus: "failed" } });
      console.error(`[flow] ${shop} ${change.customerGid}: ${results[pending.indexOf(change)]}`);
    }
    sent += sentIds.length;
  }
}
