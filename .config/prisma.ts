import path from "node:path";
import { defineConfig } from "prisma/config";
import { databaseUrl, ensureSqliteFolder, isPostgresUrl } from "../app/db.url";

// One config, two providers: DATABASE_URL picks SQLite (default) or PostgreSQL,
// each with its own schema file and migration folder.
const url = databaseUrl();
ensureSqliteFolder(url);
const root = path.join(import.meta.dirname, "..");
const dir = isPostgresUrl(url) ? path.join(root, "prisma/postgres") : path.join(root, "prisma");

export default defineConfig({
  schema: path.join(dir, "schema.prisma"),
  migrations: { path: path.join(dir, "migrations") },
  datasource: { url },
});
