import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

// @shopify/shopify-api 15 and shopify-app-remix 6 declare node >= 22; Node 20 reached its end of life in April 2026.
describe("Node.js 22 LTS everywhere", () => {
  it("the tests themselves run on Node >= 22", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
  });

  it("package.json asks for Node >= 22 and installs a Node 22 LTS binary for its scripts", () => {
    expect(pkg.engines.node).toMatch(/^>=\s*22(\.|$)/);
    expect(pkg.devDependencies.node).toMatch(/^22\.\d+\.\d+$/);
  });

  it("npm scripts put that binary first on PATH, whatever the machine's own node is", () => {
    const version = execFileSync("npm", ["exec", "--", "node", "--version"], { cwd: ROOT, encoding: "utf8" }).trim();
    expect(version).toBe(`v${pkg.devDependencies.node}`);
  });

  it("native addons load on it (better-sqlite3 was built for this Node's ABI)", async () => {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(":memory:");
    expect(db.prepare("select 1 + 1 as two").get()).toEqual({ two: 2 });
    db.close();
  });
});
