/**
 * The little SQL that differs between the two databases the app runs on, for the raw queries that Prisma's query
 * API cannot express (window functions, day arithmetic). Everything else is written once: identifiers are quoted,
 * booleans are compared with `false` (SQLite reads FALSE as 0 since 3.23), and two-argument GREATEST / day numbers
 * come from here.
 */
import { Prisma } from "@prisma/client";
import { databaseProvider, type Db, type DatabaseProvider } from "../db.server";

export type SqlDialect = DatabaseProvider;

/** The dialect of the client given (see databaseProvider in app/db.server.ts). */
export function sqlDialect(db: Db): SqlDialect {
  return databaseProvider(db);
}

/** The Julian day number (fractional days, UTC) of a DateTime expression, as a double on both databases. */
export function julianDay(dialect: SqlDialect, expression: Prisma.Sql): Prisma.Sql {
  // PostgreSQL's TIMESTAMP(3) columns hold UTC instants (Prisma writes them so); the Unix epoch is JD 2440587.5.
  return dialect === "postgresql"
    ? Prisma.sql`(CAST(EXTRACT(EPOCH FROM ${expression}) AS DOUBLE PRECISION) / 86400.0 + 2440587.5)`
    : Prisma.sql`julianday(${expression})`;
}

/** The larger of two values (SQLite's scalar two-argument MAX is an aggregate elsewhere). */
export function greatest(dialect: SqlDialect, a: Prisma.Sql, b: Prisma.Sql): Prisma.Sql {
  return dialect === "postgresql" ? Prisma.sql`GREATEST(${a}, ${b})` : Prisma.sql`MAX(${a}, ${b})`;
}

/** The smaller of two values. */
export function least(dialect: SqlDialect, a: Prisma.Sql, b: Prisma.Sql): Prisma.Sql {
  return dialect === "postgresql" ? Prisma.sql`LEAST(${a}, ${b})` : Prisma.sql`MIN(${a}, ${b})`;
}
