import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { postgresSkipReason } from "../support/postgres";

/**
 * The PostgreSQL suites may be skipped on a machine without PostgreSQL, never in CI: a CI run without it must fail,
 * not pass with half the suite left out. Checked on a real vitest run of a suite declared like every other one.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-ci-rule-"));
fs.writeFileSync(
  path.join(dir, "probe.test.ts"),
  `import { it } from "vitest";
import { describeEachDatabase } from ${JSON.stringify(path.join(ROOT, "tests/support/databases.ts"))};
describeEachDatabase("probe", (database) => {
  it("gets a database", async () => {
    const db = await database.create();
    await db.close();
  });
});
`,
);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** vitest on the probe alone, PostgreSQL only, with the PostgreSQL binaries looked for where there are none. */
function runProbe(env: Record<string, string | undefined>) {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", dir, "--reporter", "verbose"],
    {
      cwd: dir,
      env: {
        ...process.env,
        VITEST: undefined,
        VITEST_POOL_ID: undefined,
        VITEST_WORKER_ID: undefined,
        TEST_DATABASES: "postgres",
        PG_BIN: path.join(dir, "no-postgres-here"),
        NO_COLOR: "1",
        ...env,
      },
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe("PostgreSQL in CI", () => {
  it("without CI, a machine without PostgreSQL skips its suites and says why", () => {
    const run = runProbe({ CI: undefined });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/1 skipped/);
    expect(run.output).toContain("PostgreSQL binaries not found");
  });

  it("with CI=true, the same machine fails the run, naming the cause", () => {
    const run = runProbe({ CI: "true" });
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toMatch(/1 failed/);
    expect(run.output).toContain("CI=true requires the PostgreSQL runs");
  });

  it("the rule itself", () => {
    const nowhere = path.join(dir, "nowhere");
    expect(postgresSkipReason({ CI: "true" }, nowhere)).toBeNull();
    expect(postgresSkipReason({ CI: "1" }, nowhere)).toBeNull();
    expect(postgresSkipReason({}, nowhere)).toMatch(/PostgreSQL binaries not found/);
    expect(postgresSkipReason({ CI: "false" }, nowhere)).toMatch(/PostgreSQL binaries not found/);
  });
});
