/**
 * New orders' journeys: a webhook's order payload does not carry Shopify's journey summary, and Shopify attributes an
 * order a little after it is placed (`ready` false until then). orders/create leaves the order pending
 * (app/models/journey.server.ts awaitJourney); each campaigns refresh reads the due ones in batches of JOURNEY_BATCH
 * and reads again later those still not ready, at most MAX_JOURNEY_ATTEMPTS times.
 */
import type { Db } from "../db.server";
import { OrderJourneysQuery, type OrderJourneyNode, type OrderJourneysQueryData } from "../graphql/OrderJourneysQuery";
import { journeyFromGraphql } from "../ingest/journey";
import { forgetJourneys, JOURNEY_BATCH, journeyNotReady, journeysDue, storeJourneys } from "../models/journey.server";
import type { GraphqlRequester } from "../shopify/requester.server";

export interface JourneyReadSummary {
  read: number;
  notReady: number;
  gone: number;
}

function isOrderNode(node: unknown): node is OrderJourneyNode {
  return node != null && typeof (node as { id?: unknown }).id === "string";
}

export async function readDueJourneys(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  now: Date,
): Promise<JourneyReadSummary> {
  const due = await journeysDue(db, shop, now);
  const summary: JourneyReadSummary = { read: 0, notReady: 0, gone: 0 };
  for (let i = 0; i < due.length; i += JOURNEY_BATCH) {
    const batch = due.slice(i, i + JOURNEY_BATCH);
    const { data } = await client.request<OrderJourneysQueryData>(OrderJourneysQuery, {
      ids: batch.map((d) => d.orderGid),
    });
    const nodes = new Map(data.nodes.filter(isOrderNode).map((node) => [node.id, node]));
    const ready = [];
    const gone = [];
    for (const { orderGid, attempts } of batch) {
      const node = nodes.get(orderGid);
      if (!node) {
        gone.push(orderGid);
        continue;
      }
      const journey = journeyFromGraphql(node);
      if (journey.state === "ready") ready.push(journey);
      else {
        await journeyNotReady(db, shop, orderGid, attempts, now);
        summary.notReady++;
      }
    }
    await storeJourneys(db, shop, ready, now);
    await forgetJourneys(db, shop, gone);
    summary.read += ready.length;
    summary.gone += gone.length;
  }
  return summary;
}

/** When the next pending journey is due, for the job that reads it (null: none pending). */
export async function nextJourneyDue(db: Db, shop: string): Promise<Date | null> {
  const next = await db.orderJourney.findFirst({
    where: { shop, state: "pending" },
    orderBy: { nextAttemptAt: "asc" },
    select: { nextAttemptAt: true },
  });
  return next?.nextAttemptAt ?? null;
}
