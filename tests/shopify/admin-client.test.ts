import { describe, expect, it } from "vitest";
import {
  AdminApiError,
  AdminClient,
  assertNoUserErrors,
  backoffMs,
  ShopifyUserError,
} from "../../app/shopify/admin-client.server";
import { TransientHttpError } from "../../app/shopify/errors";

interface FakeBucket {
  available: number;
  max: number;
  restore: number;
  at: number;
}

/** A fake Admin endpoint with a leaky bucket on a virtual clock, answering like Shopify. */
function fakeShopify(options: {
  cost: number;
  bucket?: Partial<FakeBucket>;
  script?: Array<"5xx" | "network" | "401" | "ok">;
}) {
  let clock = 0;
  const bucket: FakeBucket = { available: 2000, max: 2000, restore: 100, at: 0, ...options.bucket };
  const script = [...(options.script ?? [])];
  const log = { calls: 0, throttled: 0, tokens: [] as string[] };
  const refill = () => {
    bucket.available = Math.min(bucket.max, bucket.available + ((clock - bucket.at) / 1000) * bucket.restore);
    bucket.at = clock;
  };
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    log.calls++;
    log.tokens.push(new Headers(init.headers).get("X-Shopify-Access-Token") ?? "");
    const step = script.shift() ?? "ok";
    if (step === "network") throw new TypeError("fetch failed");
    if (step === "5xx") return new Response("Internal error", { status: 502 });
    if (step === "401")
      return new Response(JSON.stringify({ errors: "[API] Invalid API key or access token" }), { status: 401 });
    refill();
    const status = () => ({
      maximumAvailable: bucket.max,
      currentlyAvailable: bucket.available,
      restoreRate: bucket.restore,
    });
    if (bucket.available < options.cost) {
      log.throttled++;
      return Response.json({
        errors: [
          {
            message: "Throttled",
            extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
          },
        ],
        extensions: { cost: { requestedQueryCost: options.cost, actualQueryCost: null, throttleStatus: status() } },
      });
    }
    bucket.available -= options.cost;
    return Response.json({
      data: { shop: { name: "x" } },
      extensions: {
        cost: { requestedQueryCost: options.cost, actualQueryCost: options.cost, throttleStatus: status() },
      },
    });
  }) as unknown as typeof fetch;
  return {
    fetchImpl,
    log,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
    bucket,
  };
}

function client(fake: ReturnType<typeof fakeShopify>, tokens = ["token-1", "token-2"]) {
  let tokenIndex = 0;
  return new AdminClient({
    shop: "test.myshopify.com",
    endpoint: "https://test.myshopify.com/admin/api/2026-10/graphql.json",
    accessToken: async (refresh) => tokens[refresh ? ++tokenIndex : tokenIndex],
    fetch: fake.fetchImpl,
    now: fake.now,
    sleep: fake.sleep,
    random: () => 0.5,
  });
}

const QUERY = "query ShopName { shop { name } }";

describe("AdminClient", () => {
  it("paces 60 requests of 300 points so the bucket never runs dry: no THROTTLED", async () => {
    const fake = fakeShopify({ cost: 300 });
    const admin = client(fake);
    for (let i = 0; i < 60; i++) await admin.request(QUERY, undefined, { estimatedCost: 300 });
    expect(fake.log.throttled).toBe(0);
    expect(fake.log.calls).toBe(60);
    // 60 × 300 = 18,000 points: 2,000 from the full bucket, the rest at 100/s, so at least 160 s of waiting.
    expect(fake.now()).toBeGreaterThanOrEqual(160_000);
    expect(fake.now()).toBeLessThan(170_000);
  });

  it("learns an operation's cost from the first response when no estimate is given", async () => {
    const fake = fakeShopify({ cost: 500 });
    const admin = client(fake);
    for (let i = 0; i < 20; i++) await admin.request(QUERY);
    expect(fake.log.throttled).toBeLessThanOrEqual(1);
    expect(fake.log.calls).toBe(20 + fake.log.throttled);
  });

  it("retries THROTTLED after waiting for the bucket the response described", async () => {
    const fake = fakeShopify({ cost: 400, bucket: { available: 100 } });
    const admin = client(fake);
    const result = await admin.request<{ shop: { name: string } }>(QUERY, undefined, { estimatedCost: 10 });
    expect(result.data.shop.name).toBe("x");
    expect(fake.log.throttled).toBe(1);
    expect(admin.stats.throttled).toBe(1);
  });

  it("retries 5xx and network errors with backoff, then succeeds", async () => {
    const fake = fakeShopify({ cost: 1, script: ["5xx", "network", "5xx", "ok"] });
    const admin = client(fake);
    await admin.request(QUERY);
    expect(fake.log.calls).toBe(4);
    expect(admin.stats.retries).toBe(3);
  });

  it("gives up after maxAttempts with a retryable TransientHttpError (an AdminApiError)", async () => {
    const fake = fakeShopify({ cost: 1, script: Array(20).fill("5xx") });
    const admin = client(fake);
    const error = await admin.request(QUERY).catch((e) => e);
    expect(error).toBeInstanceOf(TransientHttpError);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ details: { retryable: true, status: 502 } });
  });

  it("asks for a fresh token once after a 401 and retries with it", async () => {
    const fake = fakeShopify({ cost: 1, script: ["401", "ok"] });
    const admin = client(fake);
    await admin.request(QUERY);
    expect(fake.log.tokens).toEqual(["token-1", "token-2"]);
  });

  it("GraphQL errors other than THROTTLED are not retried", async () => {
    const fetchImpl = (async () =>
      Response.json({ errors: [{ message: "Field 'nmae' doesn't exist" }] })) as unknown as typeof fetch;
    const admin = new AdminClient({
      shop: "s",
      endpoint: "https://s/x",
      accessToken: async () => "t",
      fetch: fetchImpl,
    });
    await expect(admin.request(QUERY)).rejects.toBeInstanceOf(AdminApiError);
  });

  it("userErrors surface as a typed error naming the field", () => {
    expect(() => assertNoUserErrors("tagsAdd", [{ field: ["id"], message: "Customer does not exist" }])).toThrowError(
      ShopifyUserError,
    );
    expect(() => assertNoUserErrors("tagsAdd", [])).not.toThrow();
  });

  it("backoff grows exponentially and stays within its cap", () => {
    expect(backoffMs(1, () => 0)).toBe(250);
    expect(backoffMs(2, () => 1)).toBe(1000);
    expect(backoffMs(20, () => 1)).toBe(30_000);
  });
});
