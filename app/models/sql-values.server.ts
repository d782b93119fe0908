import { databaseProvider, type Db } from "../db.server";

/**
 * Set-based statements that carry their rows as one JSON text parameter, unpacked by the database itself (SQLite
 * jsonb_each, PostgreSQL jsonb_array_elements), and reads that return a whole chunk as one JSON text (json_group_array,
 * json_agg). The SQL text is the same for every batch and a chunk costs one bound value, where binding each value
 * through the client cost more than the statement itself (a 1,000-customer reconcile chunk: ~350 ms to read through
 * the query API, ~50 ms this way).
 */
export type SqlType = "text" | "integer" | "bigint" | "double precision" | "boolean" | "timestamp(3)";

export interface JsonSql {
  postgres: boolean;
  /** The n-th (1-based) positional parameter. */
  param(n: number): string;
  /** A row source over the JSON array of arrays in parameter n, aliased j. */
  rows(n: number): string;
  /**
   * `WITH v AS MATERIALIZED (…)`: the JSON rows of parameter n as a table v with the named, typed columns. An UPDATE
   * joins it; unmaterialized, SQLite re-read the JSON for every row of the table it updates (a minute for 1,000 rows).
   */
  withRows(n: number, columns: ReadonlyArray<readonly [string, SqlType]>): string;
  /** Element i (0-based) of the current JSON row, as a value of `type`. */
  cell(i: number, type: SqlType): string;
  /**
   * `expr IN (the elements of the JSON array in parameter n)`, the elements read as `type` (text by default).
   * PostgreSQL gets `= ANY(ARRAY(…))` of typed values: the planner sizes the array and takes the index on `expr`,
   * where `IN (SELECT json_array_elements_text(…))` is estimated at 100 rows and, on a table whose statistics lag
   * behind a large import, was planned as a nested loop over a sequential scan (5 s for 2,000 customers' orders).
   */
  inJson(expr: string, n: number, type?: "text" | "integer"): string;
  /** One JSON text holding an array of arrays of the expressions, one per row (an empty array when none). */
  aggregate(expressions: readonly string[]): string;
  /** A DateTime column as epoch milliseconds (a JSON number: no date text to parse per row). */
  instant(column: string): string;
  /** A 64-bit integer column as text (JSON numbers lose precision past 2^53). */
  bigintText(column: string): string;
}

export function isPostgres(db: Db): boolean {
  // A generated client names its provider; a client made by createPrismaClient is also recorded in db.server.
  const active = (db as unknown as { _activeProvider?: unknown })._activeProvider;
  return active === "postgresql" || active === "postgres" || databaseProvider(db) === "postgresql";
}

function withRows(this: JsonSql, n: number, columns: ReadonlyArray<readonly [string, SqlType]>): string {
  return `WITH v AS MATERIALIZED (SELECT ${columns.map(([name, type], i) => `${this.cell(i, type)} AS "${name}"`).join(", ")} FROM ${this.rows(n)})`;
}

const SQLITE: JsonSql = {
  withRows,
  postgres: false,
  param: () => "?",
  // JSONB: the text is parsed once; with json_each every cell read (->>) parsed its row's text again (4× slower).
  rows: () => "jsonb_each(jsonb(?)) AS j",
  cell: (i) => `j.value->>${i}`,
  inJson: (expr) => `${expr} IN (SELECT value FROM json_each(?))`,
  aggregate: (expressions) => `json_group_array(json_array(${expressions.join(", ")}))`,
  // Prisma stores ISO 8601 text with milliseconds; 'subsec' keeps them, ROUND makes the float product exact.
  instant: (column) => `CAST(ROUND(unixepoch(${column}, 'subsec') * 1000) AS INTEGER)`,
  bigintText: (column) => `CAST(${column} AS TEXT)`,
};

const POSTGRES: JsonSql = {
  withRows,
  postgres: true,
  param: (n) => `$${n}`,
  rows: (n) => `jsonb_array_elements($${n}::jsonb) AS j`,
  cell: (i, type) => `(j->>${i})::${type}`,
  inJson: (expr, n, type = "text") => `${expr} = ANY(ARRAY(SELECT json_array_elements_text($${n}::json)::${type}))`,
  aggregate: (expressions) => `COALESCE(json_agg(json_build_array(${expressions.join(", ")}))::text, '[]')`,
  instant: (column) => `(EXTRACT(EPOCH FROM ${column}) * 1000)::bigint`,
  bigintText: (column) => `${column}::text`,
};

export function jsonSql(db: Db): JsonSql {
  return isPostgres(db) ? POSTGRES : SQLITE;
}

export { instantText } from "./row-values";

/** A value read through JsonSql.instant (epoch milliseconds; text is accepted too). */
export function toMillis(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value : Date.parse(String(value));
}

export function toDate(value: unknown): Date | null {
  const ms = toMillis(value);
  return ms === null ? null : new Date(ms);
}

/** Statements built once per dialect. */
export function cachedSql(key: string, db: Db, build: (sql: JsonSql) => string): string {
  const sql = jsonSql(db);
  const full = `${sql.postgres ? "pg" : "sqlite"}:${key}`;
  let text = cache.get(full);
  if (text === undefined) {
    text = build(sql);
    cache.set(full, text);
  }
  return text;
}

const cache = new Map<string, string>();
