import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * A throwaway PostgreSQL 15 cluster for one test file: initdb into a temp dir, listen on 127.0.0.1 only, one
 * database per test (copied from a migrated template), removed at the end. The Debian package's binaries are used
 * as they are; CI installs postgresql-15 with apt.
 */
export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
export const PG_MIGRATIONS = path.resolve(import.meta.dirname, "../../prisma/postgres/migrations");

export function postgresAvailable(bin = PG_BIN): boolean {
  return ["initdb", "pg_ctl", "postgres"].every((name) => fs.existsSync(path.join(bin, name)));
}

export const POSTGRES_SKIP_REASON = `PostgreSQL binaries not found in ${PG_BIN} (install postgresql-15, or set PG_BIN): skipping the PostgreSQL runs`;

export function isCI(env: Record<string, string | undefined> = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.CI ?? "");
}

/**
 * Why the PostgreSQL suites are skipped here, or null when they run. On a developer's machine without PostgreSQL
 * they are skipped with this message; in CI (CI=true) never: they run, and starting the cluster fails the run, so a
 * CI machine that lost its PostgreSQL cannot pass with half the suite silently left out.
 */
export function postgresSkipReason(env: Record<string, string | undefined> = process.env, bin = PG_BIN): string | null {
  if (postgresAvailable(bin) || isCI(env)) return null;
  return POSTGRES_SKIP_REASON;
}

export interface PostgresCluster {
  readonly port: number;
  /** postgresql://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /** A new empty database; `template` copies an existing one (fast: a file copy inside the cluster). */
  createDatabase(name: string, options?: { template?: string }): Promise<string>;
  /** A new database with prisma/postgres/migrations applied. */
  createMigratedDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    database: string,
    sql: string,
    values?: unknown[],
  ): Promise<T[]>;
  stop(): Promise<void>;
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** initdb and the server refuse to run as root: run them as the postgres user the Debian package creates. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  const full = path.join(PG_BIN, bin);
  return isRoot ? ["runuser", ["-u", "postgres", "--", full, ...args]] : [full, args];
}

function run(bin: string, args: string[]): void {
  const [command, argv] = asPostgres(bin, args);
  const result = spawnSync(command, argv, { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${bin} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function startPostgres(): Promise<PostgresCluster> {
  if (!postgresAvailable()) {
    throw new Error(
      `PostgreSQL binaries not found in ${PG_BIN} (install postgresql-15, or set PG_BIN)${isCI() ? ": CI=true requires the PostgreSQL runs" : ""}`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-pg-"));
  fs.chmodSync(dir, 0o755);
  if (isRoot) execFileSync("chown", ["postgres:postgres", dir]);
  const dataDir = path.join(dir, "data");
  // Durability settings are off: a test cluster is thrown away, and the tests kill app processes, not PostgreSQL.
  run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      run("pg_ctl", [
        "-D",
        dataDir,
        "-l",
        path.join(dir, "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
        "start",
      ]);
      break;
    } catch (error) {
      // Another process took the port between freePort() and the bind.
      if (attempt >= 5) throw error;
    }
  }

  const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const pools = new Map<string, pg.Pool>();
  const poolFor = (database: string) => {
    let pool = pools.get(database);
    if (!pool) {
      pool = new pg.Pool({ connectionString: url(database), max: 2 });
      pools.set(database, pool);
    }
    return pool;
  };
  const closePool = async (database: string) => {
    const pool = pools.get(database);
    pools.delete(database);
    await pool?.end();
  };
  const ident = (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Not a safe database name: ${name}`);
    return `"${name}"`;
  };
  let template: Promise<string> | null = null;

  const cluster: PostgresCluster = {
    port,
    url,
    async query(database, sql, values) {
      const result = await poolFor(database).query(sql, values as unknown[] | undefined);
      return result.rows;
    },
    async createDatabase(name, options = {}) {
      await cluster.query(
        "postgres",
        `CREATE DATABASE ${ident(name)}${options.template ? ` TEMPLATE ${ident(options.template)}` : ""}`,
      );
      return url(name);
    },
    async createMigratedDatabase(name) {
      template ??= (async () => {
        await cluster.createDatabase("lifecycle_template");
        for (const sql of migrationSql()) await cluster.query("lifecycle_template", sql);
        // CREATE DATABASE ... TEMPLATE needs the template without connections.
        await closePool("lifecycle_template");
        return "lifecycle_template";
      })();
      return cluster.createDatabase(name, { template: await template });
    },
    async dropDatabase(name) {
      await closePool(name);
      await cluster.query("postgres", `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    },
    async stop() {
      await Promise.all([...pools.keys()].map(closePool));
      try {
        run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}

/** prisma/postgres/migrations in order: the SQL `prisma migrate deploy` runs (one test runs the real CLI). */
export function migrationSql(): string[] {
  return fs
    .readdirSync(PG_MIGRATIONS)
    .filter((d) => /^\d/.test(d))
    .sort()
    .map((d) => fs.readFileSync(path.join(PG_MIGRATIONS, d, "migration.sql"), "utf8"));
}
