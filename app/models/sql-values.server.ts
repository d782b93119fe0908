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

const DAY_MS = 86_400_000;
/** 253402300800000: 10000-01-01T00:00:00Z, past which (and before 1970) toISOString writes the text. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;
const padded = (width: number, count: number) =>
  Array.from({ length: count }, (_, i) => String(i).padStart(width, "0"));
const TWO_DIGITS = padded(2, 60);
const THREE_DIGITS = padded(3, 1000);
let cachedDay = NaN;
let cachedDayText = "";

/** "YYYY-MM-DDT" of a day counted from 1970-01-01 (Howard Hinnant's civil_from_days, years 1970–9999). */
function dayText(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, "0")}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
}

/**
 * An instant as Prisma stores DateTime on SQLite (ISO 8601 with milliseconds, "+00:00"); PostgreSQL reads the same
 * text as UTC. Written from the epoch milliseconds, the day's part kept from the last call: an import writes
 * several instants per row, and toISOString with a replace cost 6% of it (bench/import.bench.ts).
 */
export function instantText(date: Date | null | undefined): string | null {
  if (!date) return null;
  const ms = date.getTime();
  // Invalid dates throw there as they always did.
  if (!(ms >= 0 && ms < LAST_FOUR_DIGIT_YEAR_MS)) return date.toISOString().replace("Z", "+00:00");
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) [cachedDay, cachedDayText] = [day, dayText(day)];
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${cachedDayText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}+00:00`;
}

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
