import { PrismaClient } from "@prisma/client";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl, isPostgresUrl, sqliteFilePath } from "./db.url";

export type Db = PrismaClient;

export function createPrismaClient(url: string = databaseUrl()): PrismaClient {
  if (isPostgresUrl(url)) {
    throw new Error(
      "DATABASE_URL points at PostgreSQL, but this build only has the SQLite client generated. " +
        "Generate the PostgreSQL client (prisma/postgres/schema.prisma) to run on PostgreSQL.",
    );
  }
  // A busy timeout lets the web process and the worker share one SQLite file without SQLITE_BUSY errors.
  const adapter = new PrismaBetterSqlite3({ url: sqliteFilePath(url), timeout: 10_000 });
  return new PrismaClient({ adapter });
}

declare global {
  // eslint-disable-next-line no-var
  var prismaGlobal: PrismaClient | undefined;
}

// One client per process; Vite's dev server reloads modules, so keep it on globalThis.
const prisma: PrismaClient = globalThis.prismaGlobal ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalThis.prismaGlobal = prisma;

export default prisma;
