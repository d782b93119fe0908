/**
 * The stage board in a real browser (issues 5 and 12): headless Chromium against the production build, the local dev
 * store seeded with UCI Online Retail (shifted so the data ends now), the app installed as Shopify installs it. One
 * demo for the whole file (starting it is the slow part); the tests run in order and build on each other (a manual
 * campaign, then an imported one, then a settings change). Assertions are on DOM text and attributes, never on
 * pixels, with expected values from the database and the dev store; the screenshots go to the ignored tests/artifacts/
 * (`npm run screenshots` copies the README's from there).
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP, type Demo } from "../demo/harness";
import { SCREENSHOTS, startBrowserDemo, type BrowserDemo } from "./browser";
import { messages, type MessageKey } from "../../app/i18n/messages";
import { translate } from "../../app/i18n/i18n";
import type { Locale } from "../../app/i18n/locale";
import { formatDate, formatNumber, formatPercent } from "../../app/board/ui/format";

let e2e: BrowserDemo;
let demo: Demo;
const open = (pathname: string, locale?: Locale) => e2e.open(pathname, locale);

const en = (key: MessageKey, values?: Record<string, string | number>) => translate("en", key, values);
const ja = (key: MessageKey, values?: Record<string, string | number>) => translate("ja", key, values);

beforeAll(async () => {
  e2e = await startBrowserDemo("board");
  demo = e2e.demo;
}, 900_000);

afterAll(async () => {
  await e2e?.stop();
});

interface CardText {
  number: number;
  empty: boolean;
  verdict: string;
  title: string;
  text: string;
  addCampaign: string | null;
}

async function stageCards(page: Page): Promise<CardText[]> {
  return page.locator("[data-stage]").evaluateAll((elements) =>
    elements.map((el) => ({
      number: Number(el.getAttribute("data-stage")),
      empty: el.getAttribute("data-empty") === "true",
      verdict: el.getAttribute("data-verdict") ?? "",
      title: el.querySelector("h2")?.textContent ?? "",
      text: el.textContent ?? "",
      addCampaign: el.querySelector('a[href*="/app/campaigns?new="]')?.getAttribute("href") ?? null,
    })),
  );
}

/** Every "date – date" range on the page (the app's short dates in English), as [from, to] instants. */
function dateRanges(text: string): Array<[string, number, number]> {
  const day = "[A-Z][a-z]{2} \\d{1,2}, \\d{4}";
  return [...text.matchAll(new RegExp(`(${day}) – (${day})`, "g"))].map((m) => [
    m[0],
    Date.parse(`${m[1]} UTC`),
    Date.parse(`${m[2]} UTC`),
  ]);
}

const STAGE_KM: Record<3 | 4 | 5, { rate: MessageKey; base: MessageKey }> = {
  3: { rate: "conversion.km.s3", base: "conversion.km.base.s3" },
  4: { rate: "conversion.km.s4", base: "conversion.km.base.s4" },
  5: { rate: "conversion.km.s5", base: "conversion.km.base.s5" },
};
const JUDGED = ["weak", "notStrong", "typical", "notWeak", "strong"];

const bannerText = async (page: Page): Promise<string> => {
  const banner = page.locator('[data-testid="empty-stages-banner"]');
  return (await banner.count()) > 0 ? ((await banner.textContent()) ?? "") : "";
};

/** The whole page in one viewport (so sticky bars, such as the customers list's pager, sit where they belong). */
async function screenshot(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 8000) });
  await page.waitForTimeout(300); // layout after the resize
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true, animations: "disabled" });
}

/**
 * The stages that should carry the "no campaign" flag, worked out here from the stored campaigns with the rule the
 * README states, not with the app's own code: a campaign is active while it runs now — started (or without a start),
 * not ended (an end date is exclusive), and, for campaigns from Shopify, with the status ACTIVE or SCHEDULED
 * (manual campaigns have no status); campaigns the merchant hid are not on the board.
 */
async function expectedEmptyStages(): Promise<number[]> {
  const now = Date.now();
  const campaigns = await demo.db.campaign.findMany({ where: { shop: DEMO_SHOP } });
  const running = campaigns.filter(
    (c) =>
      !c.hidden &&
      (c.startsAt === null || c.startsAt.getTime() <= now) &&
      (c.endsAt === null || c.endsAt.getTime() > now) &&
      (c.status === null || c.status === "" || ["ACTIVE", "SCHEDULED"].includes(c.status.toUpperCase())),
  );
  return [1, 2, 3, 4, 5].filter((stage) => !running.some((c) => c.stage === stage));
}

let manualStage = 0;
const MANUAL_NAME = "Thank-you postcard in every parcel";
const ACTIVITY_TITLE = "Instagram reach ads";

describe("the stage board in the browser, on the Online Retail store", () => {
  it("judges all five stages, each with its estimate, interval and customers as stored; no date range runs backwards", async () => {
    const page = await open("/app");
    expect(await page.locator("h1").first().textContent()).toBe(en("board.title"));
    const cards = await stageCards(page);
    expect(cards.map((c) => c.number)).toEqual([1, 2, 3, 4, 5]);
    for (const card of cards) {
      expect(card.title).toMatch(new RegExp(`^Stage ${card.number}: `));
      expect(card.text).toContain(en("board.conversion"));
      // A verdict the interval allows on every stage of a year of Online Retail: none "not sure yet", none unmeasured.
      expect(JUDGED, `Stage ${card.number}: ${card.verdict}`).toContain(card.verdict);
      expect(card.text).toContain(en(`verdict.${card.verdict}` as MessageKey));
    }
    // Stages 3–5 are measured from the imported orders (a shop this size is measured on the request, never shown as
    // "being measured"), stored as StageConversion rows, and the cards say what was stored.
    const rows = await demo.db.stageConversion.findMany({ where: { shop: DEMO_SHOP }, orderBy: { stage: "asc" } });
    expect(rows.map((r) => r.stage)).toEqual([2, 3, 4, 5]);
    for (const row of rows.slice(1)) {
      const stage = row.stage as 3 | 4 | 5;
      const card = cards[stage - 1];
      expect(card.text).not.toContain(en("conversion.measuring"));
      expect(row.rate, `Stage ${stage} has an estimate`).not.toBeNull();
      expect(card.text).toContain(
        en(STAGE_KM[stage].rate, { rate: formatPercent("en", row.rate!), days: row.horizonDays! }),
      );
      expect(card.text).toContain(
        en("conversion.interval", {
          lower: formatPercent("en", row.rateLower!),
          upper: formatPercent("en", row.rateUpper!),
        }),
      );
      expect(card.text).toContain(
        en(STAGE_KM[stage].base, {
          customers: row.base!,
          converted: formatNumber("en", row.converted),
          from: formatDate("en", row.cohortFrom!.toISOString()),
          to: formatDate("en", row.cohortTo!.toISOString()),
        }),
      );
    }
    // A year of history: stages 4 and 5 are estimated within fewer days than their 365-day window, and say so.
    for (const stage of [4, 5])
      expect(cards[stage - 1].text).toContain("too few of this shop's customers have been followed for 365 days yet");
    const body = (await page.locator("body").textContent()) ?? "";
    const ranges = dateRanges(body);
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    for (const [text, from, to] of ranges) expect(from, text).toBeLessThanOrEqual(to);
    // The weakest-stage call says how sure it is.
    const certainty = (await page.locator('[data-testid="weakest-certainty"]').textContent()) ?? "";
    expect(certainty === en("board.weakest.clear") || certainty.startsWith("Likely, not certain: "), certainty).toBe(
      true,
    );
    expect(await page.locator('[data-testid="conversions-measured-at"]').textContent()).toMatch(
      /^Conversions measured /,
    );
    // The levels the stages move customers between carry the imported customers.
    const counts = await demo.db.stageCount.findMany({ where: { shop: DEMO_SHOP } });
    const firstTime = counts.find((c) => c.stage === "first-time-buyer")?.customers ?? 0;
    expect(firstTime).toBeGreaterThan(0);
    expect(cards[3].text).toContain(formatNumber("en", firstTime));
    await page.close();
  });

  it("each stage card offers 'Add a campaign', opening the campaigns page's form preset to that stage", async () => {
    const page = await open("/app");
    for (const card of await stageCards(page)) {
      expect(card.addCampaign, `Stage ${card.number}`).toMatch(new RegExp(`/app/campaigns\\?new=${card.number}$`));
      expect(card.text).toContain(en("board.addCampaign"));
    }
    await page.close();
  });

  it("the Man arrow starts from the month's visitors and says what its shape means for this shop", async () => {
    const page = await open("/app");
    const shown = await page
      .locator('[data-testid="man-arrow"] [data-level]')
      .evaluateAll((els) => els.map((el) => [el.getAttribute("data-level"), el.getAttribute("data-count")]));
    const counts = new Map(
      (await demo.db.stageCount.findMany({ where: { shop: DEMO_SHOP } })).map((c) => [c.stage, c.customers]),
    );
    // The Visitors level is the last complete month's visitors from the (simulated) analytics.
    const months = await demo.db.shopAnalyticsMonth.findMany({ where: { shop: DEMO_SHOP }, orderBy: { month: "asc" } });
    const current = new Date().toISOString().slice(0, 7);
    const lastComplete = months.filter((m) => m.month < current && m.visitors != null).at(-1)!;
    const expected: Array<[string, number]> = [
      ["visitor", lastComplete.visitors!],
      ...["enquirer", "first-time-buyer", "repeat-buyer", "regular-buyer"].map((l): [string, number] => [
        l,
        counts.get(l) ?? 0,
      ]),
    ];
    expect(shown).toEqual(expected.map(([l, n]) => [l, String(n)]));
    const caption = (await page.locator('[data-testid="man-caption"]').textContent()) ?? "";
    let inversions = 0;
    for (let i = 1; i < expected.length; i++) {
      const [level, count] = expected[i];
      const below = expected[i - 1][1];
      const key = `board.arrows.inversion.${level}` as MessageKey;
      expect(
        caption.includes(en(key, { count: formatNumber("en", count), below: formatNumber("en", below) })),
        `${level}: ${count} vs ${below}`,
      ).toBe(count > below);
      if (count > below) inversions++;
    }
    // Online Retail's buyers mostly come back: the arrow is not a funnel, and the caption does not claim one.
    expect(inversions).toBeGreaterThan(0);
    expect(caption).not.toContain(en("board.arrows.man.narrowing"));
    await page.close();
  });

  it("flags the stages without campaigns, on each card and in the banner", async () => {
    const page = await open("/app");
    const cards = await stageCards(page);
    const expectedEmpty = await expectedEmptyStages();
    expect(cards.filter((c) => c.empty).map((c) => c.number)).toEqual(expectedEmpty);
    // Campaigns are found in the demo's orders (simulated journeys): Stages 3–5 have them, and a stage that truly has
    // none (the store runs no marketing for Stages 1 and 2) is still flagged.
    const found = (
      await demo.db.campaign.findMany({ where: { shop: DEMO_SHOP, source: { in: ["found_campaign", "found_code"] } } })
    ).filter((c) => c.orders > 0);
    expect(new Set(found.map((c) => c.stage))).toEqual(new Set([3, 4, 5]));
    expect(found.every((c) => c.simulated)).toBe(true);
    for (const n of [3, 4, 5]) expect(cards.find((c) => c.number === n)!.empty, `Stage ${n}`).toBe(false);
    expect(expectedEmpty).toEqual([1, 2]);
    const banner = await bannerText(page);
    for (const card of cards) {
      expect(card.text.includes(en("board.badge.noCampaign")), `Stage ${card.number} badge`).toBe(card.empty);
      expect(banner.includes(card.title), `Stage ${card.number} in the banner`).toBe(card.empty);
    }
    expect(banner).toContain(en("board.emptyBanner.title", { count: expectedEmpty.length }));
    manualStage = [2, 1].find((n) => expectedEmpty.includes(n)) ?? 0;
    expect(manualStage).toBeGreaterThan(0);
    await page.close();
  });

  it("the campaigns page lists the campaigns found in orders, labelled simulated, with orders per stage; ?new= presets the form", async () => {
    const stored = await demo.db.campaign.findFirst({
      where: { shop: DEMO_SHOP, source: "found_campaign", orders: { gt: 0 } },
      orderBy: { orders: "desc" },
    });
    expect(stored).not.toBeNull();
    const page = await open("/app/campaigns?new=2");
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: stored!.name }).first();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain(en("source.found_campaign"));
    expect(text).toContain(en("campaigns.simulated"));
    expect(text).toContain(
      en("campaigns.figures.stage", {
        stage: stored!.stage,
        orders: JSON.parse(stored!.stageFigures!).perStage.find((s: { stage: number }) => s.stage === stored!.stage)
          .orders,
        revenue: "",
      }).replace(/,\s*$/, ""),
    );
    expect(await page.getByLabel(en("campaigns.form.stage"), { exact: true }).inputValue()).toBe("2");
    await page.close();
  });

  it("adding a manual campaign to an empty stage removes its flag", async () => {
    const form = await open("/app/campaigns");
    await form.getByLabel(en("campaigns.form.name"), { exact: true }).fill(MANUAL_NAME);
    await form.getByLabel(en("campaigns.form.stage"), { exact: true }).selectOption(String(manualStage));
    await form.getByRole("button", { name: en("campaigns.form.submit") }).click();
    await form.getByText(en("campaigns.form.added")).waitFor({ timeout: 30_000 });
    // The list is loaded again after the action: the new campaign is in it.
    await form.locator(".Polaris-IndexTable__TableRow", { hasText: MANUAL_NAME }).waitFor({ timeout: 30_000 });
    await form.close();

    const page = await open("/app");
    const card = (await stageCards(page)).find((c) => c.number === manualStage)!;
    expect(card.empty).toBe(false);
    expect(card.text).toContain(MANUAL_NAME);
    expect(card.text).toContain(en("board.badge.campaigns", { count: 1 }));
    expect(card.text).not.toContain(en("board.badge.noCampaign"));
    expect(await bannerText(page)).not.toContain(card.title);
    await page.close();
  });

  it("importing a marketing activity with tactic AD ('Refresh now') fills Stage 1", async () => {
    let page = await open("/app");
    expect((await stageCards(page)).find((c) => c.number === 1)!.empty).toBe(true);
    await page.close();

    demo.devStore.addMarketingActivity(DEMO_SHOP, {
      title: ACTIVITY_TITLE,
      tactic: "AD",
      marketingChannelType: "SOCIAL",
    });
    const campaigns = await open("/app/campaigns");
    await campaigns.getByRole("button", { name: en("campaigns.refresh") }).click();
    await campaigns.getByText(en("campaigns.refreshed", { activities: 1, discounts: 0 })).waitFor({ timeout: 60_000 });
    const row = campaigns.locator(".Polaris-IndexTable__TableRow", { hasText: ACTIVITY_TITLE });
    expect(await row.textContent()).toContain(en("tactic.AD"));
    await campaigns.close();

    page = await open("/app");
    const cards = await stageCards(page);
    const stage1 = cards.find((c) => c.number === 1)!;
    expect(stage1.empty).toBe(false);
    expect(stage1.text).toContain(ACTIVITY_TITLE);
    expect(stage1.text).not.toContain(en("board.badge.noCampaign"));
    expect(await bannerText(page)).not.toContain(stage1.title);
    expect(cards.filter((c) => c.empty).map((c) => c.number)).toEqual(await expectedEmptyStages());
    await screenshot(page, "board-en.png");
    await page.close();
  });

  it("renders Japanese for the Japanese locale", async () => {
    const page = await open("/app", "ja");
    expect(await page.locator("h1").first().textContent()).toBe(ja("board.title"));
    const cards = await stageCards(page);
    expect(cards).toHaveLength(5);
    for (const card of cards) {
      expect(card.title).toMatch(new RegExp(`^ステージ ${card.number}：`));
      expect(card.text).toContain(ja("board.conversion"));
      expect(card.text.includes(ja("board.badge.noCampaign"))).toBe(card.empty);
    }
    const body = (await page.locator("body").textContent()) ?? "";
    for (const key of [
      "board.title",
      "board.conversion",
      "board.badge.noCampaign",
      "board.method.title",
      "board.arrows.title",
    ] as const) {
      expect(body, key).not.toContain(messages.en[key]);
    }
    expect(await page.locator('[data-testid="conversions-measured-at"]').textContent()).toMatch(
      /^コンバージョンの測定日時/,
    );
    await screenshot(page, "board-ja.png");
    await page.close();
  });

  it("the CLV chart's labels are whole in Dutch and on a 390 px phone, and the page fits the phone's width", async () => {
    const labelsOf = (page: Page) => page.locator('[data-testid="clv-chart"] svg text').allTextContents();
    const nl = await open("/app", "nl");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await nl.screenshot({ path: path.join(SCREENSHOTS, "board-nl.png"), fullPage: true, animations: "disabled" });
    const dutch = await labelsOf(nl);
    expect(dutch.length).toBeGreaterThan(0);
    expect(
      dutch.filter((label) => label.includes("…")),
      "labels cut by the chart",
    ).toEqual([]);
    expect(
      dutch.some((label) => /£\s?[\d.]+/.test(label)),
      "money in Dutch format on the bars",
    ).toBe(true);
    await nl.close();
    const phone = await open("/app");
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.waitForFunction(
      () => document.querySelectorAll('[data-testid="clv-chart"] svg text').length > 0,
      undefined,
      { timeout: 30_000 },
    );
    await phone.waitForTimeout(500); // the chart lays itself out again for the new width
    expect((await labelsOf(phone)).filter((label) => label.includes("…"))).toEqual([]);
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, "horizontal overflow at 390 px").toBeLessThanOrEqual(0);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await phone.screenshot({
      path: path.join(SCREENSHOTS, "board-en-390.png"),
      fullPage: true,
      animations: "disabled",
    });
    await phone.close();
  });

  it("the CLV arrow and the customers page show the predicted 12-month value the import fitted", async () => {
    // The demo shop clears every bar the README sets for a fit (500 buyers, 180 days of history, 100 repeat buyers),
    // counted here from its orders: a year of Online Retail has thousands of each.
    const orders = await demo.db.order.findMany({
      where: { shop: DEMO_SHOP, customerGid: { not: null }, cancelled: false, test: false },
      select: { customerGid: true, createdAt: true },
    });
    const daysByBuyer = new Map<string, Set<string>>();
    for (const o of orders)
      daysByBuyer.set(
        o.customerGid!,
        (daysByBuyer.get(o.customerGid!) ?? new Set()).add(o.createdAt.toISOString().slice(0, 10)),
      );
    const times = orders.map((o) => o.createdAt.getTime());
    expect(daysByBuyer.size).toBeGreaterThanOrEqual(500);
    expect([...daysByBuyer.values()].filter((days) => days.size >= 2).length).toBeGreaterThanOrEqual(100);
    expect((Math.max(...times) - Math.min(...times)) / 86_400_000).toBeGreaterThanOrEqual(180);

    const fit = await demo.db.shopPrediction.findUnique({ where: { shop: DEMO_SHOP } });
    expect(fit, "the import refits the shop's value models").not.toBeNull();
    expect(fit!.status, `the fit on the demo shop: ${fit!.code ?? ""} ${fit!.reason ?? ""}`).toBe("ok");
    const board = await open("/app");
    const text = (await board.locator("body").textContent()) ?? "";
    const customers = await open("/app/customers");
    const header = (await customers.locator("thead").textContent()) ?? "";
    expect(text).toContain(
      en("board.arrows.clvPredictedHelp", { date: formatDate("en", fit!.fittedAt.toISOString()) }),
    );
    expect(text).not.toContain(en("prediction.fallback"));
    expect(header).toContain(en("customers.col.predicted"));
    expect(header).toContain(en("customers.col.alive"));
    expect((await customers.locator("body").textContent()) ?? "").toContain(
      en("customers.prediction.ok", { buyers: fit!.buyers, date: formatDate("en", fit!.fittedAt.toISOString()) }),
    );
    await board.close();
    await customers.close();
  });

  it("shows the customers and settings pages (screenshots kept)", async () => {
    const customers = await open("/app/customers");
    expect(await customers.locator("h1").first().textContent()).toBe(en("customers.title"));
    expect(await customers.locator(".Polaris-IndexTable__TableRow").count()).toBeGreaterThan(0);
    await screenshot(customers, "customers-en.png");
    await customers.close();

    const settings = await open("/app/settings");
    expect(await settings.locator("h1").first().textContent()).toBe(en("settings.title"));
    await screenshot(settings, "settings-en.png");
    await settings.close();

    for (const name of ["board-en.png", "board-ja.png", "customers-en.png", "settings-en.png"]) {
      expect(fs.statSync(path.join(SCREENSHOTS, name)).size, name).toBeGreaterThan(10_000);
    }
  });

  it("Settings: one save flow through Shopify's save bar; errors on the field at fault; the board says it is updating until the reclassification is in", async () => {
    const settings = await open("/app/settings");
    const saveBar = settings.locator("ui-save-bar");
    const invalid = () =>
      settings.locator('input[aria-invalid="true"]').evaluateAll((els) => els.map((el) => el.getAttribute("name")));
    // No Save button on the page: saving is the save bar's, and it opens only with a change.
    expect(await settings.getByRole("button", { name: en("settings.save"), exact: true }).count()).toBe(0);
    expect(await saveBar.getAttribute("data-open")).toBeNull();
    const field = settings.getByLabel(en("settings.field.regularMinOrders"), { exact: true });
    await field.fill("0");
    await saveBar.and(settings.locator("[data-open]")).waitFor({ timeout: 30_000 });
    await settings.getByRole("button", { name: en("settings.preview"), exact: true }).click();
    await settings.locator('[data-testid="settings-error"]').waitFor({ timeout: 60_000 });
    expect(await settings.locator('[data-testid="settings-error"]').textContent()).toContain(
      en("settings.preview.error"),
    );
    expect(await invalid()).toEqual(["regularMinOrders"]);

    await field.fill("4");
    const requestedBefore = Date.now();
    await saveBar.locator('button[variant="primary"]').click();
    await settings.locator('[data-testid="settings-saved"]').waitFor({ timeout: 60_000 });
    expect(await settings.locator('[data-testid="settings-saved"]').textContent()).toContain(
      en("settings.savedReclassifying"),
    );
    expect(await saveBar.getAttribute("data-open")).toBeNull();
    expect(await invalid()).toEqual([]);
    await settings.close();

    const shopRow = () =>
      demo.db.shop.findUniqueOrThrow({
        where: { domain: DEMO_SHOP },
        select: { reclassifyRequestedAt: true, settingsAppliedAt: true },
      });
    const requested = (await shopRow()).reclassifyRequestedAt!;
    expect(requested.getTime()).toBeGreaterThanOrEqual(requestedBefore - 1000);
    const applied = async () => {
      const row = await shopRow();
      return row.settingsAppliedAt != null && row.settingsAppliedAt >= requested;
    };
    const appliedBefore = await applied();
    const board = await open("/app");
    const appliedAfter = await applied();
    const updating = board.locator('[data-testid="board-updating"]');
    // Whatever the machine's speed: a reclassification still running when the page was read shows the banner,
    // one finished before it does not.
    if (!appliedAfter) expect(await updating.count()).toBe(1);
    if (appliedBefore) expect(await updating.count()).toBe(0);
    // The board reloads itself until the reclassification is in, then shows the counts it left.
    await updating.waitFor({ state: "detached", timeout: 600_000 });
    expect(await applied()).toBe(true);
    const counts = new Map(
      (await demo.db.stageCount.findMany({ where: { shop: DEMO_SHOP } })).map((c) => [c.stage, c.customers]),
    );
    const shown = await board
      .locator('[data-testid="man-arrow"] [data-level]')
      .evaluateAll((els) => els.map((el) => [el.getAttribute("data-level"), el.getAttribute("data-count")]));
    for (const [level, count] of shown.slice(1)) expect(count, level!).toBe(String(counts.get(level!) ?? 0));
    await board.close();
  }, 900_000);

  it("Settings → Privacy: Shopify's data request for a customer is listed, downloads as that customer's rows, and is marked handed over", async () => {
    const customer = await demo.db.customer.findFirst({
      where: { shop: DEMO_SHOP, qualifyingOrders: { gte: 2 } },
      orderBy: { id: "asc" },
    });
    const customerId = customer!.gid.slice(customer!.gid.lastIndexOf("/") + 1);
    // Shopify sends customers/data_request to the app's compliance address; the app's worker stores the export.
    demo.devStore.requestCustomerData(Number(customerId));
    await demo.devStore.webhooks.drain();
    const deadline = Date.now() + 60_000;
    while ((await demo.db.dataRequestExport.count({ where: { shop: DEMO_SHOP, handedOverAt: null } })) === 0) {
      expect(Date.now() < deadline, "the data request was stored").toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // Settings links to it (following the link needs App Bridge's session token, which the stub does not give).
    const settings = await open("/app/settings");
    expect(await settings.getByRole("link", { name: en("privacy.link.action") }).getAttribute("href")).toBe(
      "/app/settings/privacy",
    );
    await settings.close();

    const page = await open("/app/settings/privacy");
    expect(await page.locator("h1").first().textContent()).toBe(en("privacy.title"));
    const row = page.locator(".Polaris-IndexTable__TableRow", {
      hasText: en("customers.customerLabel", { id: customerId }),
    });
    expect(await row.count()).toBe(1);
    expect((await page.locator("body").textContent()) ?? "").toContain(en("privacy.pending.title", { count: 1 }));

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("button", { name: en("privacy.download.json") }).click(),
    ]);
    const file = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as {
      customer: string;
      storedData: { orders: Array<{ gid: string }> };
    };
    expect(file.customer).toBe(customer!.gid);
    const orders = await demo.db.order.findMany({
      where: { shop: DEMO_SHOP, customerGid: customer!.gid },
      select: { gid: true },
    });
    expect(file.storedData.orders.map((o) => o.gid).sort()).toEqual(orders.map((o) => o.gid).sort());
    await screenshot(page, "privacy-en.png");

    await row.getByRole("button", { name: en("privacy.handOver") }).click();
    await page.getByText(en("privacy.handedOver.done")).waitFor({ timeout: 30_000 });
    await page.getByText(en("privacy.pending.empty")).waitFor({ timeout: 30_000 });
    const stored = await demo.db.dataRequestExport.findFirst({
      where: { shop: DEMO_SHOP, customerGid: customer!.gid },
    });
    expect(stored?.handedOverAt).not.toBeNull();
    await page.close();
  });
});
