import { afterAll, describe } from "vitest";
import { createPrismaClient } from "../../app/db.server";
import { postgresSkipReason, startPostgres, type PostgresCluster } from "./postgres";
import { createTestDb, type DatabaseKind, type TestDb } from "./test-db";

export type { DatabaseKind, TestDb };

/**
 * The databases the integration suite runs on. TEST_DATABASES=sqlite (or postgres) narrows it for a quick local run;
 * CI runs both. PostgreSQL is skipped, with a message saying so, only where its binaries are not installed and CI is
 * not set: with CI=true a missing PostgreSQL fails the run (postgresSkipReason).
 */
export const DATABASE_KINDS: DatabaseKind[] = (process.env.TEST_DATABASES ?? "sqlite,postgres")
  .split(",")
  .map((kind) => kind.trim())
  .filter((kind): kind is DatabaseKind => kind === "sqlite" || kind === "postgres");

// One cluster per test file (vitest gives each file its own module instance), one database per createDatabase().
let cluster: Promise<PostgresCluster> | null = null;
let databases = 0;

export function postgresCluster(): Promise<PostgresCluster> {
  cluster ??= startPostgres();
  return cluster;
}

export async function stopPostgresCluster(): Promise<void> {
  const running = cluster;
  cluster = null;
  if (running) await (await running).stop();
}

/** A migrated, empty database of the given kind, dropped by close(). */
export async function createDatabase(kind: DatabaseKind): Promise<TestDb> {
  if (kind === "sqlite") return createTestDb();
  const pg = await postgresCluster();
  const name = `test_${process.pid}_${++databases}`;
  const url = await pg.createMigratedDatabase(name);
  const db = createPrismaClient(url);
  return {
    kind,
    db,
    url,
    async close() {
      await db.$disconnect();
      await pg.dropDatabase(name);
    },
  };
}

export interface DatabaseUnderTest {
  kind: DatabaseKind;
  /** A new migrated database of this kind (call it in beforeAll or in a test). */
  create(): Promise<TestDb>;
}

/** Declares the same suite once per database: `describeEachDatabase("inbox", (database) => { ... })`. */
export function describeEachDatabase(title: string, body: (database: DatabaseUnderTest) => void): void {
  for (const kind of DATABASE_KINDS) {
    const skipped = kind === "postgres" ? postgresSkipReason() : null;
    if (skipped) {
      describe.skip(`${title} [postgres: ${skipped}]`, () => body({ kind, create: () => createDatabase(kind) }));
      continue;
    }
    describe(`${title} [${kind}]`, () => {
      if (kind === "postgres") afterAll(stopPostgresCluster);
      body({ kind, create: () => createDatabase(kind) });
    });
  }
}
