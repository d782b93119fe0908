/**
 * The customers table at 1280 px in English, Japanese and Dutch (issue 12.5): it fits its card (no horizontal
 * scrolling), every heading is shown whole, and numbers are right-aligned. Headless Chromium against the
 * production build and the demo store; screenshots go to tests/artifacts/ (ignored), for a person to look at.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOTS, startBrowserDemo, type BrowserDemo } from "./browser";
import { translate } from "../../app/i18n/translate";
import { LOCALES, type Locale } from "../../app/i18n/locale";
import { CUSTOMER_COLUMNS } from "../../app/customers/columns";

let e2e: BrowserDemo;

beforeAll(async () => {
  e2e = await startBrowserDemo("customers");
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 900_000);

afterAll(async () => {
  await e2e?.stop();
});

interface TableLayout {
  viewport: number;
  scroll: { scrollWidth: number; clientWidth: number };
  /** Each heading's text box against its cell and the card: overflow in px beyond either edge, and text cut inside it. */
  headings: { text: string; beyondCell: number; beyondCard: number; cut: number }[];
  /** Per column, per row: how far the cell's text ends from the cell's right padding edge, and its text-align. */
  numericGaps: { column: number; rightGap: number; textAlign: string }[];
  rows: number;
}

/** Measures the table as laid out: the scroll container, the headings, and where numeric text ends in its cell. */
async function measure(page: Page, numericColumns: number[]): Promise<TableLayout> {
  return page.evaluate((numeric) => {
    const scroll = document.querySelector(".Polaris-IndexTable-ScrollContainer") as HTMLElement;
    const table = scroll.querySelector("table") as HTMLTableElement;
    const card = scroll.getBoundingClientRect();
    const headings = [...table.querySelectorAll("thead th")].map((th) => {
      const title = th.querySelector("[data-heading]") as HTMLElement;
      const box = title.getBoundingClientRect();
      const cell = th.getBoundingClientRect();
      return {
        text: title.innerText.trim(),
        beyondCell: Math.max(cell.left - box.left, box.right - cell.right, 0),
        beyondCard: Math.max(card.left - box.left, box.right - card.right, 0),
        cut: title.scrollWidth - title.clientWidth,
      };
    });
    const rows = [...table.querySelectorAll("tbody tr")];
    const numericGaps = rows.flatMap((row) =>
      numeric.map((column) => {
        const cell = row.children[column] as HTMLElement;
        const text = cell.querySelector("p") as HTMLElement;
        const range = document.createRange();
        range.selectNodeContents(text);
        const textRight = range.getBoundingClientRect().right;
        const style = getComputedStyle(cell);
        const contentRight =
          cell.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
        return { column, rightGap: contentRight - textRight, textAlign: getComputedStyle(text).textAlign };
      }),
    );
    return {
      viewport: window.innerWidth,
      scroll: { scrollWidth: scroll.scrollWidth, clientWidth: scroll.clientWidth },
      headings,
      numericGaps,
      rows: rows.length,
    };
  }, numericColumns);
}

/** The whole page in one 1280 px wide viewport, so the sticky pager sits below the table rather than over it. */
async function screenshot(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 8000) });
  // Two frames: the pager's sticky position is recomputed after the resize.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true, animations: "disabled" });
}

describe("the customers table at 1280 px", () => {
  it.each(LOCALES)(
    "%s: fits without horizontal scrolling, headings whole, numbers right-aligned (sorted by predicted value)",
    async (locale: Locale) => {
      const page = await e2e.open("/app/customers", locale);
      // Sorting by predicted value (when the demo's fit allows it) fills the prediction columns, the widest values.
      const sort = page.getByLabel(translate(locale, "customers.sort.label"), { exact: true });
      if (await sort.locator('option[value="value-desc"]:not([disabled])').count()) {
        await sort.selectOption("value-desc");
        await page.waitForURL(/sort=value-desc/, { timeout: 30_000 });
        await page.waitForLoadState("networkidle");
      }
      const numeric = CUSTOMER_COLUMNS.flatMap((c, index) => (c.numeric ? [index] : []));
      const layout = await measure(page, numeric);
      await screenshot(page, `customers-${locale}.png`);

      expect(layout.viewport).toBe(1280);
      expect(layout.rows).toBeGreaterThan(0);
      // The table fits its card: nothing to scroll sideways.
      expect(
        layout.scroll.scrollWidth,
        `table ${layout.scroll.scrollWidth}px in a ${layout.scroll.clientWidth}px card`,
      ).toBeLessThanOrEqual(layout.scroll.clientWidth);
      // Every heading is there in full (wrapped if need be), none cut off.
      expect(layout.headings.map((h) => h.text.replace(/\s+/g, " "))).toEqual(
        CUSTOMER_COLUMNS.map((c) => translate(locale, c.title).replace(/\s+/g, " ")),
      );
      for (const heading of layout.headings)
        expect([heading.beyondCell, heading.beyondCard, heading.cut], heading.text).toEqual([0, 0, 0]);
      // Numbers end at the cell's right edge.
      for (const gap of layout.numericGaps) {
        expect(gap.textAlign, `column ${gap.column}`).toMatch(/^(end|right)$/);
        expect(Math.abs(gap.rightGap), `column ${gap.column}`).toBeLessThanOrEqual(2);
      }
      expect(fs.statSync(path.join(SCREENSHOTS, `customers-${locale}.png`)).size).toBeGreaterThan(10_000);
      await page.close();
    },
  );
});
