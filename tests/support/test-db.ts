import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { applyMigrations } from "./migrations";

export interface TestDb {
  db: PrismaClient;
  file: string;
  close(): Promise<void>;
}

/** A migrated SQLite database of its own for one test file, removed afterwards. */
export function createTestDb(): TestDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-db-"));
  const file = path.join(dir, "test.sqlite");
  applyMigrations(file);
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file, timeout: 10_000 }) });
  return {
    db,
    file,
    async close() {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
