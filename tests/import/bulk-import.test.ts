/**
 * The import's write path: bulk JSONL → facts. What it stores must be exactly what Prisma's own model API stores for
 * the same rows (the reference here), byte for byte on SQLite; a crash mid-file resumes right after the last batch it
 * committed; duplicate rows in one batch and a caller's interactive transaction behave as applying them one by one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db.server";
import { customerFromGraphql, orderFromGraphql, type CustomerRow, type OrderRow } from "../../app/ingest/facts";
import { upsertCustomers, upsertOrders } from "../../app/models/facts.server";
import { IMPORT_BATCH_LINES, importBulkResult } from "../../app/sync/backfill.server";
import { MAX_JSONL_LINE_CHARS } from "../../app/shopify/bulk.server";
import { PARSE_THREAD_MIN_BYTES, readImportBatches } from "../../app/sync/import-reader.server";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { jsonlFetch, orderLines, customerLines } from "./jsonl";

const SHOP = "bulk-import.myshopify.com";
const ORDERS = 2 * IMPORT_BATCH_LINES + 2_300; // more than two batches, and a short last one
const CUSTOMERS = 2_100;

const ORDER_COLUMNS = [
  "gid",
  "customerGid",
  "createdAt",
  "totalMinor",
  "refundedMinor",
  "currencyCode",
  "cancelled",
  "test",
  "voided",
  "fullyRefunded",
  "shopifyUpdatedAt",
  "deletedAt",
];
const CUSTOMER_COLUMNS = [
  "gid",
  "shopifyCreatedAt",
  "shopifyUpdatedAt",
  "emailMarketingState",
  "consentUpdatedAt",
  "tags",
  "deletedAt",
  "stage",
  "netSpentMinor",
];

/** Every stored column of a shop's rows, as the database holds it (SQLite: storage class and text, not Prisma's reading). */
async function storedRows(testDb: TestDb, table: "Order" | "Customer", shop: string): Promise<unknown[]> {
  const columns = table === "Order" ? ORDER_COLUMNS : CUSTOMER_COLUMNS;
  const select =
    testDb.kind === "sqlite"
      ? columns.map((c) => `typeof("${c}") || ':' || coalesce(CAST("${c}" AS TEXT), '∅') AS "${c}"`).join(", ")
      : columns.map((c) => `CAST("${c}" AS TEXT) AS "${c}"`).join(", ");
  return testDb.db.$queryRawUnsafe(`SELECT ${select} FROM "${table}" WHERE "shop" = '${shop}' ORDER BY "gid"`);
}

async function newSyncRun(db: Db): Promise<number> {
  return (await db.syncRun.create({ data: { shop: SHOP, kind: "backfill", phase: "orders" } })).id;
}

describeEachDatabase("bulk import: JSONL to facts", (database) => {
  let testDb: TestDb;
  const orders = orderLines(ORDERS, 7);
  const customers = customerLines(CUSTOMERS, 11);

  beforeAll(async () => {
    testDb = await database.create();
  }, 120_000);
  afterAll(async () => {
    await testDb?.close();
  });

  it("stores exactly what Prisma's model API stores for the same rows", async () => {
    const runId = await newSyncRun(testDb.db);
    expect(
      await importBulkResult(testDb.db, SHOP, "orders", "https://bulk/orders.jsonl", {
        syncRunId: runId,
        fetch: jsonlFetch(orders.text),
      }),
    ).toBe(ORDERS);
    expect(
      await importBulkResult(testDb.db, SHOP, "customers", "https://bulk/customers.jsonl", {
        syncRunId: runId,
        fetch: jsonlFetch(customers.text),
      }),
    ).toBe(CUSTOMERS);
    expect((await testDb.db.syncRun.findUniqueOrThrow({ where: { id: runId } })).linesDone).toBe(CUSTOMERS);

    const reference = `reference-${SHOP}`;
    const orderRows: OrderRow[] = orders.nodes.map((n) => orderFromGraphql(n));
    const customerRows: CustomerRow[] = customers.nodes.map((n) => customerFromGraphql(n));
    for (let i = 0; i < orderRows.length; i += 1000)
      await testDb.db.order.createMany({ data: orderRows.slice(i, i + 1000).map((r) => ({ ...r, shop: reference })) });
    for (let i = 0; i < customerRows.length; i += 1000) {
      await testDb.db.customer.createMany({
        data: customerRows.slice(i, i + 1000).map(({ tags, emailMarketingState, ...r }) => ({
          ...r,
          emailMarketingState: emailMarketingState!,
          tags: JSON.stringify(tags ?? []),
          shop: reference,
        })),
      });
    }
    const imported = await storedRows(testDb, "Order", SHOP);
    expect(imported).toHaveLength(ORDERS);
    expect(imported).toEqual(await storedRows(testDb, "Order", reference));
    expect(await storedRows(testDb, "Customer", SHOP)).toEqual(await storedRows(testDb, "Customer", reference));
  }, 120_000);

  it("a download cut mid-file fails; the run resumes after its last committed batch and ends as a whole import would", async () => {
    const shop = `resume-${SHOP}`;
    const runId = await newSyncRun(testDb.db);
    const cutAt = Math.floor(orders.text.length * 0.6);
    await expect(
      importBulkResult(testDb.db, shop, "orders", "https://bulk/orders.jsonl", {
        syncRunId: runId,
        fetch: jsonlFetch(orders.text, { failAfterChars: cutAt }),
      }),
    ).rejects.toThrow(/connection reset/);
    const { linesDone } = await testDb.db.syncRun.findUniqueOrThrow({ where: { id: runId } });
    // Whole batches only, and every line counted is stored (the gids in the file are distinct).
    const linesBeforeCut = orders.text.slice(0, cutAt).split("\n").length - 1;
    expect(linesDone).toBe(Math.floor(linesBeforeCut / IMPORT_BATCH_LINES) * IMPORT_BATCH_LINES);
    expect(linesDone).toBeGreaterThan(0);
    expect(await testDb.db.order.count({ where: { shop } })).toBe(linesDone);
    // No line carries a journey summary, so every stored order has its pending journey, committed in its batch.
    expect(await testDb.db.orderJourney.count({ where: { shop } })).toBe(linesDone);

    const resumed = await importBulkResult(testDb.db, shop, "orders", "https://bulk/orders.jsonl", {
      syncRunId: runId,
      skipLines: linesDone,
      fetch: jsonlFetch(orders.text),
    });
    expect(resumed).toBe(ORDERS);
    const whole = (await storedRows(testDb, "Order", shop)) as Array<Record<string, unknown>>;
    const direct = (await storedRows(testDb, "Order", SHOP)) as Array<Record<string, unknown>>;
    expect(whole).toEqual(direct);
  }, 120_000);

  it("stores the journeys of imported orders: one not yet attributed and one naming a campaign; one naming nothing removes the row its order had", async () => {
    const shop = `journeys-${SHOP}`;
    const base = orders.nodes[0];
    const line = (id: number, summary: unknown) =>
      JSON.stringify({ ...base, id: `gid://shopify/Order/${id}`, customerJourneySummary: summary });
    const visit = (campaign: string | null) => ({
      utmParameters: campaign ? { source: "newsletter", medium: "email", campaign } : null,
    });
    const pendingBefore = { ...orderFromGraphql(base), gid: "gid://shopify/Order/303" };
    await upsertOrders(testDb.db, shop, [pendingBefore]);
    await testDb.db.orderJourney.create({
      data: {
        shop,
        orderGid: pendingBefore.gid,
        state: "pending",
        attempts: 2,
        nextAttemptAt: new Date(),
        readAt: new Date(),
      },
    });
    const text =
      [
        line(301, null),
        line(302, { ready: true, customerOrderIndex: 2, firstVisit: visit(null), lastVisit: visit("spring-sale") }),
        line(303, { ready: true, customerOrderIndex: 1, firstVisit: visit(null), lastVisit: visit(null) }),
      ].join("\n") + "\n";
    await importBulkResult(testDb.db, shop, "orders", "https://bulk/orders.jsonl", {
      syncRunId: await newSyncRun(testDb.db),
      fetch: jsonlFetch(text),
    });
    const journeys = await testDb.db.orderJourney.findMany({ where: { shop }, orderBy: { orderGid: "asc" } });
    expect(journeys.map((j) => [j.orderGid, j.state, j.lastUtmCampaign, j.customerOrderIndex])).toEqual([
      ["gid://shopify/Order/301", "pending", null, null],
      ["gid://shopify/Order/302", "ready", "spring-sale", 2],
    ]);
    expect(await testDb.db.order.count({ where: { shop } })).toBe(3);
  });

  it("parsed in the calling thread instead of the parser thread, the stored rows and checkpoints are the same", async () => {
    const shop = `in-thread-${SHOP}`;
    const runId = await newSyncRun(testDb.db);
    for (const [kind, lines, count] of [
      ["orders", orders, ORDERS],
      ["customers", customers, CUSTOMERS],
    ] as const) {
      expect(
        await importBulkResult(testDb.db, shop, kind, `https://bulk/${kind}.jsonl`, {
          syncRunId: runId,
          fetch: jsonlFetch(lines.text),
          parseThread: false,
        }),
      ).toBe(count);
    }
    expect(await storedRows(testDb, "Order", shop)).toEqual(await storedRows(testDb, "Order", SHOP));
    expect(await storedRows(testDb, "Customer", shop)).toEqual(await storedRows(testDb, "Customer", SHOP));
    expect(await testDb.db.orderJourney.count({ where: { shop } })).toBe(ORDERS);
  }, 120_000);

  it("through a client without a driver at hand (an extended client) the rows and checkpoints are the same", async () => {
    const shop = `extended-${SHOP}`;
    const extended = testDb.db.$extends({}) as unknown as Db;
    const runId = await newSyncRun(testDb.db);
    expect(
      await importBulkResult(extended, shop, "orders", "https://bulk/orders.jsonl", {
        syncRunId: runId,
        fetch: jsonlFetch(orders.text),
      }),
    ).toBe(ORDERS);
    expect((await testDb.db.syncRun.findUniqueOrThrow({ where: { id: runId } })).linesDone).toBe(ORDERS);
    expect(await storedRows(testDb, "Order", shop)).toEqual(await storedRows(testDb, "Order", SHOP));
  }, 120_000);

  it("the same order twice in one batch: the newer wins, whatever the order of the lines; a stale one changes nothing", async () => {
    const gid = "gid://shopify/Order/777000777";
    const base = orderFromGraphql(orders.nodes[0]);
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    await upsertOrders(testDb.db, SHOP, [
      { ...base, gid, totalMinor: 200n, shopifyUpdatedAt: at(2000) },
      { ...base, gid, totalMinor: 100n, shopifyUpdatedAt: at(1000) },
    ]);
    expect((await testDb.db.order.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid } } })).totalMinor).toBe(
      200n,
    );
    await upsertOrders(testDb.db, SHOP, [
      { ...base, gid, totalMinor: 300n, shopifyUpdatedAt: at(3000) },
      { ...base, gid, totalMinor: 400n, shopifyUpdatedAt: at(4000) },
      { ...base, gid, totalMinor: 150n, shopifyUpdatedAt: at(1500) },
    ]);
    expect((await testDb.db.order.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid } } })).totalMinor).toBe(
      400n,
    );
  });

  it("inside a caller's interactive transaction the upserts commit or roll back with it", async () => {
    const row = { ...orderFromGraphql(orders.nodes[1]), gid: "gid://shopify/Order/888000888" };
    await expect(
      testDb.db.$transaction(async (tx) => {
        await upsertOrders(tx as Db, SHOP, [row]);
        expect(await tx.order.count({ where: { shop: SHOP, gid: row.gid } })).toBe(1);
        throw new Error("the caller changes its mind");
      }),
    ).rejects.toThrow(/changes its mind/);
    expect(await testDb.db.order.count({ where: { shop: SHOP, gid: row.gid } })).toBe(0);
    await testDb.db.$transaction(async (tx) =>
      upsertCustomers(tx as Db, SHOP, [
        { ...customerFromGraphql(customers.nodes[0]), gid: "gid://shopify/Customer/999000999" },
      ]),
    );
    expect(await testDb.db.customer.count({ where: { shop: SHOP, gid: "gid://shopify/Customer/999000999" } })).toBe(1);
  });
});

describe.each([
  ["in the parser thread", true],
  ["in the calling thread", false],
])("bulk import: a line the file cannot hold, parsed %s", (_, parseThread) => {
  it("names the line that is not JSON", async () => {
    const text = `${orderLines(3, 1).text}{"id": "gid://shopify/Order/1", \n`;
    await expect(
      importBulkResult({} as Db, SHOP, "orders", "https://bulk/bad.jsonl", {
        syncRunId: 0,
        fetch: jsonlFetch(text),
        parseThread,
      }),
    ).rejects.toThrow(/bad\.jsonl: line 4 is not JSON/);
  });

  it("refuses a line longer than MAX_JSONL_LINE_CHARS instead of holding it all", async () => {
    const text = `${orderLines(2, 1).text}{"id": "${"x".repeat(MAX_JSONL_LINE_CHARS + 10)}"}\n`;
    await expect(
      importBulkResult({} as Db, SHOP, "orders", "https://bulk/long.jsonl", {
        syncRunId: 0,
        fetch: jsonlFetch(text),
        parseThread,
      }),
    ).rejects.toThrow(/line 3 is longer than/);
  });
});

describe("bulk import: the parser thread", () => {
  it("a reader that stops early ends the thread and the download", async () => {
    const lines = orderLines(40_000, 5); // more bytes than the thread is sent ahead of its batches
    let cancelled = false;
    const fetch = jsonlFetch(lines.text);
    const watched = (async (url: string) => {
      const response = await fetch(url);
      const reader = response.body!.getReader();
      const body = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const chunk = await reader.read();
          if (chunk.done) controller.close();
          else controller.enqueue(chunk.value);
        },
        cancel: () => {
          cancelled = true;
          return reader.cancel();
        },
      });
      return new Response(body);
    }) as typeof globalThis.fetch;
    const seen: number[] = [];
    for await (const batch of readImportBatches("https://bulk/orders.jsonl", "orders", {
      skipLines: 0,
      batchLines: 1000,
      fetch: watched,
      parseThread: true,
    })) {
      seen.push(batch.lastLine);
      break;
    }
    expect(seen).toEqual([1000]);
    expect(cancelled).toBe(true);
  });

  it("joins the thread's messages into whole batches of the caller's size, several at once behind a slow writer", async () => {
    const lines = orderLines(23_000, 11);
    const read = async (batchLines: number, parseThread: boolean, writeMs: number) => {
      const batches: Array<{ lastLine: number; orders: unknown[] }> = [];
      for await (const batch of readImportBatches("https://bulk/orders.jsonl", "orders", {
        skipLines: 700,
        batchLines,
        fetch: jsonlFetch(lines.text),
        parseThread,
      })) {
        batches.push({ lastLine: batch.lastLine, orders: batch.values.map(([order]) => order) });
        await new Promise((resolve) => setTimeout(resolve, writeMs));
      }
      return batches;
    };
    const here = (await read(5000, false, 0)).flatMap((b) => b.orders);
    expect(here).toHaveLength(23_000 - 700);
    for (const batchLines of [5000, 2500, 700]) {
      const threaded = await read(batchLines, true, 150);
      const ends = threaded.map((b) => b.lastLine);
      // Every checkpoint where the calling thread's read puts one, the file's end last.
      expect(ends.slice(0, -1).every((end) => (end - 700) % batchLines === 0)).toBe(true);
      expect(ends[ends.length - 1]).toBe(23_000);
      expect(threaded.every((b, i) => b.orders.length === b.lastLine - (i === 0 ? 700 : ends[i - 1]))).toBe(true);
      expect(threaded.flatMap((b) => b.orders)).toEqual(here);
      if (batchLines === 700) expect(threaded.some((b) => b.orders.length > batchLines)).toBe(true);
    }
  }, 60_000);

  it("a file Content-Length calls small is read in the calling thread, with the same batches", async () => {
    const lines = orderLines(2500, 9);
    const sized = (async () =>
      new Response(lines.text, {
        headers: { "content-length": String(Buffer.byteLength(lines.text)) },
      })) as unknown as typeof fetch;
    expect(Buffer.byteLength(lines.text)).toBeLessThan(PARSE_THREAD_MIN_BYTES);
    const read = async (fetch: typeof globalThis.fetch, parseThread?: boolean) => {
      const batches = [];
      for await (const batch of readImportBatches("https://bulk/orders.jsonl", "orders", {
        skipLines: 100,
        batchLines: 1000,
        fetch,
        parseThread,
      }))
        batches.push(batch);
      return batches;
    };
    const here = await read(sized);
    expect(here.map((b) => b.lastLine)).toEqual([1100, 2100, 2500]);
    // Orders alike (journeys carry the time they were read).
    const orderValues = (batches: typeof here) => batches.map((b) => [b.lastLine, b.values.map(([order]) => order)]);
    expect(orderValues(here)).toEqual(orderValues(await read(jsonlFetch(lines.text), true)));
    // The first batch starts after the skipped lines: line 101 is the 101st order.
    expect(here[0].values[0][0][0]).toBe(orderFromGraphql(lines.nodes[100]).gid);
  });
});
