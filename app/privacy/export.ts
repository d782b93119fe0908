import { csvLine } from "../board/csv";

/**
 * What the merchant downloads for a customers/data_request: the customer's rows as the app stored them when Shopify
 * sent the request (app/sync/shop-events.server.ts storedCustomerData: the customer, its orders and their journeys, its stage changes).
 */
export interface DataRequestFile {
  customerGid: string;
  requestId: string | null;
  requestedAt: Date;
  /** The stored JSON text. */
  data: string;
}

const TABLES = [
  ["customer", "customer"],
  ["orders", "order"],
  ["orderJourneys", "orderJourney"],
  ["stageChanges", "stageChange"],
] as const;

/** The request and the stored rows as one JSON document. */
export function dataRequestJson(file: DataRequestFile): string {
  return `${JSON.stringify(
    {
      customer: file.customerGid,
      shopifyDataRequestId: file.requestId,
      requestedAt: file.requestedAt.toISOString(),
      storedData: JSON.parse(file.data) as unknown,
    },
    null,
    2,
  )}\n`;
}

/**
 * The same rows as CSV, one line per stored value (table, row number, field, value): the tables have different
 * columns, and a spreadsheet reads this shape without guessing. Objects inside a row are written as JSON.
 */
export function dataRequestCsv(file: DataRequestFile, header: readonly [string, string, string, string]): string {
  const stored = JSON.parse(file.data) as Record<string, unknown>;
  let out = csvLine(header);
  for (const [key, table] of TABLES) {
    const value = stored[key];
    const rows = Array.isArray(value) ? value : value == null ? [] : [value];
    rows.forEach((row, index) => {
      for (const [field, cell] of Object.entries(row as Record<string, unknown>)) {
        out += csvLine([
          table,
          index + 1,
          field,
          cell == null ? "" : typeof cell === "object" ? JSON.stringify(cell) : String(cell),
        ]);
      }
    });
  }
  return out;
}
