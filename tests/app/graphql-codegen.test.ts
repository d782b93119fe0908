/**
 * The Admin API types in app/types are what `npm run graphql-codegen` (@shopify/api-codegen-preset over
 * app/graphql, against the checked-in 2026-10 schema) writes today: the test regenerates them into a temporary
 * folder and compares. A document changed without regenerating fails here, with the command to run.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const GENERATED = ["admin.types.d.ts", "admin.generated.d.ts"];

describe("generated Admin GraphQL types", () => {
  it(
    "app/types matches a fresh codegen run (else: npm run graphql-codegen)",
    async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "graphql-codegen-"));
      try {
        const bin = path.join(ROOT, "node_modules/.bin/graphql-codegen");
        await promisify(execFile)(bin, ["--config", ".config/graphql-codegen.ts"], {
          cwd: ROOT,
          env: { ...process.env, GRAPHQL_CODEGEN_OUT_DIR: out },
          maxBuffer: 16 * 1024 * 1024,
        });
        for (const file of GENERATED) {
          const fresh = fs.readFileSync(path.join(out, file), "utf8");
          const checkedIn = fs.readFileSync(path.join(ROOT, "app/types", file), "utf8");
          // Compared as a whole; on a difference, name the file rather than print megabytes.
          expect(checkedIn === fresh, `app/types/${file} is stale: run npm run graphql-codegen`).toBe(true);
        }
        expect(fs.readdirSync(out).sort()).toEqual([...GENERATED].sort());
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
    5 * 60_000,
  );
});
