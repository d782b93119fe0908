import type BetterSqlite3 from "better-sqlite3";
import { driverConnection, type Db, type DriverConnection } from "../db.server";

/**
 * Statements sent to the driver beneath Prisma, for the paths where Prisma's own handling of a statement costs more
 * than the database's: the import's megabyte JSON parameters, and the webhook route's one insert per delivery
 * (bench/import.bench.ts, bench/ingest.bench.ts). The SQL is written for both databases (sql-values.server.ts).
 */
export interface DriverStatement {
  sql: string;
  params: unknown[];
  /** Run once per row instead, each row's values bound after `params` (SQLite's driver only). */
  rows?: readonly unknown[][];
}

/**
 * Statements run in one transaction on the driver, or through Prisma in order when no driver is at hand (an
 * interactive transaction: they then belong to it).
 */
export async function runStatements(db: Db, statements: readonly DriverStatement[]): Promise<void> {
  if (statements.length === 0) return;
  const driver = await driverConnection(db);
  if (driver) return runInTransaction(driver, statements);
  for (const { sql, params } of statements) await db.$executeRawUnsafe(sql, ...params);
}

/** One statement on its own (its own commit), or through Prisma when no driver is at hand. Returns the rows changed. */
export async function runStatement(db: Db, { sql, params }: DriverStatement): Promise<number> {
  const driver = await driverConnection(db);
  if (!driver) return db.$executeRawUnsafe(sql, ...params);
  if (driver.provider === "postgresql") return (await driver.pool.query(sql, params)).rowCount ?? 0;
  const { database } = driver;
  // Outside a transaction Prisma holds open on this connection: the statement would commit or roll back with it.
  await transactionsEnded(database);
  return prepared(database, sql).run(...params).changes;
}

const preparedStatements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * One prepared statement per connection and SQL text: preparing anew costs as much as a small insert, and for every
 * import batch leaves native memory to the GC. Prisma's adapter prepares every statement it runs.
 */
function prepared(database: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let statements = preparedStatements.get(database);
  if (!statements) preparedStatements.set(database, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = database.prepare(sql)));
  return statement;
}

/** Prisma may hold a transaction open on the connection across awaits: join none, wait for it to end. */
async function transactionsEnded(database: BetterSqlite3.Database): Promise<void> {
  while (database.inTransaction) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Runs the statements in one transaction on the driver Prisma itself uses. */
export async function runInTransaction(
  driver: DriverConnection,
  statements: readonly DriverStatement[],
): Promise<void> {
  if (driver.provider === "sqlite") {
    const { database } = driver;
    await transactionsEnded(database);
    // Synchronous from BEGIN to COMMIT: nothing else in this process can run a statement in between.
    database
      .transaction(() => {
        for (const { sql, params, rows } of statements) {
          const statement = prepared(database, sql);
          if (rows) for (const row of rows) statement.run(...params, row);
          else statement.run(...params);
        }
      })
      .immediate();
    return;
  }
  if (statements.some((s) => s.rows)) throw new Error("Rows bound one by one are for SQLite's driver");
  const client = await driver.pool.connect();
  try {
    await client.query("BEGIN");
    for (const { sql, params } of statements) await client.query(sql, params);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
