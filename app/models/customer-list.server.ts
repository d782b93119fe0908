/**
 * The Customers page and its CSV export: customers of a shop, optionally of one stage, paged by id on the server
 * (keyset: the (shop, stage) index holds rows in id order, so a page is an index seek, never an OFFSET scan).
 * Totals come from StageCount, precomputed by the sync layer.
 */
import type { Db } from "../db.server";
import { DAY_MS, explain, STAGES, type Explanation, type Stage } from "../lifecycle";
import { translate } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import type { Locale } from "../i18n/locale";
import { csvLine, minorToDecimal } from "../board/csv";

export const PAGE_SIZE = 50;
export const EXPORT_BATCH = 2000;

export type StageFilter = Stage | "all";

export function parseStageFilter(value: string | null | undefined): StageFilter {
  return value && (STAGES as readonly string[]).includes(value) ? (value as Stage) : "all";
}

export interface CustomerListRow {
  id: number;
  /** Shopify's numeric customer id (the last part of the GID), for shopify:admin/customers/<id>. */
  customerId: string;
  gid: string;
  stage: Stage | null;
  winbackTier: number | null;
  /** The model's structured explanation; the page renders it in the merchant's language with explain(). */
  explanation: Explanation;
  daysSinceLastOrder: number | null;
  lastOrderAt: string | null;
  qualifyingOrders: number;
  netSpentMinor: string;
}

export interface CustomerPage {
  rows: CustomerListRow[];
  total: number;
  /** Cursors for the neighbouring pages (ids), null at either end. */
  nextAfter: number | null;
  previousBefore: number | null;
}

export function numericCustomerId(gid: string): string {
  return gid.slice(gid.lastIndexOf("/") + 1);
}

export function parseExplanation(json: string | null): Explanation {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as Explanation) : [];
  } catch {
    return [];
  }
}

const SELECT = {
  id: true,
  gid: true,
  stage: true,
  winbackTier: true,
  explanation: true,
  lastOrderAt: true,
  qualifyingOrders: true,
  netSpentMinor: true,
} as const;

type Row = {
  id: number;
  gid: string;
  stage: string | null;
  winbackTier: number | null;
  explanation: string | null;
  lastOrderAt: Date | null;
  qualifyingOrders: number;
  netSpentMinor: bigint;
};

export function toListRow(row: Row, now: Date): CustomerListRow {
  return {
    id: row.id,
    customerId: numericCustomerId(row.gid),
    gid: row.gid,
    stage: row.stage as Stage | null,
    winbackTier: row.winbackTier,
    explanation: parseExplanation(row.explanation),
    daysSinceLastOrder: row.lastOrderAt ? Math.max(0, Math.floor((now.getTime() - row.lastOrderAt.getTime()) / DAY_MS)) : null,
    lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
    qualifyingOrders: row.qualifyingOrders,
    netSpentMinor: row.netSpentMinor.toString(),
  };
}

function where(shop: string, stage: StageFilter) {
  return stage === "all" ? { shop, stage: { in: [...STAGES] }, deletedAt: null } : { shop, stage, deletedAt: null };
}

export async function stageTotals(db: Db, shop: string): Promise<Record<StageFilter, number>> {
  const counts = await db.stageCount.findMany({ where: { shop }, select: { stage: true, customers: true } });
  const totals = Object.fromEntries([...STAGES, "all"].map((s) => [s, 0])) as Record<StageFilter, number>;
  for (const c of counts) {
    if ((STAGES as readonly string[]).includes(c.stage)) {
      totals[c.stage as Stage] = c.customers;
      totals.all += c.customers;
    }
  }
  return totals;
}

export async function listCustomers(
  db: Db,
  shop: string,
  options: { stage: StageFilter; after?: number | null; before?: number | null; pageSize?: number; now: Date },
): Promise<CustomerPage> {
  const size = options.pageSize ?? PAGE_SIZE;
  const backwards = options.before != null;
  const cursor = backwards ? { id: { lt: options.before! } } : options.after != null ? { id: { gt: options.after } } : {};
  const [found, totals] = await Promise.all([
    db.customer.findMany({
      where: { ...where(shop, options.stage), ...cursor },
      orderBy: { id: backwards ? "desc" : "asc" },
      take: size + 1,
      select: SELECT,
    }),
    stageTotals(db, shop),
  ]);
  const more = found.length > size;
  const page = found.slice(0, size);
  if (backwards) page.reverse();
  const rows = page.map((r) => toListRow(r, options.now));
  const first = rows[0]?.id ?? null;
  const last = rows.at(-1)?.id ?? null;
  return {
    rows,
    total: totals[options.stage],
    nextAfter: (backwards ? rows.length > 0 : more) ? last : null,
    previousBefore: (backwards ? more : options.after != null && rows.length > 0) ? first : null,
  };
}

/** Every customer of the filter in id order, in batches, for the CSV export (streamed, constant memory). */
export async function* exportCustomers(db: Db, shop: string, stage: StageFilter, now: Date): AsyncGenerator<CustomerListRow[]> {
  let after = 0;
  for (;;) {
    const batch = await db.customer.findMany({
      where: { ...where(shop, stage), id: { gt: after } },
      orderBy: { id: "asc" },
      take: EXPORT_BATCH,
      select: SELECT,
    });
    if (batch.length === 0) return;
    after = batch[batch.length - 1].id;
    yield batch.map((r) => toListRow(r, now));
  }
}

/**
 * The CSV export as a byte stream: a header in the merchant's language, then one line per customer, read in
 * batches of EXPORT_BATCH (constant memory at any shop size). UTF-8 with a byte-order mark so spreadsheet programs
 * read Japanese and accented text correctly.
 */
export function customerCsvStream(db: Db, shop: string, stage: StageFilter, now: Date, locale: Locale): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const t = (key: MessageKey) => translate(locale, key);
  let batches: AsyncGenerator<CustomerListRow[]> | null = null;
  let currency = "";
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { currencyCode: true } });
      currency = shopRow?.currencyCode ?? "";
      batches = exportCustomers(db, shop, stage, now);
      controller.enqueue(
        encoder.encode(
          "\uFEFF" +
            csvLine([
              t("csv.customerId"),
              t("csv.adminUrl"),
              t("csv.stage"),
              t("csv.winbackTier"),
              t("csv.daysSinceLastOrder"),
              t("csv.lastOrderAt"),
              t("csv.orders"),
              t("csv.netSpent"),
              t("csv.currency"),
              t("csv.explanation"),
            ]),
        ),
      );
    },
    async pull(controller) {
      const next = await batches!.next();
      if (next.done) {
        controller.close();
        return;
      }
      let chunk = "";
      for (const row of next.value) {
        chunk += csvLine([
          row.customerId,
          `https://admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}/customers/${row.customerId}`,
          row.stage ? translate(locale, `stage.${row.stage}`) : "",
          row.winbackTier,
          row.daysSinceLastOrder,
          row.lastOrderAt ? row.lastOrderAt.slice(0, 10) : "",
          row.qualifyingOrders,
          minorToDecimal(BigInt(row.netSpentMinor)),
          currency,
          explain(row.explanation, locale),
        ]);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await batches?.return(undefined);
    },
  });
}
