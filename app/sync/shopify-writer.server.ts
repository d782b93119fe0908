import type { Db } from "../db.server";
import type { AdminClient } from "../shopify/admin-client.server";
import { writeTagEdits, type TagWriterOptions } from "../shopify/tags.server";
import { sendStageChanged } from "../shopify/flow.server";
import type { ShopifyWriter } from "./reconcile.server";

/**
 * Reconcile's view of Shopify. Flow triggers are sent from the StageChange rows marked pending (not from memory),
 * so a crash between the database commit and the call only delays them.
 */
export function shopifyWriter(db: Db, shop: string, client: AdminClient, tagOptions: TagWriterOptions = {}): ShopifyWriter {
  return {
    writeTags: (edits, currentTags) => writeTagEdits(client, edits, currentTags, tagOptions),
    sendPendingStageChanges: async () => {
      await sendPendingFlowTriggers(db, shop, client);
    },
  };
}

export async function sendPendingFlowTriggers(db: Db, shop: string, client: AdminClient): Promise<number> {
  let sent = 0;
  for (;;) {
    const pending = await db.stageChange.findMany({ where: { shop, flowStatus: "pending" }, orderBy: { id: "asc" }, take: 100 });
    if (pending.length === 0) return sent;
    for (const change of pending) {
      const customer = await db.customer.findUnique({ where: { shop_gid: { shop, gid: change.customerGid } }, select: { lastOrderAt: true } });
      try {
        await sendStageChanged(client, {
          customerGid: change.customerGid,
          fromStage: change.fromStage,
          toStage: change.toStage,
          winbackTier: change.winbackTier,
          daysSinceLastOrder: customer?.lastOrderAt ? (change.at.getTime() - customer.lastOrderAt.getTime()) / 86_400_000 : null,
        });
        await db.stageChange.update({ where: { id: change.id }, data: { flowStatus: "sent" } });
        sent++;
      } catch (error) {
        await db.stageChange.update({ where: { id: change.id }, data: { flowStatus: "failed" } });
        console.error(`[flow] ${shop} ${change.customerGid}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
