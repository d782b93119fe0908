/**
 * The customers CSV export: the page's columns (app/customers/columns.ts) with a header in the merchant's
 * language, every customer of the filter, read in batches (constant memory at any shop size). Numbers stay plain
 * ("1234.56", "0.8123") so spreadsheets read them in any language; UTF-8 with a byte-order mark so Japanese and
 * accented text open correctly.
 */
import type { Db } from "../db.server";
import {
  exportCustomers,
  readShopCurrency,
  type CustomerListRow,
  type StageFilter,
} from "../models/customer-list.server";
import { explain } from "../i18n/explain";
import type { MessageKey } from "../i18n/messages";
import type { Locale } from "../i18n/locale";
import { translate } from "../i18n/translate";
import { csvLine, minorToDecimal } from "../board/csv";
import { CUSTOMER_COLUMNS, type CustomerColumnId } from "./columns";

interface ExportContext {
  shop: string;
  locale: Locale;
  currency: string;
}

type CsvValue = string | number | null;

interface CsvField {
  header: MessageKey;
  value: (row: CustomerListRow, context: ExportContext) => CsvValue;
}

/** Each column's first field carries the page's own heading; the rest add what the page shows as a link or badge. */
const CSV_FIELDS: Record<CustomerColumnId, CsvField[]> = {
  customer: [
    { header: "customers.col.customer", value: (row) => row.customerId },
    {
      header: "csv.adminUrl",
      value: (row, c) =>
        `https://admin.shopify.com/store/${c.shop.replace(/\.myshopify\.com$/, "")}/customers/${row.customerId}`,
    },
  ],
  stage: [
    { header: "customers.col.stage", value: (row, c) => (row.stage ? translate(c.locale, `stage.${row.stage}`) : "") },
    { header: "csv.winbackTier", value: (row) => row.winbackTier },
    { header: "csv.explanation", value: (row, c) => explain(row.explanation, c.locale) },
  ],
  daysSince: [
    { header: "customers.col.daysSince", value: (row) => row.daysSinceLastOrder },
    { header: "csv.lastOrderAt", value: (row) => (row.lastOrderAt ? row.lastOrderAt.slice(0, 10) : "") },
  ],
  orders: [{ header: "customers.col.orders", value: (row) => row.qualifyingOrders }],
  netSpent: [
    { header: "customers.col.netSpent", value: (row) => minorToDecimal(BigInt(row.netSpentMinor)) },
    { header: "csv.currency", value: (_row, c) => c.currency },
  ],
  predicted: [
    {
      header: "customers.col.predicted",
      value: (row) => (row.predictedValueMinor == null ? null : minorToDecimal(BigInt(row.predictedValueMinor))),
    },
  ],
  alive: [
    {
      header: "customers.col.alive",
      value: (row) => (row.probabilityAlive == null ? null : Number(row.probabilityAlive.toFixed(4))),
    },
  ],
};

const FIELDS = CUSTOMER_COLUMNS.flatMap((column) => CSV_FIELDS[column.id]);

export function customerCsvHeader(locale: Locale): string {
  return csvLine(FIELDS.map((field) => translate(locale, field.header)));
}

export function customerCsvLine(row: CustomerListRow, context: ExportContext): string {
  return csvLine(FIELDS.map((field) => field.value(row, context)));
}

export function customerCsvStream(
  db: Db,
  shop: string,
  stage: StageFilter,
  now: Date,
  locale: Locale,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let batches: AsyncGenerator<CustomerListRow[]> | null = null;
  let context: ExportContext = { shop, locale, currency: "" };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      context = { ...context, currency: (await readShopCurrency(db, shop)) ?? "" };
      batches = exportCustomers(db, shop, stage, now);
      controller.enqueue(encoder.encode("\uFEFF" + customerCsvHeader(locale)));
    },
    async pull(controller) {
      const next = await batches!.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map((row) => customerCsvLine(row, context)).join("")));
    },
    async cancel() {
      await batches?.return(undefined);
    },
  });
}
