import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import { createPrismaClient } from "../../app/db.server";
import { applyMigrations } from "./migrations";

export type DatabaseKind = "sqlite" | "postgres";

export interface TestDb {
  kind: DatabaseKind;
  db: PrismaClient;
  /** The DATABASE_URL a child process (worker, web app) would use for the same database. */
  url: string;
  /** The SQLite file (SQLite only). */
  file?: string;
  close(): Promise<void>;
}

/** A migrated SQLite database of its own for one test file, removed afterwards (PostgreSQL: tests/support/databases.ts). */
export function createTestDb(): TestDb & { file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-db-"));
  const file = path.join(dir, "test.sqlite");
  applyMigrations(file);
  const url = `file:${file}`;
  const db = createPrismaClient(url);
  return {
    kind: "sqlite",
    db,
    url,
    file,
    async close() {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
