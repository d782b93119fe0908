import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import {
  buildClientSchema,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type IntrospectionQuery,
} from "graphql";
import { describe, expect, it } from "vitest";
import { buildTagsBatchMutation } from "../../app/graphql/TagsBatchMutation";
import { buildFlowTriggerBatchMutation } from "../../app/graphql/FlowTriggerBatchMutation";

const ROOT = path.resolve(import.meta.dirname, "../..");
const schema = buildClientSchema(
  (
    JSON.parse(
      zlib.gunzipSync(fs.readFileSync(path.join(ROOT, "tests/fixtures/shopify/admin_2026-10.json.gz"))).toString(),
    ) as { data: IntrospectionQuery }
  ).data,
);

/** graphql-js's standard validation plus NoDeprecatedCustomRule: nothing the 2026-10 schema marks deprecated. */
const check = (document: DocumentNode) =>
  validate(schema, document, [...specifiedRules, NoDeprecatedCustomRule]).map((e) => e.message);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Every `#graphql` template literal in app/ (the documents the app sends to the Admin API). */
function documentsInApp(): Array<{ file: string; source: string }> {
  return sourceFiles(path.join(ROOT, "app")).flatMap((file) =>
    [...fs.readFileSync(file, "utf8").matchAll(/`#graphql([\s\S]*?)`/g)].map((m) => ({
      file: path.relative(ROOT, file),
      source: m[1],
    })),
  );
}

describe("Admin GraphQL documents", () => {
  const documents = documentsInApp();

  it("the app has documents to check", () => {
    expect(documents.length).toBeGreaterThanOrEqual(12);
  });

  it.each(documents.map((d) => [d.file, d.source] as const))(
    "%s validates against the 2026-10 schema and uses nothing deprecated",
    (_file, source) => {
      expect(check(parse(source))).toEqual([]);
    },
  );

  it("the aliased tag batch mutation validates for removals, additions and both", () => {
    const { document, mutationCount } = buildTagsBatchMutation([
      {
        id: "gid://shopify/Customer/1",
        add: ["lifecycle:lapsed", "lifecycle:winback-90"],
        remove: ["lifecycle:repeat-buyer"],
      },
      { id: "gid://shopify/Customer/2", add: ["lifecycle:visitor"], remove: [] },
      { id: "gid://shopify/Customer/3", add: [], remove: ["lifecycle:winback-90"] },
    ]);
    expect(mutationCount).toBe(4);
    expect(check(parse(document))).toEqual([]);
  });

  it("the aliased Flow trigger batch validates", () => {
    const { document } = buildFlowTriggerBatchMutation("lifecycle-stage-changed", [
      { customer_id: 1 },
      { customer_id: 2 },
    ]);
    expect(check(parse(document))).toEqual([]);
  });

  it("a misspelt field fails validation (the check is real)", () => {
    const errors = validate(schema, parse("query { shop { nmae } }"));
    expect(errors.length).toBeGreaterThan(0);
  });

  it("a deprecated field fails the check (the rule is real)", () => {
    expect(check(parse("{ customers(first: 1) { nodes { emailMarketingConsent { marketingState } } } }"))).toEqual([
      "The field Customer.emailMarketingConsent is deprecated. Use `defaultEmailAddress.marketingState`, `defaultEmailAddress.marketingOptInLevel`, `defaultEmailAddress.marketingUpdatedAt`, and `defaultEmailAddress.sourceLocation` instead.",
    ]);
  });
});
