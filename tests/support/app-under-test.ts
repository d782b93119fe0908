import { Prisma, type PrismaClient } from "@prisma/client";
import { inboxProcessor, type HandlerDeps } from "../../app/jobs/handlers.server";
import { recordDelivery } from "../../app/models/inbox.server";
import { AdminClient } from "../../app/shopify/admin-client.server";
import type { DevStore, WebhookDelivery } from "../devstore/server";

/**
 * The app's background side against a dev store and a test database, without HTTP: shops installed as the app
 * installs them (Shop row, offline session), webhooks put into the inbox, the real inbox processor run to the end.
 */
export interface AppUnderTest {
  deps: HandlerDeps;
  tokens: Map<string, string>;
  install(shop: string): Promise<string>;
  /** Stores deliveries in the inbox as the webhook route would (same event id = stored once). */
  receive(deliveries: readonly WebhookDelivery[]): Promise<void>;
  /** Runs the inbox processor until nothing is left; returns how many deliveries it handled. */
  processInbox(now?: Date): Promise<number>;
}

export function appUnderTest(
  db: PrismaClient,
  devStore: DevStore,
  options: { timeoutMs?: number; maxAttempts?: number } = {},
): AppUnderTest {
  const tokens = new Map<string, string>();
  const clients = new Map<string, AdminClient>();
  const deps: HandlerDeps = {
    clientFor: (shop) => {
      let client = clients.get(shop);
      if (!client) {
        client = new AdminClient({
          shop,
          endpoint: `${devStore.origin}/admin/api/2026-10/graphql.json`,
          accessToken: async () => tokens.get(shop) ?? "no-token",
          timeoutMs: options.timeoutMs,
          maxAttempts: options.maxAttempts,
        });
        clients.set(shop, client);
      }
      return client;
    },
  };
  const process = inboxProcessor(deps);
  return {
    deps,
    tokens,
    async install(shop) {
      if (!devStore.shops.has(shop)) devStore.addShop(shop);
      const token = devStore.issueOfflineToken(shop);
      tokens.set(shop, token);
      await db.shop.upsert({ where: { domain: shop }, create: { domain: shop }, update: { uninstalledAt: null } });
      await db.session.upsert({
        where: { id: `offline_${shop}` },
        create: {
          id: `offline_${shop}`,
          shop,
          state: "",
          isOnline: false,
          accessToken: token,
          scope: "read_customers,write_customers",
        },
        update: { accessToken: token },
      });
      return token;
    },
    async receive(deliveries) {
      for (const d of deliveries) {
        await recordDelivery(db, {
          shop: d.shop,
          topic: d.topic,
          eventId: d.eventId,
          webhookId: d.webhookId,
          apiVersion: "2026-10",
          triggeredAt: new Date(d.triggeredAt),
          payload: d.body,
        });
      }
    },
    async processInbox(now) {
      let total = 0;
      for (;;) {
        const handled = await process({ db, now: () => now ?? new Date() });
        if (handled === 0) return total;
        total += handled;
      }
    },
  };
}

interface ModelInfo {
  name: string;
  delegate: string;
  shopField: "shop" | "domain" | null;
  stringFields: string[];
}

/** Every table of the schema (from Prisma's datamodel, so a table added later is covered without editing tests). */
export const MODELS: ModelInfo[] = Prisma.dmmf.datamodel.models.map((model) => ({
  name: model.name,
  delegate: model.name[0].toLowerCase() + model.name.slice(1),
  shopField: model.fields.some((f) => f.name === "shop")
    ? "shop"
    : model.fields.some((f) => f.name === "domain")
      ? "domain"
      : null,
  stringFields: model.fields.filter((f) => f.type === "String").map((f) => f.name),
}));

type Delegate = {
  count(args: unknown): Promise<number>;
  findMany(args?: unknown): Promise<Array<Record<string, unknown>>>;
};
const delegate = (db: PrismaClient, name: string) => (db as unknown as Record<string, Delegate>)[name];

/** Rows per table that belong to a shop (tables without a shop column are reported as null). */
export async function rowsOfShop(db: PrismaClient, shop: string): Promise<Record<string, number | null>> {
  const counts: Record<string, number | null> = {};
  for (const model of MODELS) {
    counts[model.name] = model.shopField
      ? await delegate(db, model.delegate).count({ where: { [model.shopField]: shop } })
      : null;
  }
  return counts;
}

/** Where any of the strings occurs in any text column of any table (case-insensitive). */
export async function findText(db: PrismaClient, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const lower = needles.map((n) => n.toLowerCase());
  for (const model of MODELS) {
    for (const row of await delegate(db, model.delegate).findMany()) {
      for (const field of model.stringFields) {
        const value = row[field];
        if (typeof value !== "string") continue;
        const text = value.toLowerCase();
        lower.forEach((needle, i) => {
          if (text.includes(needle)) found.push(`${model.name}.${field} contains "${needles[i]}"`);
        });
      }
    }
  }
  return found;
}
