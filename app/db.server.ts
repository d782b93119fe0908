import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrl, isPostgresUrl, sqliteFilePath } from "./db.url";

/**
 * The app is written against one client type. The PostgreSQL client is generated from the derived schema
 * (prisma/postgres/schema.prisma): the same models and the same API, so it is used under the SQLite client's type.
 */
export type Db = PrismaClient;
export type DatabaseProvider = "sqlite" | "postgresql";

const connections = new WeakMap<object, { provider: DatabaseProvider; url: string }>();

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
    const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as PrismaClient;
    connections.set(client, { provider: "postgresql", url });
    return client;
  }
  // A busy timeout lets the web process and the worker share one SQLite file without SQLITE_BUSY errors.
  const client = new PrismaClient({ adapter: new TunedSqlite({ url: sqliteFilePath(url), timeout: 10_000 }) });
  connections.set(client, { provider: "sqlite", url });
  return client;
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
  override async connect() {
    const adapter = await super.connect();
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
    return createRequire(import.meta.url)(".prisma/client-pg") as { PrismaClient: new (options: { adapter: PrismaPg }) => unknown };
  } catch (error) {
    throw new Error(
      "DATABASE_URL points at PostgreSQL, but the PostgreSQL client is not generated: run " +
        "`prisma generate --schema prisma/postgres/schema.prisma` (npm run setup does).",
      { cause: error },
    );
  }
}

declare global {
  // eslint-disable-next-line no-var
  var prismaGlobal: PrismaClient | undefined;
}

// One client per process; Vite's dev server reloads modules, so keep it on globalThis.
const prisma: PrismaClient = globalThis.prismaGlobal ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalThis.prismaGlobal = prisma;

export default prisma;
