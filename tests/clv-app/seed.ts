/**
 * Seeds a shop's customers and orders for the CLV app tests: the CDNOW sample (2,357 real customers, Fader, Hardie &
 * Lee 2005; tests/fixtures/cdnow) or a small synthetic shop.
 */
import type { Db } from "../../app/db.server";
import { cdnowDate, loadCdnowSample } from "../clv/cdnow";

const DAY = 86_400_000;

/** The CDNOW calibration period's end, at noon: orders on 1997-09-30 count, later ones do not. */
export const CDNOW_NOW = new Date(Date.UTC(1997, 8, 30, 12));

export interface SeededOrder {
  customerGid: string;
  createdAt: number;
  totalMinor: number;
}

export const customerGid = (n: number | string) => `gid://shopify/Customer/${n}`;

/** One order per CDNOW transaction line, in dollars × 100; every customer a row, staged by purchase days. */
export async function seedCdnowShop(db: Db, shop: string): Promise<SeededOrder[]> {
  const transactions = loadCdnowSample();
  const orders: SeededOrder[] = transactions.map((t, i) => ({
    customerGid: customerGid(Number(t.masterId)),
    // Spread a customer's same-day lines over the day: one purchase per customer and day either way.
    createdAt: cdnowDate(t.date) + ((i * 7919) % 86_000) * 1000,
    totalMinor: Math.round(t.dollars * 100),
  }));
  const days = new Map<string, Set<number>>();
  for (const o of orders) {
    if (o.createdAt > CDNOW_NOW.getTime() || o.totalMinor <= 0) continue;
    const set = days.get(o.customerGid) ?? new Set<number>();
    set.add(Math.floor(o.createdAt / DAY));
    days.set(o.customerGid, set);
  }
  const gids = [...new Set(orders.map((o) => o.customerGid))];
  await seedCustomers(
    db,
    shop,
    gids.map((gid) => {
      const n = days.get(gid)?.size ?? 0;
      return {
        gid,
        stage: n === 0 ? "visitor" : n === 1 ? "first-time-buyer" : n === 2 ? "repeat-buyer" : "regular-buyer",
      };
    }),
  );
  await seedOrders(db, shop, orders);
  return orders;
}

export async function seedCustomers(
  db: Db,
  shop: string,
  customers: ReadonlyArray<{ gid: string; stage: string | null }>,
): Promise<void> {
  for (let i = 0; i < customers.length; i += 1000) {
    await db.customer.createMany({
      data: customers.slice(i, i + 1000).map((c) => ({ shop, gid: c.gid, stage: c.stage })),
    });
  }
}

let orderNumber = 0;
export async function seedOrders(db: Db, shop: string, orders: readonly SeededOrder[]): Promise<void> {
  for (let i = 0; i < orders.length; i += 1000) {
    await db.order.createMany({
      data: orders.slice(i, i + 1000).map((o) => ({
        shop,
        gid: `gid://shopify/Order/${++orderNumber}`,
        customerGid: o.customerGid,
        createdAt: new Date(o.createdAt),
        totalMinor: BigInt(o.totalMinor),
        currencyCode: "USD",
      })),
    });
  }
}
