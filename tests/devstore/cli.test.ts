import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { REPO_ROOT } from "./schema";

describe("cli", () => {
  it("prints one JSON line when ready, serves GraphQL, and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      path.join(REPO_ROOT, "node_modules/.bin/tsx"),
      [
        "tests/devstore/cli.ts",
        "--port",
        "0",
        "--api-key",
        "K",
        "--api-secret",
        "S",
        "--seed",
        "generated:20:50",
        "--shop",
        "cli-test.myshopify.com",
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const rl = readline.createInterface({ input: child.stdout! });
      const line = await new Promise<string>((resolve, reject) => {
        rl.once("line", resolve);
        child.once("exit", (code) => reject(new Error(`cli exited early (${code})`)));
      });
      const ready = JSON.parse(line);
      expect(ready.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.shop).toBe("cli-test.myshopify.com");
      expect(ready.seed).toMatchObject({ customers: 20, orders: 50 });
      const r = await adminGraphql(ready.origin, ready.accessToken, `{ customersCount { count } }`);
      expect(r.data.customersCount.count).toBe(20);
      const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
