/**
 * An import that Shopify refuses stops with the error's kind stored beside its message, and the board words it
 * from the kind: the classes of app/shopify/errors.ts, thrown where the failure happens, decide, not the text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackfill } from "../../app/sync/backfill.server";
import { shopifyWriter } from "../../app/sync/shopify-writer.server";
import { AdminClient } from "../../app/shopify/admin-client.server";
import { AccessDeniedError } from "../../app/shopify/errors";
import { loadSyncStatus } from "../../app/board/sync-status.server";
import { startDevStore } from "../devstore/server";
import { createTestDb, type TestDb } from "../support/test-db";

const SHOP = "import-errors.myshopify.com";
let devStore: Awaited<ReturnType<typeof startDevStore>>;
let t: TestDb;

beforeAll(async () => {
  devStore = await startDevStore({ port: 0, apiKey: "k", apiSecret: "s" });
  devStore.addShop(SHOP);
  t = createTestDb();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await devStore?.close();
});

describe("an import Shopify refuses", () => {
  it("a revoked token: the run stops with kind 'access', and the board says to reopen the app", async () => {
    const tokens: boolean[] = [];
    const client = new AdminClient({
      shop: SHOP,
      endpoint: `${devStore.origin}/admin/api/2026-10/graphql.json`,
      // Every token the app has or gets is one the dev store does not know (the merchant uninstalled and reinstalled elsewhere).
      accessToken: async (refresh) => {
        tokens.push(refresh);
        return "shpat_revoked";
      },
    });
    const failure = await runBackfill({
      db: t.db,
      shop: SHOP,
      client,
      writer: shopifyWriter(t.db, SHOP, client),
      now: () => new Date(),
      pollIntervalMs: 20,
    }).catch((e) => e);
    expect(failure).toBeInstanceOf(AccessDeniedError);
    expect(tokens).toEqual([false, true]);
    const run = await t.db.syncRun.findFirstOrThrow({ where: { shop: SHOP } });
    expect(run.errorKind).toBe("access");
    expect(run.error).toMatch(/HTTP 401/);
    const status = await loadSyncStatus(t.db, SHOP);
    expect(status.current?.errorKey).toBe("sync.error.access");
  }, 120_000);
});
