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
  /** Cursors for the neighbouring pages ("<stage>:<id>"), null at either end. */
  nextAfter: string | null;
  previousBefore: string | null;
}

/**
 * Pages run through the stages in the model's order and, within a stage, by id: every page is at most one index
 * seek per stage on (shop, stage) (whose entries are in id order), at any depth and for "all stages" too.
 */
export interface Cursor {
  stage: Stage;
  id: number;
}

export function parseCursor(value: string | null | undefined): Cursor | null {
  const match = /^([a-z-]+):(\d+)$/.exec(value ?? "");
  if (!match || !(STAGES as readonly string[]).includes(match[1])) return null;
  const id = Number(match[2]);
  return Number.isSafeInteger(id) ? { stage: match[1] as Stage, id } : null;
}

const cursorOf = (row: { stage: string | null; id: number }) => `${row.stage}:${row.id}`;

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

function stagesOf(filter: StageFilter): Stage[] {
  return filter === "all" ? [...STAGES] : [filter];
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

async function seek(db: Db, shop: string, stages: readonly Stage[], from: Cursor | null, take: number, backwards: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const order = backwards ? [...stages].reverse() : stages;
  const startAt = from ? Math.max(0, order.indexOf(from.stage)) : 0;
  for (let i = startAt; i < order.length && rows.length < take; i++) {
    const bound = from && i === startAt && order[i] === from.stage ? { id: backwards ? { lt: from.id } : { gt: from.id } } : {};
    rows.push(
      ...(await db.customer.findMany({
        where: { shop, stage: order[i], deletedAt: null, ...bound },
        orderBy: { id: backwards ? "desc" : "asc" },
        take: take - rows.length,
        select: SELECT,
      })),
    );
  }
  return rows;
}

export async function listCustomers(
  db: Db,
  shop: string,
  options: { stage: StageFilter; after?: Cursor | null; before?: Cursor | null; pageSize?: number; now: Date },
): Promise<CustomerPage> {
  const size = options.pageSize ?? PAGE_SIZE;
  const stages = stagesOf(options.stage);
  const backwards = options.before != null;
  const [found, totals] = await Promise.all([
    seek(db, shop, stages, backwards ? options.before! : (options.after ?? null), size + 1, backwards),
    stageTotals(db, shop),
  ]);
  const more = found.length > size;
  const page = found.slice(0, size);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  return {
    rows: page.map((r) => toListRow(r, options.now)),
    total: totals[options.stage],
    nextAfter: last && (backwards || more) ? cursorOf(last) : null,
    previousBefore: first && (backwards ? more : options.after != null) ? cursorOf(first) : null,
  };
}

/** Every customer of the filter (stage by stage, by id), in batches, for the CSV export (constant memory). */
export async function* exportCustomers(db: Db, shop: string, stage: StageFilter, now: Date): AsyncGenerator<CustomerListRow[]> {
  for (const s of stagesOf(stage)) {
    let after = 0;
    for (;;) {
      const batch = await db.customer.findMany({
        where: { shop, stage: s, deletedAt: null, id: { gt: after } },
        orderBy: { id: "asc" },
        take: EXPORT_BATCH,
        select: SELECT,
      });
      if (batch.length === 0) break;
      after = batch[batch.length - 1].id;
      yield batch.map((r) => toListRow(r, now));
    }
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
