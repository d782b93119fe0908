import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../prisma/migrations");

/**
 * Applies prisma/migrations to a fresh SQLite file with better-sqlite3 directly: the same SQL `prisma migrate
 * deploy` runs, without starting Prisma's schema engine for every test file (one test runs the real CLI).
 */
export function applyMigrations(file: string): void {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    for (const dir of fs
      .readdirSync(MIGRATIONS)
      .filter((d) => /^\d/.test(d))
      .sort()) {
      db.exec(fs.readFileSync(path.join(MIGRATIONS, dir, "migration.sql"), "utf8"));
    }
  } finally {
    db.close();
  }
}
