import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

export const API_VERSION = "2026-10";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, "../..");
export const SCHEMA_PATH = path.join(REPO_ROOT, "tests/fixtures/shopify/admin_2026-10.json.gz");

let cached: GraphQLSchema | undefined;
let cachedJson: AdminSchemaJson | undefined;

/** Shopify's own metadata beside the standard introspection: who may read a type or field. */
export interface AccessMetadata {
  name: string;
  requiredAccess?: string | null;
  isProtected?: boolean;
  protectedContent?: string | null;
}

export interface AdminSchemaJson {
  data: IntrospectionQuery;
}

/** The introspection JSON as shipped (once per process): with `requiredAccess`, `isProtected`, `protectedContent`. */
export function loadAdminSchemaJson(): AdminSchemaJson {
  if (!cachedJson) cachedJson = JSON.parse(gunzipSync(readFileSync(SCHEMA_PATH)).toString("utf8")) as AdminSchemaJson;
  return cachedJson;
}

/** Builds (once per process) a fresh client schema from the real Admin API 2026-10 introspection. */
export function loadAdminSchema(): GraphQLSchema {
  if (!cached) cached = buildAdminSchema();
  return cached;
}

/** Builds a new, resolver-free schema object (each call returns a distinct schema). */
export function buildAdminSchema(): GraphQLSchema {
  return buildClientSchema(loadAdminSchemaJson().data);
}
