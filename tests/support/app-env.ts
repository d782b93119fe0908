import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "./migrations";

/**
 * vitest setup file: the app's modules (shopify.server, db.server) read their configuration at import, so each
 * test file gets the demo app credentials and a migrated database of its own before anything imports them.
 */
export const TEST_API_KEY = "test-api-key";
export const TEST_API_SECRET = "test-api-secret-0123456789";

if (!process.env.DATABASE_URL?.includes("lifecycle-app-")) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-app-"));
  const file = path.join(dir, "app.sqlite");
  applyMigrations(file);
  process.env.DATABASE_URL = `file:${file}`;
}
process.env.SHOPIFY_API_KEY ??= TEST_API_KEY;
process.env.SHOPIFY_API_SECRET ??= TEST_API_SECRET;
process.env.SHOPIFY_APP_URL ??= "http://127.0.0.1:3999";
process.env.LIFECYCLE_WORKER = "off";
