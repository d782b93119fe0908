import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { startDevStore, type DevStore } from "../devstore/server";
import { makeIdToken } from "../devstore/id-token";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/app-env";

/**
 * The board's sync card lists the shop's parked jobs with their reasons, and its Retry action re-queues one of the
 * shop's own; ids of another shop's jobs, or nonsense, are refused and change nothing.
 */
const A = "retry-a.myshopify.com";
const B = "retry-b.myshopify.com";
const APP = "http://127.0.0.1:3999";
const A_REASON = "Stopped: its thread was blocked for more than 120 s (a loop that does not end)";
const B_REASON = "B-secret: ShopQuery: HTTP 503 after 8 attempts";

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type RouteModule = { loader: (args: Args) => Promise<unknown>; action: (args: Args) => Promise<unknown> };

let devStore: DevStore;
let db: PrismaClient;
let board: RouteModule;

async function request(shop: string, form?: Record<string, string>): Promise<Request> {
  const token = await makeIdToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, ttlSeconds: 600 });
  return new Request(`${APP}/app`, {
    method: form ? "POST" : "GET",
    headers: {
      Authorization: `Bearer ${token}`,
      ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
}

async function parkedJob(shop: string, name: string, reason: string, errorKind: string) {
  return db.job.create({
    data: {
      shop,
      name,
      data: "{}",
      key: `${name}:${shop}`,
      attempts: 5,
      maxAttempts: 5,
      lastError: reason,
      errorKind,
      failedAt: new Date("2026-11-20T08:00:00Z"),
      runAt: new Date("2026-11-20T07:00:00Z"),
    },
  });
}

beforeAll(async () => {
  devStore = await startDevStore({ port: 0, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = devStore.origin;
  db = (await import("../../app/db.server")).default;
  board = (await import("../../app/routes/app._index")) as unknown as RouteModule;
  for (const shop of [A, B]) {
    devStore.addShop(shop);
    await db.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        accessToken: devStore.issueOfflineToken(shop),
        scope: "read_customers,write_customers",
      },
    });
    await db.shop.create({ data: { domain: shop } });
  }
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await devStore?.close();
});

describe("the board's failed jobs and Retry", () => {
  it("the card lists the shop's parked jobs, newest first, with their reasons, and nothing of another shop", async () => {
    const older = await parkedJob(A, "daily", "ShopQuery: HTTP 401", "access");
    await db.job.update({ where: { id: older.id }, data: { failedAt: new Date("2026-11-19T08:00:00Z") } });
    const newer = await parkedJob(A, "reclassify", A_REASON, "stopped");
    await parkedJob(B, "daily", B_REASON, "unavailable");
    // Not parked: a waiting job and a finished one are not on the card.
    await db.job.create({ data: { shop: A, name: "segments", data: "{}" } });
    await db.job.create({ data: { shop: A, name: "campaigns", data: "{}", doneAt: new Date() } });

    const loaded = (await board.loader({ request: await request(A), params: {}, context: {} })) as {
      failedJobs: { total: number; jobs: Array<Record<string, unknown>> };
    };
    expect(loaded.failedJobs).toEqual({
      total: 2,
      jobs: [
        {
          id: String(newer.id),
          name: "reclassify",
          attempts: 5,
          error: A_REASON,
          errorKind: "stopped",
          failedAt: "2026-11-20T08:00:00.000Z",
        },
        {
          id: String(older.id),
          name: "daily",
          attempts: 5,
          error: "ShopQuery: HTTP 401",
          errorKind: "access",
          failedAt: "2026-11-19T08:00:00.000Z",
        },
      ],
    });
    expect(JSON.stringify(loaded)).not.toContain("B-secret");
  });

  it("Retry re-queues the shop's own parked job for one more attempt; another shop's id or nonsense is refused and changes nothing", async () => {
    const ofA = await db.job.findFirstOrThrow({ where: { shop: A, name: "reclassify" } });
    const ofB = await db.job.findFirstOrThrow({ where: { shop: B } });
    const act = async (shop: string, form: Record<string, string>) =>
      board.action({ request: await request(shop, form), params: {}, context: {} });

    for (const jobId of [String(ofB.id), "", "abc", "1e3", "-1", "99999999999999999999", `${ofA.id} OR 1=1`]) {
      expect(await act(A, { intent: "retry-job", jobId }), jobId).toEqual({ retried: false });
    }
    expect(await db.job.findUniqueOrThrow({ where: { id: ofB.id } })).toEqual(ofB);
    expect(await db.job.findUniqueOrThrow({ where: { id: ofA.id } })).toEqual(ofA);

    expect(await act(A, { intent: "retry-job", jobId: String(ofA.id) })).toEqual({ retried: true });
    const retried = await db.job.findUniqueOrThrow({ where: { id: ofA.id } });
    expect(retried).toMatchObject({
      failedAt: null,
      lockedAt: null,
      attempts: 5,
      maxAttempts: 6,
      singletonKey: ofA.key,
    });
    // Pressed twice (a double click, a stale page): the second finds nothing parked.
    expect(await act(A, { intent: "retry-job", jobId: String(ofA.id) })).toEqual({ retried: false });

    const loaded = (await board.loader({ request: await request(A), params: {}, context: {} })) as {
      failedJobs: { total: number };
    };
    expect(loaded.failedJobs.total).toBe(1);
  });
});
