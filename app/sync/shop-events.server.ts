import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { customerGid, orderGid } from "../ingest/facts";
import { forgetAdminClient } from "../shopify/clients.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { onScopesUpdate } from "./access.server";

/** Shop-level and compliance topics: sessions, uninstall, and the privacy duties Shopify requires. */
export async function handleShopEvent(
  db: Db,
  shop: string,
  topic: string,
  payload: Record<string, unknown>,
  now: Date,
  clientFor?: (shop: string) => GraphqlRequester,
): Promise<void> {
  switch (topic) {
    case "app/uninstalled":
      // The token is dead: drop sessions now; the data goes with shop/redact 48 hours later, as Shopify specifies.
      await db.session.deleteMany({ where: { shop } });
      await db.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: now } });
      await db.job.updateMany({
        where: { shop, doneAt: null },
        data: { doneAt: now, singletonKey: null, lastError: "app uninstalled" },
      });
      forgetAdminClient(shop);
      return;
    case "app/scopes_update":
      await onScopesUpdate(db, shop, payload, now, clientFor?.(shop));
      return;
    case "customers/data_request": {
      const customer = payload.customer as { id?: unknown } | undefined;
      if (!customer?.id) throw new Error("customers/data_request without customer.id");
      const gid = customerGid(customer.id);
      await db.dataRequestExport.create({
        data: {
          shop,
          customerGid: gid,
          requestId: String((payload.data_request as { id?: unknown } | undefined)?.id ?? ""),
          data: JSON.stringify(await storedCustomerData(db, shop, gid)),
        },
      });
      return;
    }
    case "customers/redact": {
      const customer = payload.customer as { id?: unknown } | undefined;
      if (!customer?.id) throw new Error("customers/redact without customer.id");
      const gid = customerGid(customer.id);
      const orders = Array.isArray(payload.orders_to_redact)
        ? (payload.orders_to_redact as unknown[]).map(orderGid)
        : [];
      await redactCustomer(db, shop, gid, orders);
      return;
    }
    case "shop/redact":
      await eraseShop(db, shop);
      return;
    default:
      throw new Error(`No handler for topic "${topic}"`);
  }
}

/**
 * Erases a customer, its orders (and the orders Shopify names), its history and its data-request exports, and takes
 * it out of the stage counts the board reads, all in one transaction.
 */
async function redactCustomer(db: Db, shop: string, gid: string, orderGids: string[]): Promise<void> {
  const counted = await db.customer.findUnique({
    where: { shop_gid: { shop, gid } },
    select: { stage: true, netSpentMinor: true, deletedAt: true },
  });
  const own = await db.order.findMany({ where: { shop, customerGid: gid }, select: { gid: true } });
  await db.$transaction([
    // The journeys of its orders (UTM values and codes, no personal data) go with the orders.
    db.orderJourney.deleteMany({ where: { shop, orderGid: { in: [...orderGids, ...own.map((o) => o.gid)] } } }),
    db.order.deleteMany({ where: { shop, OR: [{ customerGid: gid }, { gid: { in: orderGids } }] } }),
    db.stageChange.deleteMany({ where: { shop, customerGid: gid } }),
    db.dataRequestExport.deleteMany({ where: { shop, customerGid: gid } }),
    // A tombstoned customer (customers/delete) already left the counts.
    ...(counted?.stage && !counted.deletedAt
      ? [
          db.stageCount.updateMany({
            where: { shop, stage: counted.stage },
            data: { customers: { decrement: 1 }, netSpentMinor: { decrement: counted.netSpentMinor } },
          }),
        ]
      : []),
    db.customer.deleteMany({ where: { shop, gid } }),
  ]);
}

/** Everything the app stores about one customer (which is no name, email or address: ids, dates, amounts, stage). */
export async function storedCustomerData(db: Db, shop: string, gid: string) {
  const [customer, orders, stageChanges] = await Promise.all([
    db.customer.findUnique({ where: { shop_gid: { shop, gid } } }),
    db.order.findMany({ where: { shop, customerGid: gid } }),
    db.stageChange.findMany({ where: { shop, customerGid: gid } }),
  ]);
  const orderJourneys = await db.orderJourney.findMany({ where: { shop, orderGid: { in: orders.map((o) => o.gid) } } });
  return JSON.parse(
    JSON.stringify({ customer, orders, orderJourneys, stageChanges }, (_key, value) =>
      typeof value === "bigint" ? value.toString() : value,
    ),
  ) as unknown;
}

/**
 * Every table that holds rows of a shop, from Prisma's datamodel (a `shop` column, or the Shop table's `domain`), so a
 * table added later is erased by shop/redact without anyone remembering to list it here. The Shop row goes last.
 */
const SHOP_TABLES = Prisma.dmmf.datamodel.models
  .map((model) => ({
    delegate: model.name[0].toLowerCase() + model.name.slice(1),
    column: model.fields.some((f) => f.name === "shop") ? "shop" : model.name === "Shop" ? "domain" : null,
  }))
  .filter((table): table is { delegate: string; column: string } => table.column !== null)
  .sort((a, b) => Number(a.delegate === "shop") - Number(b.delegate === "shop"));

type DeleteMany = { deleteMany(args: { where: Record<string, string> }): Prisma.PrismaPromise<unknown> };

export async function eraseShop(db: Db, shop: string): Promise<void> {
  await db.$transaction(
    SHOP_TABLES.map(({ delegate, column }) =>
      (db as unknown as Record<string, DeleteMany>)[delegate].deleteMany({ where: { [column]: shop } }),
    ),
  );
}
