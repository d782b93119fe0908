import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";
import { CHROME_UA, startDemo, type Demo } from "../demo/harness";
import { applyMigrations } from "../support/migrations";
import type { Locale } from "../../app/i18n/locale";

/**
 * What the pages get in place of App Bridge (cdn.shopify.com cannot be reached here): `window.shopify`, and the
 * contextual save bar's element with App Bridge's instance methods (show, hide, toggle, showing) and its show/hide
 * events. In Shopify admin the bar is drawn by the admin around the app; here the element shows its own Save and
 * Discard buttons at the top of the page while open (`data-open`), so a test can click them.
 */
const APP_BRIDGE_STUB = `
window.shopify = window.shopify || {};
if (!customElements.get("ui-save-bar")) {
  customElements.define("ui-save-bar", class extends HTMLElement {
    show() { this.setAttribute("data-open", ""); this.dispatchEvent(new Event("show")); }
    hide() { this.removeAttribute("data-open"); this.dispatchEvent(new Event("hide")); }
    toggle() { if (this.showing) this.hide(); else this.show(); }
    get showing() { return this.hasAttribute("data-open"); }
  });
  const style = document.createElement("style");
  style.textContent = "ui-save-bar{display:none}ui-save-bar[data-open]{display:flex;gap:8px;position:fixed;top:0;right:0;z-index:1000;padding:8px;background:#1a1a1a}";
  document.head.appendChild(style);
}`;

/**
 * Debian's Chromium, headless, with a fresh profile (Playwright takes the profile directory itself, in place of
 * --user-data-dir); App Bridge's CDN script is answered by a stub, as there is no network here.
 */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    userAgent: CHROME_UA,
    viewport: { width: 1280, height: 900 },
  });
  await context.route("https://cdn.shopify.com/**", (route) =>
    route.fulfill({ status: 200, contentType: "application/javascript", body: APP_BRIDGE_STUB }),
  );
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where browser tests save screenshots: the ignored tests/artifacts/, so a test run leaves `git status` clean. The
 * README's images (tests/screenshots/) are copied from here only by `npm run screenshots` (refresh-screenshots.ts).
 */
export const SCREENSHOTS = path.resolve(import.meta.dirname, "../artifacts");

export interface BrowserDemo {
  demo: Demo;
  /** The demo's log lines, with the pages' errors and console errors. */
  log: string[];
  /** Opens an app page as Shopify admin does (id_token in the URL) and waits until React has hydrated it. */
  open(pathname: string, locale?: Locale): Promise<Page>;
  stop(): Promise<void>;
}

/**
 * The demo (production build, dev store seeded with Online Retail, its import finished) on a fresh SQLite file,
 * and Chromium to look at it: what every browser test starts from.
 */
export async function startBrowserDemo(name: string): Promise<BrowserDemo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lifecycle-${name}-e2e-`));
  const databaseFile = path.join(dir, "app.sqlite");
  applyMigrations(databaseFile);
  const log: string[] = [];
  const demo = await startDemo({ databaseFile, log: (line) => log.push(line) });
  await demo.waitForImport();
  const browser = await launchBrowser();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    demo,
    log,
    async open(pathname, locale) {
      const page = await browser.context.newPage();
      page.on("pageerror", (error) => log.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") log.push(`console: ${message.text()}`);
      });
      // Charts (polaris-viz) animate unless the user asks for less motion: screenshots then show the final state.
      await page.emulateMedia({ reducedMotion: "reduce" });
      const response = await page.goto(await demo.adminUrl({ path: pathname, locale }), {
        waitUntil: "networkidle",
        timeout: 120_000,
      });
      expect(response?.status(), `GET ${pathname}`).toBe(200);
      await page.waitForSelector(".Polaris-Page", { timeout: 30_000 });
      await page.waitForFunction(
        () => Boolean((window as unknown as { __remixRouter?: unknown }).__remixRouter),
        undefined,
        { timeout: 30_000 },
      );
      if (pathname === "/app") {
        // The CLV chart renders only after hydration: it is there once the page is interactive.
        await page.waitForFunction(
          () => document.querySelectorAll('[data-testid="clv-chart"] svg').length >= 1,
          undefined,
          { timeout: 30_000 },
        );
      }
      return page;
    },
    async stop() {
      await browser.close();
      await demo.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
