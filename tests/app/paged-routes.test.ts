import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { startDevStore, type DevStore } from "../devstore/server";
import { makeIdToken } from "../devstore/id-token";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/app-env";

/** Paged routes read cursors from the URL: one the app did not write gets 400 with the parameter named, never a 500. */
const SHOP = "paged-routes.myshopify.com";
const APP = "http://127.0.0.1:3999";

type Loader = (args: {
  request: Request;
  params: Record<string, string>;
  context: Record<string, unknown>;
}) => Promise<unknown>;
let devStore: DevStore;
let db: PrismaClient;
let customersLoader: Loader;

async function get(path: string): Promise<{ status: number; body: string }> {
  const request = new Request(`${APP}${path}`, {
    headers: {
      Authorization: `Bearer ${await makeIdToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, ttlSeconds: 600 })}`,
    },
  });
  try {
    const result = await customersLoader({ request, params: {}, context: {} });
    if (result instanceof Response) return { status: result.status, body: await result.text() };
    return { status: 200, body: JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: await thrown.text() };
    return { status: 500, body: String(thrown) };
  }
}

beforeAll(async () => {
  devStore = await startDevStore({ port: 0, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = devStore.origin;
  db = (await import("../../app/db.server")).default;
  customersLoader = (await import("../../app/routes/app.customers")).loader as Loader;
  devStore.addShop(SHOP);
  await db.shop.create({ data: { domain: SHOP } });
  await db.session.create({
    data: {
      id: `offline_${SHOP}`,
      shop: SHOP,
      state: "",
      isOnline: false,
      accessToken: devStore.issueOfflineToken(SHOP),
      scope: "read_customers,read_orders",
    },
  });
  for (let i = 0; i < 3; i++) {
    await db.customer.create({
      data: {
        shop: SHOP,
        gid: `gid://shopify/Customer/${500 + i}`,
        stage: "repeat-buyer",
        qualifyingOrders: 2,
        netSpentMinor: 1000n,
      },
    });
  }
  await db.stageCount.create({ data: { shop: SHOP, stage: "repeat-buyer", customers: 3, netSpentMinor: 3000n } });
  // A fit the page stands behind, so it also sorts by predicted value (and reads value cursors).
  await db.shopPrediction.create({
    data: { shop: SHOP, fittedAt: new Date(), status: "ok", buyers: 3, historyDays: 400 },
  });
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await devStore?.close();
});

describe("the customers page's cursors", () => {
  it("a cursor the app wrote pages as before", async () => {
    const first = await get("/app/customers?stage=repeat-buyer");
    expect(first.status).toBe(200);
    const [row] = await db.customer.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" }, take: 1 });
    const next = await get(`/app/customers?stage=repeat-buyer&after=repeat-buyer:${row.id}`);
    expect(next.status).toBe(200);
    expect(next.body).not.toContain(`"gid":"${row.gid}"`);
    expect(next.body).toContain("gid://shopify/Customer/502");
    // The largest id the database holds, and 0 (before every row), are cursors too.
    expect((await get("/app/customers?after=repeat-buyer:2147483647")).status).toBe(200);
    expect((await get("/app/customers?before=visitor:0")).status).toBe(200);
    expect((await get("/app/customers?sort=value-desc&after=v:9223372036854775807:1")).status).toBe(200);
    expect((await get("/app/customers?sort=value-asc&before=n:2147483647")).status).toBe(200);
  });

  it.each([
    "after=repeat-buyer:2147483648", // one past a 32-bit id
    "after=repeat-buyer:99999999999999999999",
    "before=lapsed:9007199254740993",
    "after=repeat-buyer:-1",
    "after=repeat-buyer:1e5",
    "after=nobody:1",
    "after=garbage",
    "sort=value-desc&after=v:9223372036854775808:1", // one past a 64-bit amount
    "sort=value-desc&after=v:-9223372036854775809:1",
    "sort=value-asc&before=v:100:2147483648",
    "sort=value-asc&after=n:99999999999",
    `after=repeat-buyer:${"9".repeat(120)}`,
  ])("%s: 400 naming the parameter", async (query) => {
    const { status, body } = await get(`/app/customers?${query}`);
    expect(status).toBe(400);
    expect(body).toContain(`"${/(after|before)=/.exec(query)![1]}"`);
  });
});
