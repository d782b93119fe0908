import { defineConfig } from "prisma/config";

// The drift test's own Prisma config: which schema and migrations to compare, and where the throwaway databases
// are (a migrations folder is replayed into a shadow database to be compared).
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`tests/postgres/prisma.config.ts needs ${name}`);
  return value;
};

export default defineConfig({
  schema: env("DRIFT_SCHEMA"),
  migrations: { path: env("DRIFT_MIGRATIONS") },
  datasource: { url: env("DRIFT_URL"), shadowDatabaseUrl: process.env.DRIFT_SHADOW_URL },
});
