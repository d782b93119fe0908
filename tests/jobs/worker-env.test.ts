/**
 * The worker process runs with glibc's malloc arenas capped (workerProcessEnv): forked by the web process and as
 * `npm run worker`, unless the operator sets MALLOC_ARENA_MAX.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { workerProcessEnv } from "../../app/jobs/supervisor.server";

describe("the worker's environment", () => {
  it("caps malloc arenas at 2 and marks the process as the worker, keeping everything else", () => {
    expect(workerProcessEnv({ DATABASE_URL: "file:x.sqlite" })).toEqual({
      DATABASE_URL: "file:x.sqlite",
      MALLOC_ARENA_MAX: "2",
      LIFECYCLE_WORKER: "on",
    });
  });

  it("keeps an operator's own MALLOC_ARENA_MAX", () => {
    expect(workerProcessEnv({ MALLOC_ARENA_MAX: "8" }).MALLOC_ARENA_MAX).toBe("8");
  });

  it("npm run worker sets the same default, overridable", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.worker).toMatch(/^MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-2\} tsx app\/jobs\/worker-cli\.ts$/);
  });
});
