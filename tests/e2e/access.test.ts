/**
 * A shop that installed the app without read_all_orders, in the real app (production build) against the dev store:
 * the board says what is missing, what it means and how to grant it; nothing is imported and no stage tag reaches
 * the dev store, even for a customer whose new order the app classifies. When the merchant grants the scope
 * (app/scopes_update), the full import runs and the tags arrive.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAGS_HELD_MESSAGE } from "../../app/sync/access.server";
import { DEMO_SHOP, startDemo, type Demo } from "../demo/harness";
import { applyMigrations } from "../support/migrations";
import { SCREENSHOTS, launchBrowser } from "./browser";

const ALL_SCOPES =
  "read_customers,write_customers,read_orders,read_all_orders,read_customer_merge,read_marketing_events,read_discounts,read_reports";
const WITHOUT_ALL_ORDERS = ALL_SCOPES.replace("read_all_orders,", "");

let demo: Demo;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const log: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-access-e2e-"));

async function until<T>(
  what: string,
  read: () => Promise<T | null | undefined | false>,
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${log.slice(-30).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const lifecycleTagged = () =>
  [...demo.devStore.shops.get(DEMO_SHOP)!.customers.values()].filter((c) =>
    c.tags.some((tag) => tag.startsWith("lifecycle:")),
  );

beforeAll(async () => {
  const databaseFile = path.join(dir, "app.sqlite");
  applyMigrations(databaseFile);
  demo = await startDemo({ databaseFile, log: (line) => log.push(line), access: { scopes: WITHOUT_ALL_ORDERS } });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("installed without read_all_orders", () => {
  it("reads the granted scopes at install and starts no import", async () => {
    const shop = await demo.db.shop.findUnique({ where: { domain: DEMO_SHOP } });
    expect(shop?.grantedScopes?.split(",")).toEqual(WITHOUT_ALL_ORDERS.split(","));
    expect(await demo.db.syncRun.count({ where: { shop: DEMO_SHOP } })).toBe(0);
    expect(await demo.db.job.count({ where: { shop: DEMO_SHOP, name: "backfill" } })).toBe(0);
  });

  it("classifies a customer with a new order but writes no stage tag to the dev store", async () => {
    const customer = [...demo.devStore.shops.get(DEMO_SHOP)!.customers.values()].find((c) => c.orderIds.length > 3)!;
    demo.devStore.createOrder(DEMO_SHOP, { customerId: customer.id, total: 30 });
    // Reconcile stores the stage and the planned tags; the tag-write step settles them later (written or held), so
    // the row is read once nothing is planned any more.
    const row = await until("the order's customer classified and its tag write settled", () =>
      demo.db.customer.findFirst({
        where: {
          shop: DEMO_SHOP,
          gid: `gid://shopify/Customer/${customer.id}`,
          stage: { not: null },
          desiredAppTags: null,
        },
      }),
    );
    expect(row.tagError).toBe(TAGS_HELD_MESSAGE);
    expect(lifecycleTagged()).toEqual([]);
    expect(demo.devStore.flowTriggers).toEqual([]);
  }, 360_000);

  it("the board says what is missing, what it means and how to grant it", async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(await demo.adminUrl(), { waitUntil: "networkidle", timeout: 180_000 });
    expect(response?.status()).toBe(200);
    const card = page.getByTestId("access-full-history");
    await card.waitFor({ timeout: 120_000 });
    const text = await card.innerText();
    expect(text).toContain("Lifecycle Stages cannot see all your orders yet");
    expect(text).toContain("read_all_orders");
    expect(text).toContain("only the orders of the last 60 days");
    expect(text).toContain("writes no stage tags");
    expect(text).toContain("Partner Dashboard");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "board-access-en.png"), fullPage: true });
    await page.close();
  }, 400_000);
});

describe("when the merchant grants read_all_orders", () => {
  it("app/scopes_update starts the full import, the tags arrive and the board no longer asks", async () => {
    demo.devStore.setAccess(DEMO_SHOP, { scopes: ALL_SCOPES });
    await until("the import queued by app/scopes_update", () =>
      demo.db.syncRun.findFirst({ where: { shop: DEMO_SHOP, kind: "backfill" } }),
    );
    await demo.waitForImport();
    expect(lifecycleTagged().length).toBeGreaterThan(4000);
    const page = await browser.context.newPage();
    await page.goto(await demo.adminUrl(), { waitUntil: "networkidle", timeout: 180_000 });
    await page.waitForSelector(".Polaris-Page", { timeout: 120_000 });
    expect(await page.getByTestId("access-full-history").count()).toBe(0);
    await page.close();
  }, 900_000);
});
