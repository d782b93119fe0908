/**
 * SQLite's automatic WAL checkpoints are spaced BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES apart while an import writes, and
 * the connection gets its own spacing back afterwards: after a failure too, and only when the last of overlapping
 * imports on it ends. Read with SQLite's own pragma on the connection Prisma writes through.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driverConnection } from "../../app/db.server";
import { BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES, withBulkWriteCheckpoints } from "../../app/models/facts.server";
import { importBulkResult } from "../../app/sync/backfill.server";
import { createDatabase, type TestDb } from "../support/databases";
import { jsonlFetch, orderLines } from "./jsonl";

const SHOP = "import-checkpoints.myshopify.com";
/** SQLite's default spacing (https://sqlite.org/pragma.html#pragma_wal_autocheckpoint). */
const SQLITE_DEFAULT_PAGES = 1000;

describe("import checkpoints on SQLite", () => {
  let testDb: TestDb;
  let spacing: () => Promise<number>;

  beforeAll(async () => {
    testDb = await createDatabase("sqlite");
    spacing = async () => {
      const driver = await driverConnection(testDb.db);
      if (driver?.provider !== "sqlite") throw new Error("expected SQLite's driver");
      return Number(driver.database.pragma("wal_autocheckpoint", { simple: true }));
    };
  }, 60_000);
  afterAll(async () => {
    await testDb?.close();
  });

  it("spaces checkpoints while the import runs and restores the default after it", async () => {
    expect(BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES).toBeGreaterThan(SQLITE_DEFAULT_PAGES);
    expect(await spacing()).toBe(SQLITE_DEFAULT_PAGES);
    const seen = await withBulkWriteCheckpoints(testDb.db, spacing);
    expect(seen).toBe(BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES);
    expect(await spacing()).toBe(SQLITE_DEFAULT_PAGES);
  });

  it("restores the spacing after a failed import", async () => {
    await expect(
      withBulkWriteCheckpoints(testDb.db, async () => {
        throw new Error("download dropped");
      }),
    ).rejects.toThrow(/download dropped/);
    expect(await spacing()).toBe(SQLITE_DEFAULT_PAGES);
  });

  it("overlapping imports keep the spacing until the last one ends", async () => {
    let endFirst!: () => void;
    const first = withBulkWriteCheckpoints(testDb.db, () => new Promise<void>((resolve) => (endFirst = resolve)));
    const during: number[] = [];
    await withBulkWriteCheckpoints(testDb.db, async () => {
      during.push(await spacing());
    });
    during.push(await spacing());
    endFirst();
    await first;
    expect(during).toEqual([BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES, BULK_WRITE_WAL_AUTOCHECKPOINT_PAGES]);
    expect(await spacing()).toBe(SQLITE_DEFAULT_PAGES);
  });

  it("an import that ends while Prisma holds a transaction open on the connection still ends cleanly", async () => {
    let endImport!: () => void;
    const importing = withBulkWriteCheckpoints(testDb.db, () => new Promise<void>((resolve) => (endImport = resolve)));
    await testDb.db.$transaction(async (tx) => {
      await tx.syncRun.create({ data: { shop: SHOP, kind: "backfill", phase: "orders" } });
      endImport();
      await importing;
    });
    expect(await spacing()).toBe(SQLITE_DEFAULT_PAGES);
    expect(await testDb.db.syncRun.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
  });

  it("a spacing the connection was given is what it gets back", async () => {
    const driver = await driverConnection(testDb.db);
    if (driver?.provider !== "sqlite") throw new Error("expected SQLite's driver");
    driver.database.pragma("wal_autocheckpoint = 777");
    try {
      const lines = orderLines(50, 3);
      const runId = (await testDb.db.syncRun.create({ data: { shop: SHOP, kind: "backfill", phase: "orders" } })).id;
      await importBulkResult(testDb.db, SHOP, "orders", "https://bulk/orders.jsonl", {
        syncRunId: runId,
        fetch: jsonlFetch(lines.text),
      });
      expect(await testDb.db.order.count({ where: { shop: SHOP } })).toBe(50);
      expect(await spacing()).toBe(777);
    } finally {
      driver.database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    }
  });
});

describe("import checkpoints elsewhere", () => {
  it("a client without SQLite's driver runs the work as it is", async () => {
    const testDb = await createDatabase("sqlite");
    try {
      const extended = testDb.db.$extends({}) as unknown as typeof testDb.db;
      expect(await withBulkWriteCheckpoints(extended, async () => "ran")).toBe("ran");
    } finally {
      await testDb.close();
    }
  });
});
