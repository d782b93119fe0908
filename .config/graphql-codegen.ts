/**
 * Shopify's GraphQL codegen (@shopify/api-codegen-preset, as in Shopify's Remix app template) over the Admin documents
 * in app/graphql (one `#graphql` document per file), against the checked-in 2026-10 schema — no network: the gzipped
 * introspection in tests/fixtures is unpacked to a temporary file, the schema the preset would otherwise download.
 * `npm run graphql-codegen` writes app/types/admin.types.d.ts and admin.generated.d.ts; tests/app/graphql-codegen.test.ts
 * regenerates into a temporary folder and fails when the checked-in files are stale.
 *
 * GRAPHQL_CODEGEN_OUT_DIR writes elsewhere (the staleness test).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import type { CodegenConfig } from "@graphql-codegen/cli";
import { ApiType, pluckConfig, shopifyApiTypes } from "@shopify/api-codegen-preset";

const ROOT = path.join(import.meta.dirname, "..");
export const API_VERSION = "2026-10";
const SCHEMA_GZ = path.join(ROOT, `tests/fixtures/shopify/admin_${API_VERSION}.json.gz`);

function unpackedSchema(): string {
  const file = path.join(os.tmpdir(), `lifecycle-stages-admin-${API_VERSION}-${process.pid}.json`);
  fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(SCHEMA_GZ)));
  process.once("exit", () => fs.rmSync(file, { force: true }));
  return file;
}

const schema = unpackedSchema();
const outputDir =
  path.relative(process.cwd(), process.env.GRAPHQL_CODEGEN_OUT_DIR ?? path.join(ROOT, "app/types")) || ".";
const inApp = (glob: string) => path.relative(process.cwd(), path.join(ROOT, glob));
// The bulk exports' inner queries are not operations of their own: they travel as bulkOperationRunQuery's `query`
// argument (anonymous, as Shopify's examples write them) and their results arrive as JSONL lines, one object each.
const documents = [inApp("app/graphql/*.ts"), `!${inApp("app/graphql/*BulkQuery.ts")}`];

// The preset's outputs, each pointed at the local schema instead of Shopify's proxy (and no download step).
const generates = Object.fromEntries(
  Object.entries(
    shopifyApiTypes({ apiType: ApiType.Admin, apiVersion: API_VERSION, outputDir, documents, enumsAsConst: true }) ??
      {},
  )
    .filter(([, output]) => !(output as { plugins?: string[] }).plugins?.includes("introspection"))
    .map(([file, output]) => [file, { ...(output as object), schema }]),
);

const config: CodegenConfig = {
  overwrite: true,
  silent: true,
  schema,
  documents,
  pluckConfig: pluckConfig as CodegenConfig["pluckConfig"],
  generates,
};

export default config;
