import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../support/migrations";
import { DEMO_SHOP, startDemo, type Demo } from "../demo/harness";
import { launchBrowser, SCREENSHOTS } from "./browser";

let demo: Demo;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-e2e-"));

beforeAll(async () => {
  const databaseFile = path.join(dir, "app.sqlite");
  applyMigrations(databaseFile);
  demo = await startDemo({ databaseFile, log: () => undefined });
  await demo.waitForImport();
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the demo, opened as Shopify admin opens it", () => {
  it("installs through token exchange and imports every seeded customer", async () => {
    const seeded = demo.devStore.shops.get(DEMO_SHOP)!.customers.size;
    const counts = await demo.db.stageCount.findMany({ where: { shop: DEMO_SHOP } });
    expect(counts.reduce((sum, c) => sum + c.customers, 0)).toBe(seeded);
    const session = await demo.db.session.findUnique({ where: { id: `offline_${DEMO_SHOP}` } });
    expect(session?.accessToken).toBeTruthy();
  });

  it("renders the app page from the demo's admin URL (screenshot kept)", async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(await demo.adminUrl(), { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await page.waitForSelector(".Polaris-Page", { timeout: 30_000 });
    expect(await page.locator(".Polaris-Page").count()).toBeGreaterThan(0);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "demo-admin-url.png"), fullPage: true });
    await page.close();
  });
});
