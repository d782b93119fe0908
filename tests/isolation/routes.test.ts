import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { startDevStore, type DevStore } from "../devstore/server";
import { makeIdToken } from "../devstore/id-token";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/app-env";
import { appUnderTest, rowsOfShop } from "../support/app-under-test";
import { webhookRequest } from "../support/webhook-request";

/**
 * Two installed shops; every app route is called with shop A's session token, including with B's ids, cursors
 * and query parameters. Nothing of B may come back, and nothing of B may change.
 */
const A = "isolation-a.myshopify.com";
const B = "isolation-b.myshopify.com";
const APP = "http://127.0.0.1:3999";
// B's rows carry these in every text they have; a response for A must contain none of them.
const B_MARKERS = ["isolation-b", "bsecret", "B-only", "Customer/99"];

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type RouteModule = { loader?: (args: Args) => Promise<unknown>; action?: (args: Args) => Promise<unknown> };

let devStore: DevStore;
let db: PrismaClient;
let routes: Record<string, RouteModule>;

function tokenFor(shop: string, secret = TEST_API_SECRET): Promise<string> {
  return makeIdToken({ shop, apiKey: TEST_API_KEY, apiSecret: secret, ttlSeconds: 600 });
}

async function request(
  path: string,
  shop: string,
  init: { form?: Record<string, string>; secret?: string } = {},
): Promise<Request> {
  return new Request(`${APP}${path}`, {
    method: init.form ? "POST" : "GET",
    headers: {
      Authorization: `Bearer ${await tokenFor(shop, init.secret)}`,
      ...(init.form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
    },
    body: init.form ? new URLSearchParams(init.form).toString() : undefined,
  });
}

/** Whatever a loader or action returned, as text (objects, Responses and streams alike). */
async function text(result: unknown): Promise<string> {
  if (result instanceof Response) return `${result.status} ${await result.text()}`;
  return JSON.stringify(result, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

async function call(
  route: string,
  kind: "loader" | "action",
  pending: Promise<Request>,
  params: Record<string, string> = {},
): Promise<string> {
  const fn = routes[route][kind];
  if (!fn) throw new Error(`${route} has no ${kind}`);
  const req = await pending;
  try {
    return await text(await fn({ request: req, params, context: {} }));
  } catch (thrown) {
    // authenticate.admin throws Responses (redirects, 401): those are answers too.
    if (thrown instanceof Response) return text(thrown);
    throw thrown;
  }
}

/** A's customers as seeded (ids base + stage index × 10 + 0..2), optionally of one stage: numeric Shopify ids. */
function customersOfA(stage?: string): string[] {
  return STAGES.flatMap((s, i) => (stage && s !== stage ? [] : [0, 1, 2].map((k) => String(10_000 + i * 10 + k))));
}

/** Every Shopify customer id an answer names, whether as a GID, a JSON field or a CSV column. */
function customerIdsIn(body: string): Set<string> {
  const ids = new Set<string>();
  for (const m of body.matchAll(/Customer\/(\d+)/g)) ids.add(m[1]);
  for (const m of body.matchAll(/"customerId":"(\d+)"/g)) ids.add(m[1]);
  for (const m of body.matchAll(/^(\d+),/gm)) ids.add(m[1]);
  return ids;
}

function expectNothingOfB(body: string, what: string): void {
  for (const marker of B_MARKERS) expect(body.includes(marker), `${what} shows "${marker}"`).toBe(false);
}

/** Every row of shop B, in full: what "unchanged" means. */
async function snapshotOfB() {
  const [shop, customers, campaigns, counts, sessions, jobs, dataRequests] = await Promise.all([
    db.shop.findUnique({ where: { domain: B } }),
    db.customer.findMany({ where: { shop: B }, orderBy: { id: "asc" } }),
    db.campaign.findMany({ where: { shop: B }, orderBy: { id: "asc" } }),
    db.stageCount.findMany({ where: { shop: B }, orderBy: { stage: "asc" } }),
    db.session.findMany({ where: { shop: B } }),
    db.job.findMany({ where: { shop: B } }),
    db.dataRequestExport.findMany({ where: { shop: B } }),
  ]);
  return { shop, customers, campaigns, counts, sessions, jobs, dataRequests, rows: await rowsOfShop(db, B) };
}

const STAGES = ["visitor", "enquirer", "first-time-buyer", "repeat-buyer", "regular-buyer", "lapsed"];
/** The customer of each shop's pending data request (a numeric Shopify id). */
const A_DATA_REQUEST_CUSTOMER = "10011";
const B_DATA_REQUEST_CUSTOMER = "99011";

async function seedShop(shop: string, base: number, marker: string) {
  await db.shop.create({
    data: {
      domain: shop,
      name: `${marker} shop`,
      currencyCode: "EUR",
      settings: shop === B ? JSON.stringify({ tagPrefix: "bsecret:" }) : null,
      segmentsPrefix: shop === B ? "bsecret:" : null,
    },
  });
  for (const [i, stage] of STAGES.entries()) {
    for (let k = 0; k < 3; k++) {
      const n = base + i * 10 + k;
      await db.customer.create({
        data: {
          shop,
          gid: `gid://shopify/Customer/${n}`,
          stage,
          tags: JSON.stringify([`${marker}-tag`]),
          explanation: null,
          netSpentMinor: BigInt(n),
          qualifyingOrders: i,
          lastOrderAt: new Date(Date.UTC(2025, 0, 1 + k)),
        },
      });
      await db.order.create({
        data: {
          shop,
          gid: `gid://shopify/Order/${n}`,
          customerGid: `gid://shopify/Customer/${n}`,
          createdAt: new Date(),
          totalMinor: 1000n,
        },
      });
    }
    await db.stageCount.create({ data: { shop, stage, customers: 3, netSpentMinor: 3000n } });
  }
  await db.campaign.create({
    data: { shop, source: "manual", name: `${marker} manual campaign`, stage: 2, channel: "email" },
  });
  await db.campaign.create({
    data: {
      shop,
      source: "marketing_activity",
      externalId: `gid://shopify/MarketingActivity/${base}`,
      name: `${marker} newsletter`,
      stage: 2,
      tactic: "NEWSLETTER",
    },
  });
  await db.stageChange.create({
    data: {
      shop,
      customerGid: `gid://shopify/Customer/${base}`,
      toStage: "visitor",
      at: new Date(),
      cause: "backfill",
    },
  });
  const requested = shop === A ? A_DATA_REQUEST_CUSTOMER : B_DATA_REQUEST_CUSTOMER;
  await db.dataRequestExport.create({
    data: {
      shop,
      customerGid: `gid://shopify/Customer/${requested}`,
      requestId: `${marker}-request`,
      data: JSON.stringify({
        customer: { gid: `gid://shopify/Customer/${requested}`, note: `${marker} data` },
        orders: [],
        stageChanges: [],
      }),
    },
  });
}

beforeAll(async () => {
  devStore = await startDevStore({ port: 0, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  // The app reads its configuration at import: point its Shopify calls at the dev store first.
  process.env.SHOPIFY_ADMIN_API_ORIGIN = devStore.origin;
  db = (await import("../../app/db.server")).default;
  routes = {
    app: await import("../../app/routes/app"),
    board: await import("../../app/routes/app._index"),
    customers: await import("../../app/routes/app.customers"),
    export: await import("../../app/routes/app.customers.export"),
    campaigns: await import("../../app/routes/app.campaigns"),
    settings: await import("../../app/routes/app.settings"),
    privacy: await import("../../app/routes/app.settings_.privacy"),
    privacyDownload: await import("../../app/routes/app.settings_.privacy.$id"),
    webhooks: await import("../../app/routes/webhooks.$topic.$action"),
    compliance: await import("../../app/routes/webhooks.compliance"),
  };
  for (const [shop, base, marker] of [
    [A, 10_000, "A-only"],
    [B, 99_000, "B-only"],
  ] as const) {
    devStore.addShop(shop);
    const token = devStore.issueOfflineToken(shop);
    devStore.addMarketingActivity(shop, {
      title: `${marker} activity from Shopify`,
      tactic: "NEWSLETTER",
      marketingChannelType: "EMAIL",
    });
    await db.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        accessToken: token,
        scope: "read_customers,write_customers,read_orders,read_marketing_events,read_discounts",
      },
    });
    await seedShop(shop, base, marker);
  }
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await devStore?.close();
});

describe("shop isolation through the app's routes", () => {
  it("A's session sees exactly A's board, customers, export, campaigns, settings and data requests, and nothing of B", async () => {
    const host = Buffer.from(`admin.shopify.com/store/isolation-b`).toString("base64");
    // What each answer must carry of A: A's customers (exactly those of the stage asked for), A's campaigns, A's
    // data request. Customer ids are compared as sets, so one of B's would fail even without a marker.
    const paths: Array<[string, string, { customers?: string[]; texts?: string[] }]> = [
      ["app", "/app", {}],
      ["board", "/app", { texts: [A, "A-only manual campaign", "A-only newsletter"] }],
      ["campaigns", "/app/campaigns", { texts: ["A-only manual campaign", "A-only newsletter"] }],
      ["settings", "/app/settings", {}],
      ["privacy", "/app/settings/privacy", { customers: [A_DATA_REQUEST_CUSTOMER] }],
      ["customers", "/app/customers", { customers: customersOfA() }],
      ["export", "/app/customers/export", { customers: customersOfA() }],
      ...STAGES.flatMap((stage): Array<[string, string, { customers: string[] }]> => [
        ["customers", `/app/customers?stage=${stage}`, { customers: customersOfA(stage) }],
        ["export", `/app/customers/export?stage=${stage}`, { customers: customersOfA(stage) }],
        // Cursors that point into B's id range and past it.
        ["customers", `/app/customers?stage=${stage}&after=${stage}:0`, { customers: customersOfA(stage) }],
        ["customers", `/app/customers?stage=${stage}&before=${stage}:999999999`, { customers: customersOfA(stage) }],
      ]),
      // Parameters naming the other shop change nothing: the session decides the shop.
      ["customers", `/app/customers?shop=${B}&stage=all`, { customers: customersOfA() }],
      ["board", `/app?shop=${B}&host=${host}`, { texts: [A, "A-only manual campaign"] }],
      ["privacy", `/app/settings/privacy?shop=${B}`, { customers: [A_DATA_REQUEST_CUSTOMER] }],
    ];
    for (const [route, path, expected] of paths) {
      const body = await call(route, "loader", request(path, A));
      expectNothingOfB(body, `${route} ${path}`);
      if (expected.customers) expect(customerIdsIn(body), `${route} ${path}`).toEqual(new Set(expected.customers));
      for (const text of expected.texts ?? []) expect(body, `${route} ${path}`).toContain(text);
    }
  });

  it("A's session cannot change, delete or re-import anything of B, whatever ids it sends", async () => {
    const before = await snapshotOfB();
    const bCampaigns = before.campaigns.map((c) => String(c.id));
    for (const id of bCampaigns) {
      for (const form of <Array<Record<string, string>>>[
        { intent: "override", id, stage: "4", stageOneKind: "" },
        { intent: "reset", id },
        { intent: "delete", id },
      ]) {
        const body = await call("campaigns", "action", request("/app/campaigns", A, { form }));
        expect(body, JSON.stringify(form)).toContain('"ok":false');
      }
    }
    for (const dataRequest of before.dataRequests) {
      const id = String(dataRequest.id);
      expect(
        await call("privacy", "action", request("/app/settings/privacy", A, { form: { intent: "handOver", id } })),
      ).toContain('"ok":false');
      for (const format of ["json", "csv"]) {
        expect(
          await call("privacyDownload", "loader", request(`/app/settings/privacy/${id}?format=${format}`, A), { id }),
        ).toMatch(/^404 /);
      }
    }
    await call("campaigns", "action", request("/app/campaigns", A, { form: { intent: "refresh" } }));
    await call(
      "campaigns",
      "action",
      request("/app/campaigns", A, {
        form: { intent: "create", name: "A new one", stage: "3", channel: "email", startsAt: "2026-01-01" },
      }),
    );
    await call("board", "action", request("/app", A, { form: { intent: "reimport" } }));
    await call("settings", "action", request("/app/settings", A, { form: { intent: "reimport" } }));
    const settings = await call("settings", "loader", request("/app/settings", A));
    expectNothingOfB(settings, "settings");

    expect(await snapshotOfB()).toEqual(before);
    // What A did landed on A: its import was queued for A only, and Shopify's activities of A only were imported.
    expect(await db.job.count({ where: { name: "backfill", shop: A } })).toBe(1);
    const aCampaigns = await db.campaign.findMany({ where: { shop: A } });
    expect(aCampaigns.some((c) => c.name.includes("A-only activity from Shopify"))).toBe(true);
    expect(aCampaigns.some((c) => c.name.includes("B-only"))).toBe(false);
  });

  it("a token that is not A's (wrong secret, or B's shop signed wrongly) gets no data at all", async () => {
    for (const [route, path] of [
      ["customers", "/app/customers?stage=all"],
      ["export", "/app/customers/export"],
      ["campaigns", "/app/campaigns"],
    ] as const) {
      const forged = await call(route, "loader", request(path, B, { secret: "not-the-app-secret" }));
      expect(forged).toMatch(/^(302|401|403)/);
      expectNothingOfB(forged, `forged ${path}`);
      expect(forged).not.toContain("A-only");
    }
  });

  it("webhooks signed for A that name B's customers and orders, or sent as B but naming another shop, change nothing of B", async () => {
    const before = await snapshotOfB();
    const deliveries: Array<[string, string, Record<string, unknown>]> = [
      [
        "compliance",
        "customers/redact",
        { shop_domain: A, customer: { id: 99_000 }, orders_to_redact: [99_000, 99_001] },
      ],
      [
        "compliance",
        "customers/data_request",
        { shop_domain: A, customer: { id: 99_010 }, orders_requested: [99_010], data_request: { id: 1 } },
      ],
      ["webhooks", "customers/delete", { id: 99_020, admin_graphql_api_id: "gid://shopify/Customer/99020" }],
      ["webhooks", "orders/delete", { id: 99_021, admin_graphql_api_id: "gid://shopify/Order/99021" }],
      [
        "webhooks",
        "customers_email_marketing_consent/update",
        {
          customer_id: 99_030,
          email_marketing_consent: { state: "unsubscribed", consent_updated_at: new Date().toISOString() },
        },
      ],
    ];
    for (const [route, topic, payload] of deliveries) {
      const [resource, verb] = topic.split("/");
      const req = webhookRequest({ topic, shop: A, body: JSON.stringify(payload) });
      const fn = routes[route].action!;
      const response = (await fn({
        request: req,
        params: route === "webhooks" ? { topic: resource, action: verb } : {},
        context: {},
      })) as Response;
      expect(response.status, topic).toBe(200);
    }
    // A shop/redact signed for another shop, sent with B's header: refused, so B is not erased.
    for (const [route, topic, payload] of <Array<[string, string, Record<string, unknown>]>>[
      ["compliance", "shop/redact", { shop_id: 3, shop_domain: "isolation-c.myshopify.com" }],
      ["compliance", "customers/redact", { shop_domain: A, customer: { id: 99_000 }, orders_to_redact: [99_000] }],
      ["webhooks", "app/uninstalled", { id: 3, myshopify_domain: A, domain: null }],
    ]) {
      const [resource, verb] = topic.split("/");
      const req = webhookRequest({ topic, shop: B, body: JSON.stringify(payload) });
      const response = (await routes[route].action!({
        request: req,
        params: route === "webhooks" ? { topic: resource, action: verb } : {},
        context: {},
      })) as Response;
      expect(response.status, `${topic} naming another shop, sent as B`).toBe(401);
    }
    expect(await db.webhookDelivery.count({ where: { shop: B } })).toBe(0);
    const app = appUnderTest(db, devStore);
    await app.install(A);
    await app.processInbox();
    expect(await db.webhookDelivery.count({ where: { shop: A, processedAt: null } })).toBe(0);
    expect(await snapshotOfB()).toEqual(before);
  });
});
