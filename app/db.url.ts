import fs from "node:fs";
import path from "node:path";

// The embedded default is a SQLite file inside the project, created by `npm run setup`.
export const DEFAULT_SQLITE_FILE = "prisma/data/app.sqlite";

export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.DATABASE_URL?.trim();
  if (fromEnv) return fromEnv;
  return `file:${path.resolve(DEFAULT_SQLITE_FILE)}`;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function sqliteFilePath(url: string): string {
  if (!url.startsWith("file:")) throw new Error(`Not a SQLite URL: ${url}`);
  return url.slice("file:".length);
}

/**
 * Creates the folder of a SQLite file (SQLite creates the file, not its folder): a fresh clone has no prisma/data/,
 * and `prisma migrate deploy` or the app would otherwise stop at "unable to open database file".
 */
export function ensureSqliteFolder(url: string): void {
  if (isPostgresUrl(url)) return;
  const file = sqliteFilePath(url);
  if (file === ":memory:" || file === "") return;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
}
