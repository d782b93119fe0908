/**
 * Stages 1 and 2 measured from Shopify's analytics, in a real browser (issue 8): headless Chromium against the
 * production build and the dev store seeded with UCI Online Retail (orders real, online store sessions simulated and
 * labelled so). The import reads the four ShopifyQL queries once its customers are in (the board reads them again when
 * they are a day old); the figures on the page are checked
 * against numbers computed here from the dev store's own records.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP, type Demo } from "../demo/harness";
import { SCREENSHOTS, startBrowserDemo, type BrowserDemo } from "./browser";
import { simulatedTraffic } from "../devstore/seed/sessions";
import { shopifyqlWindow } from "../devstore/shopifyql";
import { newSubscribersIn } from "../analytics/expected";
import { translate } from "../../app/i18n/i18n";
import type { MessageKey } from "../../app/i18n/messages";
import { formatMonth, formatNumber, formatPercent } from "../../app/board/ui/format";

let e2e: BrowserDemo;
let demo: Demo;
const open = (pathname: string) => e2e.open(pathname);
const en = (key: MessageKey, values?: Record<string, string | number>) => translate("en", key, values);

beforeAll(async () => {
  e2e = await startBrowserDemo("analytics");
  demo = e2e.demo;
}, 900_000);

afterAll(async () => {
  if (process.env.ANALYTICS_E2E_LOG) fs.writeFileSync(process.env.ANALYTICS_E2E_LOG, e2e?.log.join("\n") ?? "");
  await e2e?.stop();
});

const cardText = (page: Page, stage: number) =>
  page
    .locator(`[data-stage="${stage}"]`)
    .textContent()
    .then((t) => t ?? "");

/** The last complete month (UTC) and figures of it computed from the dev store's records. */
function expected() {
  const now = Date.now();
  const d = new Date(now);
  const month = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const shop = demo.devStore.shops.get(DEMO_SHOP)!;
  const { from, to } = shopifyqlWindow(now);
  const visitors = simulatedTraffic(shop, from, to)
    .filter((r) => r.month === month)
    .reduce((s, r) => s + r.visitors, 0);
  const subscribers = newSubscribersIn(shop, month);
  return { month, visitors, subscribers };
}

describe("Stage 1 and Stage 2 measured from Shopify's analytics, in the browser", () => {
  it("after the import the board shows Shopify's analytics, says they are simulated, and shows Stage 1 as visitors with a trend and kinds", async () => {
    const page = await open("/app");
    const { month, visitors } = expected();
    expect(visitors).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="analytics-simulated"]').textContent()).toContain(
      en("analytics.simulated.title"),
    );
    const stage1 = await cardText(page, 1);
    expect(stage1).toContain(en("board.visitorsPerMonth", { count: formatNumber("en", visitors) }));
    expect(stage1).toContain(`${formatNumber("en", visitors)} visitors in ${formatMonth("en", month)}.`);
    expect(stage1).toMatch(/The last 3 months had [\d,]+ visitors, against [\d,]+ in the 3 before: [+−-]?\d+%/);
    expect(stage1).toContain(en("analytics.kinds.title", { month: formatMonth("en", month) }));
    for (const kind of ["Shine a Light", "Target Customers", "Get Found"]) expect(stage1).toContain(`${kind}: `);
    // Stage 1 now has a verdict of its own (a typical, weak or strong trend).
    expect(stage1).toMatch(/Weak|Typical|Strong/);
    await page.close();
  });

  it("Stage 2 is new subscribers ÷ visitors of the month, with its interval and the sourced pop-up reference; all five stages are judged", async () => {
    const page = await open("/app");
    const { month, visitors, subscribers } = expected();
    const stage2 = await cardText(page, 2);
    expect(stage2).toContain(
      en("conversion.s2.analytics", {
        rate: formatPercent("en", subscribers / visitors),
        converted: formatNumber("en", subscribers),
        base: formatNumber("en", visitors),
        month: formatMonth("en", month),
      }),
    );
    // The reference and the band agree: the strong line (3%) is what an average pop-up converts (3.09%, Sumo).
    expect(stage2).toContain(en("conversion.s2.reference", { strong: "3%", reference: "3.1%" }));
    expect(stage2).toContain(en("board.band", { weak: "1%", strong: "3%" }));
    expect(stage2).toContain("95% interval: ");
    const unjudged = page.locator('[data-testid="unjudged-stages"]');
    const unjudgedText = (await unjudged.count()) > 0 ? ((await unjudged.first().textContent()) ?? "") : "";
    expect(unjudgedText).not.toContain("Stage 1:");
    expect(unjudgedText).not.toContain("Stage 2:");
    // The month still running is marked, and its rates wait until it ends (a few days of visitors against the
    // month's sales would make profit per visitor look ten times higher).
    const current = new Date().toISOString().slice(0, 7);
    const rows = await page
      .locator('[data-testid="analytics-card"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent ?? "")));
    const running = rows.filter((cells) => cells[0].includes("(so far)"));
    expect(rows.filter((cells) => !cells[0].includes("(so far)")).every((cells) => cells[4].startsWith("£"))).toBe(
      true,
    );
    // (Just after midnight on the 1st the new month may have no sessions yet, and no row.)
    expect(running.length).toBeLessThanOrEqual(1);
    for (const cells of running) expect(cells.slice(3)).toEqual(["–", "–"]);
    const note = page.locator('[data-testid="partial-month"]');
    expect(await note.count()).toBe(running.length);
    if (running.length > 0)
      expect(await note.textContent()).toContain(`${formatMonth("en", current)} is still running`);
    // Gross profit per visitor: the Online Retail data has no product costs, and the card says so.
    expect(await page.locator('[data-testid="profit-basis"]').textContent()).toContain("No gross profit per visitor");
    expect(await page.locator('[data-testid="gpv-by-first-visit"]').textContent()).toContain("Get Found: £");
    const stored = await demo.db.shopAnalytics.findUnique({ where: { shop: DEMO_SHOP } });
    expect(stored).toMatchObject({
      simulated: true,
      sessionsError: null,
      trafficError: null,
      salesError: null,
      firstVisitError: null,
    });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 8000) });
    await page.waitForTimeout(300);
    await page.screenshot({
      path: path.join(SCREENSHOTS, "board-analytics-en.png"),
      fullPage: true,
      animations: "disabled",
    });
    await page.close();
  });
});
