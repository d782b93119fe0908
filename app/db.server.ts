import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { databaseUrl, ensureSqliteFolder, isPostgresUrl, sqliteFilePath } from "./db.url";

/**
 * The app is written against one client type. The PostgreSQL client is generated from the derived schema
 * (prisma/postgres/schema.prisma): the same models and the same API, so it is used under the SQLite client's type.
 */
export type Db = PrismaClient;
export type DatabaseProvider = "sqlite" | "postgresql";

interface Connection {
  provider: DatabaseProvider;
  url: string;
  /** SQLite: the adapter factory, which holds the connection once Prisma has opened it. */
  sqlite?: TunedSqlite;
  /** PostgreSQL: the pool Prisma's adapter draws from. */
  pool?: pg.Pool;
}

const connections = new WeakMap<object, Connection>();

/**
 * Which database a client talks to: the provider its generated client was built for (the PostgreSQL client is
 * generated from prisma/postgres/schema.prisma), which interactive-transaction clients carry too; else what
 * createPrismaClient recorded; else SQLite, the default.
 */
export function databaseProvider(db: Db): DatabaseProvider {
  const active = (db as unknown as { _activeProvider?: unknown })._activeProvider;
  if (active === "postgresql" || active === "postgres") return "postgresql";
  if (active === "sqlite") return "sqlite";
  return connections.get(db)?.provider ?? "sqlite";
}

/** The URL a client was created with (createPrismaClient only): the job queue opens its own pool on it. */
export function databaseUrlOf(db: Db): string | undefined {
  return connections.get(db)?.url;
}

export function createPrismaClient(url: string = databaseUrl()): PrismaClient {
  if (isPostgresUrl(url)) {
    const { PrismaClient: PostgresClient } = loadPostgresClient();
    const pool = new pg.Pool({ connectionString: url });
    const client = new PostgresClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }) as PrismaClient;
    connections.set(client, { provider: "postgresql", url, pool });
    return client;
  }
  ensureSqliteFolder(url);
  // A busy timeout lets the web process and the worker share one SQLite file without SQLITE_BUSY errors.
  const sqlite = new TunedSqlite({ url: sqliteFilePath(url), timeout: 10_000 });
  const client = new PrismaClient({ adapter: sqlite });
  connections.set(client, { provider: "sqlite", url, sqlite });
  return client;
}

export type DriverConnection =
  { provider: "sqlite"; database: BetterSqlite3.Database } | { provider: "postgresql"; pool: pg.Pool };

/**
 * The driver beneath a client createPrismaClient made: the very SQLite connection Prisma uses (opened if it is not
 * yet), or the pool Prisma draws PostgreSQL connections from. Null for any other client, an interactive
 * transaction's included: work meant to be part of that transaction must go through it.
 */
export async function driverConnection(db: Db): Promise<DriverConnection | null> {
  const connection = connections.get(db);
  if (connection?.pool) return { provider: "postgresql", pool: connection.pool };
  if (!connection?.sqlite) return null;
  if (!connection.sqlite.database?.open) await db.$connect();
  const database = connection.sqlite.database;
  return database?.open ? { provider: "sqlite", database } : null;
}

/**
 * WAL lets the web process write while the worker reads. With it, synchronous=NORMAL keeps every commit through a
 * crash of the process (kill -9 included: tests/faults) and syncs the disk at checkpoints instead of at every
 * commit, which nearly doubles webhook ingest (bench/ingest.bench.ts). What it gives up is the last commits before
 * a power loss or kernel crash; SQLITE_SYNCHRONOUS=FULL buys that back at the old speed.
 */
function sqlitePragmas(): string[] {
  const synchronous = process.env.SQLITE_SYNCHRONOUS?.toUpperCase() === "FULL" ? "FULL" : "NORMAL";
  return ["PRAGMA journal_mode = WAL", `PRAGMA synchronous = ${synchronous}`];
}

/** Sets the pragmas when Prisma opens the connection (at the first query), not when the client is created. */
class TunedSqlite extends PrismaBetterSqlite3 {
  /** The better-sqlite3 connection of the adapter Prisma opened last (the adapter keeps it as `client`). */
  database: BetterSqlite3.Database | null = null;

  override async connect() {
    const adapter = await super.connect();
    this.database = (adapter as unknown as { client: BetterSqlite3.Database }).client;
    for (const sql of sqlitePragmas()) await adapter.queryRaw({ sql, args: [], argTypes: [] });
    return adapter;
  }
}

/**
 * Loaded only when DATABASE_URL is PostgreSQL, so a SQLite install works without it. It lives in
 * node_modules/.prisma/client-pg (a generated client is provider-specific and cannot share .prisma/client).
 */
function loadPostgresClient(): { PrismaClient: new (options: { adapter: PrismaPg }) => unknown } {
  try {
    return createRequire(import.meta.url)(".prisma/client-pg") as {
      PrismaClient: new (options: { adapter: PrismaPg }) => unknown;
    };
  } catch (error) {
    throw new Error(
      "DATABASE_URL points at PostgreSQL, but the PostgreSQL client is not generated: run " +
        "`prisma generate --schema prisma/postgres/schema.prisma` (npm run setup does).",
      { cause: error },
    );
  }
}

declare global {
  var prismaGlobal: PrismaClient | undefined;
}

// One client per process; Vite's dev server reloads modules, so keep it on globalThis.
const prisma: PrismaClient = globalThis.prismaGlobal ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalThis.prismaGlobal = prisma;

export default prisma;
