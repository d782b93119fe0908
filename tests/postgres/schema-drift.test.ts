import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derivePostgresSchema, POSTGRES_SCHEMA, SOURCE_SCHEMA } from "../../prisma/postgres/derive-schema";
import { postgresSkipReason, startPostgres, type PostgresCluster } from "../support/postgres";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CONFIG = path.join(import.meta.dirname, "prisma.config.ts");
const SQLITE_MIGRATIONS = path.join(ROOT, "prisma/migrations");
const POSTGRES_MIGRATIONS = path.join(ROOT, "prisma/postgres/migrations");

/** Runs Prisma's CLI (the real one; PRISMA_SCHEMA_ENGINE_BINARY is honoured where the native engine is missing). */
function prisma(args: string[], env: Record<string, string>) {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/prisma/build/index.js"), ...args, "--config", CONFIG],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** `migrate diff --exit-code`: 0 = the migrations produce exactly the schema, 2 = they differ. */
function migrationsVersusSchema(migrations: string, schema: string, env: Record<string, string>) {
  return prisma(["migrate", "diff", "--from-migrations", migrations, "--to-schema", schema, "--exit-code"], {
    DRIFT_SCHEMA: schema,
    DRIFT_MIGRATIONS: migrations,
    ...env,
  });
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-drift-"));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The source schema with one more column: what a forgotten migration looks like. */
function schemaWithExtraColumn(source: string): string {
  return source.replace(/model Shop \{/, "model Shop {\n  driftProbe String?");
}

describe("one schema, two databases", () => {
  it("prisma/postgres/schema.prisma is exactly what derive-schema.ts makes of prisma/schema.prisma", () => {
    const derived = derivePostgresSchema(fs.readFileSync(SOURCE_SCHEMA, "utf8"));
    expect(fs.readFileSync(POSTGRES_SCHEMA, "utf8"), "run `npx tsx prisma/postgres/derive-schema.ts`").toBe(derived);
  });

  it("the derived schema differs from the source only in provider and client output", () => {
    const source = fs.readFileSync(SOURCE_SCHEMA, "utf8");
    const models = (schema: string) => schema.slice(schema.indexOf("\nmodel "));
    expect(models(derivePostgresSchema(source))).toBe(models(source));
    expect(derivePostgresSchema(source)).toMatch(/provider = "postgresql"/);
  });

  it("prisma/migrations (SQLite) builds exactly prisma/schema.prisma", () => {
    const url = `file:${path.join(tmp, "drift.sqlite")}`;
    const result = migrationsVersusSchema(SQLITE_MIGRATIONS, SOURCE_SCHEMA, { DRIFT_URL: url });
    expect(
      result.status,
      `SQLite migrations are behind prisma/schema.prisma: run \`prisma migrate dev\`\n${result.output}`,
    ).toBe(0);
  });

  it("a schema change without a SQLite migration is caught", () => {
    const changed = path.join(tmp, "changed.prisma");
    fs.writeFileSync(changed, schemaWithExtraColumn(fs.readFileSync(SOURCE_SCHEMA, "utf8")));
    const result = migrationsVersusSchema(SQLITE_MIGRATIONS, changed, {
      DRIFT_URL: `file:${path.join(tmp, "drift2.sqlite")}`,
    });
    expect(result.status, result.output).toBe(2);
  });
});

describe.skipIf(postgresSkipReason() !== null)(
  `PostgreSQL migrations${postgresSkipReason() ? ` [${postgresSkipReason()}]` : ""}`,
  () => {
    let cluster: PostgresCluster;
    beforeAll(async () => {
      cluster = await startPostgres();
      await cluster.createDatabase("drift");
      await cluster.createDatabase("drift_shadow");
    });
    afterAll(async () => {
      await cluster?.stop();
    });
    const env = () => ({ DRIFT_URL: cluster.url("drift"), DRIFT_SHADOW_URL: cluster.url("drift_shadow") });

    it("prisma/postgres/migrations builds exactly prisma/postgres/schema.prisma", () => {
      const result = migrationsVersusSchema(POSTGRES_MIGRATIONS, POSTGRES_SCHEMA, env());
      expect(
        result.status,
        `PostgreSQL migrations are behind prisma/postgres/schema.prisma: run \`DATABASE_URL=postgresql://... prisma migrate dev\`\n${result.output}`,
      ).toBe(0);
    });

    it("a schema change without a PostgreSQL migration is caught", () => {
      const changed = path.join(tmp, "changed-pg.prisma");
      fs.writeFileSync(changed, schemaWithExtraColumn(fs.readFileSync(POSTGRES_SCHEMA, "utf8")));
      const result = migrationsVersusSchema(POSTGRES_MIGRATIONS, changed, env());
      expect(result.status, result.output).toBe(2);
    });

    it("`prisma migrate deploy` applies the folder to an empty database and leaves nothing pending", async () => {
      await cluster.createDatabase("deployed");
      const env = {
        DRIFT_SCHEMA: POSTGRES_SCHEMA,
        DRIFT_MIGRATIONS: POSTGRES_MIGRATIONS,
        DRIFT_URL: cluster.url("deployed"),
      };
      const deploy = prisma(["migrate", "deploy"], env);
      expect(deploy.status, deploy.output).toBe(0);
      const status = prisma(["migrate", "status"], env);
      expect(status.status, status.output).toBe(0);
      expect(status.output).toMatch(/Database schema is up to date/);
      const tables = await cluster.query<{ table_name: string }>(
        "deployed",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(["Customer", "Order", "WebhookDelivery", "Session", "_prisma_migrations"]),
      );
    });
  },
);
