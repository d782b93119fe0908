import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The job runners' imports (issue 15.1): no cycle runs through app/jobs (it used to: queue ↔ pgboss ↔ worker through
 * module globals), and what the rest of the app imports from app/jobs is the job interface alone.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = path.join(ROOT, "app");

/** Relative imports of a file, static and dynamic, resolved to files under app/. */
function importsOf(file: string): string[] {
  const source = fs.readFileSync(file, "utf8");
  const specifiers = [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g)].map(
    (m) => m[1],
  );
  return specifiers.flatMap((specifier) => {
    const base = path.resolve(path.dirname(file), specifier);
    const found = ["", ".ts", ".tsx", "/index.ts"]
      .map((ext) => base + ext)
      .find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
    return found ? [found] : [];
  });
}

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return allFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const graph = new Map(allFiles(APP).map((file) => [file, importsOf(file)]));
const rel = (file: string) => path.relative(ROOT, file);
const inJobs = (file: string) => file.startsWith(path.join(APP, "jobs") + path.sep);

describe("app/jobs imports", () => {
  it("no import cycle passes through app/jobs", () => {
    const cycles: string[] = [];
    // Depth-first from every jobs module, reporting each path that comes back to where it started.
    for (const start of [...graph.keys()].filter(inJobs)) {
      const stack: string[] = [];
      const seen = new Set<string>();
      const visit = (file: string) => {
        stack.push(file);
        seen.add(file);
        for (const next of graph.get(file) ?? []) {
          if (next === start) cycles.push([...stack, next].map(rel).join(" → "));
          else if (!seen.has(next)) visit(next);
        }
        stack.pop();
      };
      visit(start);
    }
    expect(cycles).toEqual([]);
  });

  it("the rest of the app reaches app/jobs only through the web process's supervisor (the job table is app/queue)", () => {
    const allowed = new Set([path.join(APP, "jobs", "embedded.server.ts")]);
    const outside = [...graph.entries()]
      .filter(([file]) => !inJobs(file))
      .flatMap(([file, imports]) =>
        imports
          .filter((target) => inJobs(target) && !allowed.has(target))
          .map((target) => `${rel(file)} → ${rel(target)}`),
      );
    expect(outside).toEqual([]);
  });

  it("the job table (app/queue) imports nothing of the runners", () => {
    const upward = [...graph.entries()]
      .filter(([file]) => file.startsWith(path.join(APP, "queue") + path.sep))
      .flatMap(([file, imports]) => imports.filter(inJobs).map((target) => `${rel(file)} → ${rel(target)}`));
    expect(upward).toEqual([]);
  });
});
