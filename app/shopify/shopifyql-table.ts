/**
 * Reading ShopifyQL's tableData (Admin API 2026-10 ShopifyqlTableData): `columns` carry a name and a
 * ColumnDataType (INTEGER, MONEY, MONTH_TIMESTAMP, STRING...); `rows` is JSON — a list of objects keyed by column
 * name, values as strings or numbers (Shopify sends numbers and money as strings). Pure: a table that is not of the
 * expected shape is an error with a plain message, never a zero.
 */

export interface ShopifyqlColumn {
  name: string;
  dataType: string;
  displayName?: string | null;
}

export interface ShopifyqlTable {
  columns: ShopifyqlColumn[];
  rows: Array<Record<string, unknown>>;
}

export class TableShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TableShapeError";
  }
}

/** Validates the raw tableData: columns with names and data types; rows as objects or as arrays in column order. */
export function parseTable(tableData: unknown): ShopifyqlTable {
  if (!tableData || typeof tableData !== "object") throw new TableShapeError("Shopify returned no table.");
  const raw = tableData as { columns?: unknown; rows?: unknown };
  if (!Array.isArray(raw.columns)) throw new TableShapeError("Shopify's table has no columns.");
  const columns = raw.columns.map((c, i) => {
    const col = c as { name?: unknown; dataType?: unknown; displayName?: unknown };
    if (typeof col?.name !== "string" || typeof col.dataType !== "string")
      throw new TableShapeError(`Column ${i + 1} of Shopify's table has no name or data type.`);
    return {
      name: col.name,
      dataType: col.dataType,
      displayName: typeof col.displayName === "string" ? col.displayName : null,
    };
  });
  let rows: unknown = raw.rows;
  if (typeof rows === "string") {
    try {
      rows = JSON.parse(rows);
    } catch {
      throw new TableShapeError("Shopify's table rows are not JSON.");
    }
  }
  if (!Array.isArray(rows)) throw new TableShapeError("Shopify's table has no rows.");
  return {
    columns,
    rows: rows.map((row, i) => {
      if (Array.isArray(row)) return Object.fromEntries(columns.map((c, j) => [c.name, row[j]]));
      if (row && typeof row === "object") return row as Record<string, unknown>;
      throw new TableShapeError(`Row ${i + 1} of Shopify's table is not a row.`);
    }),
  };
}

/** The column of that name, which must have one of the data types; a missing or different column is an error. */
export function requireColumn(table: ShopifyqlTable, name: string, dataTypes: readonly string[]): ShopifyqlColumn {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new TableShapeError(`Shopify's table has no column "${name}".`);
  if (!dataTypes.includes(column.dataType))
    throw new TableShapeError(`Shopify's column "${name}" is ${column.dataType}, not ${dataTypes.join(" or ")}.`);
  return column;
}

export function optionalColumn(
  table: ShopifyqlTable,
  name: string,
  dataTypes: readonly string[],
): ShopifyqlColumn | null {
  return table.columns.some((c) => c.name === name) ? requireColumn(table, name, dataTypes) : null;
}

export const COUNT_TYPES = ["INTEGER", "UNITLESS_SCALAR", "FLOAT", "DECIMAL"] as const;
export const MONEY_TYPES = ["MONEY", "DECIMAL", "FLOAT"] as const;
export const MONTH_TYPES = ["MONTH_TIMESTAMP", "DAY_TIMESTAMP", "TIMESTAMP", "STRING"] as const;
export const TEXT_TYPES = ["STRING", "STRING_IDENTITY", "IDENTITY", "ENTITY"] as const;

/** A whole, non-negative count; null stays null (Shopify has no value), anything else is an error. */
export function readCount(row: Record<string, unknown>, column: string): number | null {
  const value = row[column];
  if (value == null || value === "") return null;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0)
    throw new TableShapeError(`"${String(value)}" in column "${column}" is not a count.`);
  return Math.round(n);
}

/** Money ("1234.56", the shop's currency) in minor units (hundredths, as the app stores money). */
export function readMoneyMinor(row: Record<string, unknown>, column: string): bigint | null {
  const value = row[column];
  if (value == null || value === "") return null;
  const text = typeof value === "number" ? value.toFixed(2) : typeof value === "string" ? value.trim() : "";
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new TableShapeError(`"${String(value)}" in column "${column}" is not an amount of money.`);
  const frac = (m[3] ?? "").padEnd(3, "0");
  // Round half away from zero at the hundredth.
  let minor = BigInt(m[2]) * 100n + BigInt(frac.slice(0, 2)) + (Number(frac[2]) >= 5 ? 1n : 0n);
  if (m[1]) minor = -minor;
  return minor;
}

/** A month as "YYYY-MM" from a MONTH_TIMESTAMP ("2026-10-01", "2026-10", or an ISO instant). */
export function readMonth(row: Record<string, unknown>, column: string): string {
  const value = row[column];
  const m = typeof value === "string" ? /^(\d{4})-(\d{2})/.exec(value) : null;
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
    throw new TableShapeError(`"${String(value)}" in column "${column}" is not a month.`);
  return `${m[1]}-${m[2]}`;
}

export function readText(row: Record<string, unknown>, column: string): string {
  const value = row[column];
  if (value == null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new TableShapeError(`The value in column "${column}" is not text.`);
}
