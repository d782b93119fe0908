import type { Db } from "../db.server";

/**
 * customers/data_request exports (stored by app/sync/shop-events.server.ts): what the merchant downloads and hands
 * over from Settings → Privacy. Every read and write is scoped by shop: an id alone never reaches another shop's row.
 */
export interface DataRequestSummary {
  id: number;
  customerGid: string;
  requestId: string | null;
  createdAt: Date;
  handedOverAt: Date | null;
}

const SUMMARY = { id: true, customerGid: true, requestId: true, createdAt: true, handedOverAt: true } as const;

/** Pending requests, oldest first, `limit` from after the id `after` (keyset), plus whether more follow. */
export async function pendingDataRequests(db: Db, shop: string, options: { after: number | null; limit: number }) {
  const rows = await db.dataRequestExport.findMany({
    where: { shop, handedOverAt: null, ...(options.after !== null ? { id: { gt: options.after } } : {}) },
    orderBy: { id: "asc" },
    take: options.limit + 1,
    select: SUMMARY,
  });
  return { rows: rows.slice(0, options.limit) as DataRequestSummary[], more: rows.length > options.limit };
}

export async function countPendingDataRequests(db: Db, shop: string): Promise<number> {
  return db.dataRequestExport.count({ where: { shop, handedOverAt: null } });
}

/** The latest requests already handed over: the record of what was given and when. */
export async function handedOverDataRequests(db: Db, shop: string, limit: number): Promise<DataRequestSummary[]> {
  return db.dataRequestExport.findMany({
    where: { shop, handedOverAt: { not: null } },
    orderBy: { handedOverAt: "desc" },
    take: limit,
    select: SUMMARY,
  });
}

/** One request with its stored data, or null when the shop has no such request. */
export async function readDataRequest(db: Db, shop: string, id: number) {
  return db.dataRequestExport.findFirst({ where: { shop, id } });
}

/** Marks a pending request handed over; false when the shop has no such pending request. */
export async function markDataRequestHandedOver(db: Db, shop: string, id: number, at: Date): Promise<boolean> {
  const { count } = await db.dataRequestExport.updateMany({
    where: { shop, id, handedOverAt: null },
    data: { handedOverAt: at },
  });
  return count === 1;
}
