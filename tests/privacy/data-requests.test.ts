/**
 * Settings → Privacy end to end: Shopify's customers/data_request reaches the webhook route, the inbox processor
 * stores the export, and the merchant sees it pending, downloads it (JSON and CSV) and marks it handed over, all
 * through the app's routes with a session token, as the embedded app calls them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { startDevStore, type DevStore, type WebhookDelivery } from "../devstore/server";
import { makeIdToken } from "../devstore/id-token";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/app-env";
import { appUnderTest, type AppUnderTest } from "../support/app-under-test";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";
import { translate } from "../../app/i18n/translate";

const SHOP = "privacy-page.myshopify.com";
const APP = "http://127.0.0.1:3999";
const DAY = 86_400_000;

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type RouteModule = { loader?: (args: Args) => Promise<unknown>; action?: (args: Args) => Promise<unknown> };

let devStore: DevStore;
let db: PrismaClient;
let app: AppUnderTest;
let routes: Record<"page" | "download" | "topics" | "compliance", RouteModule>;
const customers: Array<{ id: number; gid: string }> = [];

async function request(path: string, form?: Record<string, string>): Promise<Request> {
  return new Request(`${APP}${path}`, {
    method: form ? "POST" : "GET",
    headers: {
      Authorization: `Bearer ${await makeIdToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, ttlSeconds: 600 })}`,
      ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
}

async function call<T>(
  route: keyof typeof routes,
  kind: "loader" | "action",
  pending: Promise<Request>,
  params: Record<string, string> = {},
): Promise<T> {
  const req = await pending;
  try {
    return (await routes[route][kind]!({ request: req, params, context: {} })) as T;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown as T;
    throw thrown;
  }
}

interface PageData {
  pending: Array<{
    id: number;
    customerId: string;
    requestId: string | null;
    requestedAt: string;
    handedOverAt: string | null;
  }>;
  nextAfter: number | null;
  total: number;
  handedOver: Array<{ id: number; customerId: string; handedOverAt: string | null }>;
}
const pageData = (query = "") => call<PageData>("page", "loader", request(`/app/settings/privacy${query}`));
const download = (id: number | string, format: string, locale = "en") =>
  call<Response>("download", "loader", request(`/app/settings/privacy/${id}?format=${format}&locale=${locale}`), {
    id: String(id),
  });
const handOver = (id: number | string) =>
  call<{ ok: boolean }>("page", "action", request("/app/settings/privacy", { intent: "handOver", id: String(id) }));

/** Posts what the dev store sent to the webhook routes (as Shopify would), then runs the real inbox processor. */
async function deliverAndProcess(): Promise<void> {
  const sent: WebhookDelivery[] = devStore.webhooks.recorded();
  devStore.webhooks.clear();
  for (const d of sent) {
    const isCompliance = (COMPLIANCE_TOPICS as readonly string[]).includes(d.topic);
    if (!isCompliance && !(SUBSCRIBED_TOPICS as readonly string[]).includes(d.topic)) continue;
    const [topic, action] = d.topic.split("/");
    const req = new Request(`${APP}${d.uri}`, { method: "POST", headers: d.headers, body: d.body });
    const response = (await routes[isCompliance ? "compliance" : "topics"].action!({
      request: req,
      params: isCompliance ? {} : { topic, action },
      context: {},
    })) as Response;
    expect(response.status, d.topic).toBe(200);
  }
  await app.processInbox();
}

beforeAll(async () => {
  devStore = await startDevStore({ port: 0, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  devStore.webhooks.mode = "record";
  process.env.SHOPIFY_ADMIN_API_ORIGIN = devStore.origin;
  db = (await import("../../app/db.server")).default;
  routes = {
    page: await import("../../app/routes/app.settings_.privacy"),
    download: await import("../../app/routes/app.settings_.privacy.$id"),
    topics: await import("../../app/routes/webhooks.$topic.$action"),
    compliance: await import("../../app/routes/webhooks.compliance"),
  };
  app = appUnderTest(db, devStore);
  await app.install(SHOP);
  for (let i = 0; i < 3; i++) {
    const customer = devStore.createCustomer(SHOP, { email: `p${i}@private.example`, firstName: `Pat${i}` });
    for (let o = 0; o <= i; o++)
      devStore.createOrder(SHOP, {
        customerId: customer.id,
        createdAt: Date.now() - (o + 1) * 40 * DAY,
        total: 25 + o,
      });
    customers.push({ id: customer.id, gid: `gid://shopify/Customer/${customer.id}` });
  }
  await deliverAndProcess();
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await devStore?.close();
});

describe("Settings → Privacy", () => {
  it("a customer's data request shows as pending, and downloads as that customer's stored rows in JSON and CSV", async () => {
    expect((await pageData()).total).toBe(0);
    const person = customers[2];
    devStore.requestCustomerData(person.id);
    await deliverAndProcess();

    const page = await pageData();
    expect(page.total).toBe(1);
    expect(page.pending).toHaveLength(1);
    expect(page.pending[0]).toMatchObject({ customerId: String(person.id), handedOverAt: null });
    expect(page.pending[0].requestId).toMatch(/^\d+$/);

    // What the app holds on the customer, read here from the tables themselves.
    const storedOrders = await db.order.findMany({ where: { shop: SHOP, customerGid: person.gid } });
    const storedCustomer = await db.customer.findUnique({ where: { shop_gid: { shop: SHOP, gid: person.gid } } });
    expect(storedOrders).toHaveLength(3);

    const json = await download(page.pending[0].id, "json");
    expect(json.status).toBe(200);
    expect(json.headers.get("content-disposition")).toContain(`customer-data-${person.id}-`);
    const file = (await json.json()) as {
      customer: string;
      storedData: {
        customer: { gid: string; stage: string };
        orders: Array<{ gid: string; totalMinor: string }>;
        stageChanges: Array<{ customerGid: string }>;
      };
    };
    expect(file.customer).toBe(person.gid);
    expect(file.storedData.customer).toMatchObject({ gid: person.gid, stage: storedCustomer!.stage });
    expect(file.storedData.orders.map((o) => o.gid).sort()).toEqual(storedOrders.map((o) => o.gid).sort());
    expect(file.storedData.orders.map((o) => o.totalMinor).sort()).toEqual(
      storedOrders.map((o) => String(o.totalMinor)).sort(),
    );
    expect(file.storedData.stageChanges.every((c) => c.customerGid === person.gid)).toBe(true);
    // Nobody else's rows.
    for (const other of customers.filter((c) => c.id !== person.id))
      expect(JSON.stringify(file)).not.toContain(other.gid);

    const csv = await download(page.pending[0].id, "csv", "nl");
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      ["table", "row", "field", "value"]
        .map((k) => translate("nl", `privacy.csv.${k}` as "privacy.csv.table"))
        .join(","),
    );
    expect(
      lines
        .filter((l) => /^order,\d+,gid,/.test(l))
        .map((l) => l.split(",")[3])
        .sort(),
    ).toEqual(storedOrders.map((o) => o.gid).sort());
    expect(lines.filter((l) => l.startsWith("customer,1,gid,"))).toEqual([`customer,1,gid,${person.gid}`]);
  });

  it("marking it handed over takes it off the pending list and keeps the record of when", async () => {
    const [pending] = (await pageData()).pending;
    const before = Date.now();
    expect(await handOver(pending.id)).toMatchObject({ ok: true });
    const page = await pageData();
    expect(page.total).toBe(0);
    expect(page.pending).toEqual([]);
    expect(page.handedOver.map((r) => r.id)).toEqual([pending.id]);
    const at = Date.parse(page.handedOver[0].handedOverAt!);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    // Still downloadable afterwards (the merchant may need it again), and marking twice changes nothing.
    expect((await download(pending.id, "json")).status).toBe(200);
    expect(await handOver(pending.id)).toMatchObject({ ok: false });
    expect((await db.dataRequestExport.findUnique({ where: { id: pending.id } }))?.handedOverAt?.getTime()).toBe(at);
  });

  it("customers/redact erases the request with the customer", async () => {
    const person = customers[1];
    devStore.requestCustomerData(person.id);
    await deliverAndProcess();
    const [pending] = (await pageData()).pending;
    expect(pending.customerId).toBe(String(person.id));
    devStore.redactCustomer(person.id);
    await deliverAndProcess();
    expect((await pageData()).total).toBe(0);
    expect((await download(pending.id, "json")).status).toBe(404);
    expect(await handOver(pending.id)).toMatchObject({ ok: false });
  });

  it("pages through many pending requests; bad ids, formats and cursors are client errors", async () => {
    for (let i = 0; i < 30; i++)
      await db.dataRequestExport.create({
        data: {
          shop: SHOP,
          customerGid: customers[0].gid,
          requestId: String(1000 + i),
          data: '{"customer":null,"orders":[],"stageChanges":[]}',
        },
      });
    const first = await pageData();
    expect(first.total).toBe(30);
    expect(first.pending).toHaveLength(25);
    expect(first.nextAfter).toBe(first.pending[24].id);
    const second = await pageData(`?after=${first.nextAfter}`);
    expect(second.pending.map((r) => r.requestId)).toEqual(["1025", "1026", "1027", "1028", "1029"]);
    expect(second.nextAfter).toBeNull();

    expect(((await pageData("?after=2147483648")) as unknown as Response).status).toBe(400);
    expect(((await pageData("?after=abc")) as unknown as Response).status).toBe(400);
    for (const [id, format] of [
      ["abc", "json"],
      ["99999999999", "json"],
      [String(first.pending[0].id), "xml"],
    ]) {
      expect((await download(id, format)).status, `${id} ${format}`).toBe(400);
    }
    expect((await download(2_000_000_000, "json")).status).toBe(404);
    expect(await handOver("not-an-id")).toMatchObject({ ok: false });
  });
});
