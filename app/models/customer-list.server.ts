/**
 * What the Customers page and its CSV export read: customers of a shop, optionally of one stage, paged by id on the
 * server (keyset: the (shop, stage) index holds rows in id order, so a page is an index seek, never an OFFSET scan), or
 * sorted by predicted 12-month value (keyset on (predictedValueMinor, id) through the (shop, stage,
 * predictedValueMinor, id) index, all stages merged from one range read per stage; customers without a prediction
 * come last, by id).
 * Totals come from StageCount, precomputed by the sync layer.
 */
import type { Db } from "../db.server";
import { DAY_MS, STAGES, type Explanation, type Stage } from "../lifecycle";
import { parseInt64, parseRowId } from "../domain/ids";

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
  /** The model's structured explanation; the page and the CSV word it in the merchant's language (app/i18n/explain.ts). */
  explanation: Explanation;
  daysSinceLastOrder: number | null;
  lastOrderAt: string | null;
  qualifyingOrders: number;
  netSpentMinor: string;
  /** Predicted value of the next 12 months (minor units, decimal string) as of the shop's last fit, or null. */
  predictedValueMinor: string | null;
  /** P(alive): the chance the customer is still buying, as of the shop's last fit, or null. */
  probabilityAlive: number | null;
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
  const id = parseRowId(match[2]);
  return id === null ? null : { stage: match[1] as Stage, id };
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
  predictedValueMinor: true,
  probabilityAlive: true,
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
  predictedValueMinor?: bigint | null;
  probabilityAlive?: number | null;
};

export function toListRow(row: Row, now: Date): CustomerListRow {
  return {
    id: row.id,
    customerId: numericCustomerId(row.gid),
    gid: row.gid,
    stage: row.stage as Stage | null,
    winbackTier: row.winbackTier,
    explanation: parseExplanation(row.explanation),
    daysSinceLastOrder: row.lastOrderAt
      ? Math.max(0, Math.floor((now.getTime() - row.lastOrderAt.getTime()) / DAY_MS))
      : null,
    lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
    qualifyingOrders: row.qualifyingOrders,
    netSpentMinor: row.netSpentMinor.toString(),
    predictedValueMinor: row.predictedValueMinor == null ? null : row.predictedValueMinor.toString(),
    probabilityAlive: row.probabilityAlive ?? null,
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

async function seek(
  db: Db,
  shop: string,
  stages: readonly Stage[],
  from: Cursor | null,
  take: number,
  backwards: boolean,
): Promise<Row[]> {
  const rows: Row[] = [];
  const order = backwards ? [...stages].reverse() : stages;
  const startAt = from ? Math.max(0, order.indexOf(from.stage)) : 0;
  for (let i = startAt; i < order.length && rows.length < take; i++) {
    const bound =
      from && i === startAt && order[i] === from.stage ? { id: backwards ? { lt: from.id } : { gt: from.id } } : {};
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
  options: {
    stage: StageFilter;
    /** "stage" (default): stage by stage, by id; "value-desc"/"value-asc": by predicted 12-month value. */
    sort?: CustomerSort;
    after?: Cursor | ValueCursor | null;
    before?: Cursor | ValueCursor | null;
    pageSize?: number;
    now: Date;
  },
): Promise<CustomerPage> {
  const sort = options.sort ?? "stage";
  if (sort !== "stage") return listByValue(db, shop, { ...options, sort });
  const after = options.after && "stage" in options.after ? options.after : null;
  const before = options.before && "stage" in options.before ? options.before : null;
  const size = options.pageSize ?? PAGE_SIZE;
  const stages = stagesOf(options.stage);
  const backwards = before != null;
  const [found, totals] = await Promise.all([
    seek(db, shop, stages, backwards ? before : after, size + 1, backwards),
    stageTotals(db, shop),
  ]);
  return pageOf(found, {
    size,
    backwards,
    hasAfter: after != null,
    total: totals[options.stage],
    now: options.now,
    cursor: cursorOf,
  });
}

/**
 * A page from `size + 1` rows read in seek order (reversed when paging backwards), with the cursors to its
 * neighbours: the extra row only tells whether there is more beyond.
 */
function pageOf(
  found: Row[],
  o: { size: number; backwards: boolean; hasAfter: boolean; total: number; now: Date; cursor: (row: Row) => string },
): CustomerPage {
  const more = found.length > o.size;
  const page = found.slice(0, o.size);
  if (o.backwards) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  return {
    rows: page.map((r) => toListRow(r, o.now)),
    total: o.total,
    nextAfter: last && (o.backwards || more) ? o.cursor(last) : null,
    previousBefore: first && (o.backwards ? more : o.hasAfter) ? o.cursor(first) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Sorted by predicted value

export const CUSTOMER_SORTS = ["stage", "value-desc", "value-asc"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export function parseCustomerSort(value: string | null | undefined): CustomerSort {
  return value && (CUSTOMER_SORTS as readonly string[]).includes(value) ? (value as CustomerSort) : "stage";
}

/**
 * A position in the value order: the predicted value (minor units) and id of a row, or `value: null` for the rows
 * without a prediction, which come after every predicted row (in either direction), by id.
 */
export interface ValueCursor {
  value: bigint | null;
  id: number;
}

/** "v:<value>:<id>" or "n:<id>" (no prediction); null when malformed. */
export function parseValueCursor(value: string | null | undefined): ValueCursor | null {
  const predicted = /^v:(-?\d+):(\d+)$/.exec(value ?? "");
  if (predicted) {
    const [minor, id] = [parseInt64(predicted[1]), parseRowId(predicted[2])];
    return minor === null || id === null ? null : { value: minor, id };
  }
  const none = /^n:(\d+)$/.exec(value ?? "");
  const id = none ? parseRowId(none[1]) : null;
  return id === null ? null : { value: null, id };
}

/** The cursor parser of a sort order (the route reads `after`/`before` with it). */
export function parseCursorFor(sort: CustomerSort, value: string | null | undefined): Cursor | ValueCursor | null {
  return sort === "stage" ? parseCursor(value) : parseValueCursor(value);
}

const valueCursorOf = (row: { predictedValueMinor?: bigint | null; id: number }) =>
  row.predictedValueMinor == null ? `n:${row.id}` : `v:${row.predictedValueMinor}:${row.id}`;

type Direction = "asc" | "desc";

/**
 * Rows in one segment of the value order, `direction` as stored in the index: predicted rows by (value, id),
 * the rest by id. `from` excludes everything up to and including the cursor. Each query is one range seek on
 * (shop, stage, predictedValueMinor): only rows tied with the cursor's value are filtered. All stages are one such
 * read per stage, merged: the only value index is per stage, since a rewritten prediction moves its row's entry in
 * every value index, and a second one made each of the nightly refit's writes cost half as much again
 * (app/models/prediction.server.ts).
 */
async function valueSegment(
  db: Db,
  shop: string,
  stage: StageFilter,
  predicted: boolean,
  direction: Direction,
  from: ValueCursor | null,
  take: number,
): Promise<Row[]> {
  if (stage === "all") {
    const perStage = await Promise.all(STAGES.map((s) => valueSegment(db, shop, s, predicted, direction, from, take)));
    return perStage.flat().sort(valueOrder(direction)).slice(0, take);
  }
  const base = { shop, deletedAt: null, stage };
  const after = direction === "desc" ? "lt" : "gt";
  const afterOrAt = direction === "desc" ? "lte" : "gte";
  if (predicted) {
    const bound =
      from && from.value != null
        ? {
            predictedValueMinor: { [afterOrAt]: from.value },
            OR: [{ predictedValueMinor: { [after]: from.value } }, { id: { [after]: from.id } }],
          }
        : { predictedValueMinor: { not: null } };
    return db.customer.findMany({
      where: { ...base, ...bound },
      orderBy: [{ predictedValueMinor: direction }, { id: direction }],
      take,
      select: SELECT,
    });
  }
  return db.customer.findMany({
    where: { ...base, predictedValueMinor: null, ...(from && from.value == null ? { id: { [after]: from.id } } : {}) },
    orderBy: { id: direction },
    take,
    select: SELECT,
  });
}

/** The value order within a segment: (value, id), a missing value before any, each ascending or descending. */
function valueOrder(direction: Direction): (a: Row, b: Row) => number {
  const sign = direction === "desc" ? -1 : 1;
  return (a, b) => {
    const [x, y] = [a.predictedValueMinor ?? null, b.predictedValueMinor ?? null];
    if (x !== y) return sign * (x === null ? -1 : y === null ? 1 : x < y ? -1 : 1);
    return sign * (a.id - b.id);
  };
}

async function listByValue(
  db: Db,
  shop: string,
  options: {
    stage: StageFilter;
    sort: Exclude<CustomerSort, "stage">;
    after?: Cursor | ValueCursor | null;
    before?: Cursor | ValueCursor | null;
    pageSize?: number;
    now: Date;
  },
): Promise<CustomerPage> {
  const size = options.pageSize ?? PAGE_SIZE;
  const asValue = (c: Cursor | ValueCursor | null | undefined) => (c && !("stage" in c) ? c : null);
  const after = asValue(options.after);
  const before = asValue(options.before);
  const backwards = before != null;
  const from = backwards ? before : after;
  // The page's order: predicted rows (value, then id) and then the rest (id); read backwards for a previous page.
  const forward: Direction = options.sort === "value-desc" ? "desc" : "asc";
  const direction: Direction = backwards ? (forward === "desc" ? "asc" : "desc") : forward;
  const segments = backwards ? [false, true] : [true, false];
  const start = from ? segments.indexOf(from.value != null) : 0;
  const found: Row[] = [];
  const [, totals] = await Promise.all([
    (async () => {
      for (let i = start; i < segments.length && found.length < size + 1; i++) {
        found.push(
          ...(await valueSegment(
            db,
            shop,
            options.stage,
            segments[i],
            direction,
            i === start ? from : null,
            size + 1 - found.length,
          )),
        );
      }
    })(),
    stageTotals(db, shop),
  ]);
  return pageOf(found, {
    size,
    backwards,
    hasAfter: after != null,
    total: totals[options.stage],
    now: options.now,
    cursor: valueCursorOf,
  });
}

/** The shop's currency (Shopify's CurrencyCode), as the import stored it; null before the first import. */
export async function readShopCurrency(db: Db, shop: string): Promise<string | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currencyCode: true } });
  return row?.currencyCode ?? null;
}

/** Every customer of the filter (stage by stage, by id), in batches, for the CSV export (constant memory). */
export async function* exportCustomers(
  db: Db,
  shop: string,
  stage: StageFilter,
  now: Date,
): AsyncGenerator<CustomerListRow[]> {
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
