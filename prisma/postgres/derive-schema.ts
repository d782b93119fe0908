/**
 * Derives prisma/postgres/schema.prisma from prisma/schema.prisma, the one source of truth: the same models, the
 * PostgreSQL provider, and a client generated to its own folder (a generated client is provider-specific, so the
 * SQLite and PostgreSQL clients cannot share node_modules/.prisma/client).
 *
 *   npx tsx prisma/postgres/derive-schema.ts          writes the file
 *   npx tsx prisma/postgres/derive-schema.ts --check  exits 1 when the committed file differs
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_SCHEMA = path.resolve(HERE, "../schema.prisma");
export const POSTGRES_SCHEMA = path.resolve(HERE, "schema.prisma");
/** Relative to this folder; db.server.ts loads the client from `.prisma/client-pg`. */
export const POSTGRES_CLIENT_OUTPUT = "../../node_modules/.prisma/client-pg";

const HEADER = [
  "// GENERATED from prisma/schema.prisma by prisma/postgres/derive-schema.ts: do not edit.",
  "// Change prisma/schema.prisma, run `npx tsx prisma/postgres/derive-schema.ts`, then migrate both databases",
  '// (README, "Schema changes"); tests/postgres/schema-drift.test.ts fails until all three agree.',
  "",
  "",
].join("\n");

function replaceBlock(
  schema: string,
  kind: "generator" | "datasource",
  name: string,
  edit: (body: string) => string,
): string {
  const pattern = new RegExp(`(${kind}\\s+${name}\\s*\\{)([^}]*)(\\})`);
  const match = pattern.exec(schema);
  if (!match) throw new Error(`prisma/schema.prisma has no "${kind} ${name}" block`);
  return (
    schema.slice(0, match.index) + match[1] + edit(match[2]) + match[3] + schema.slice(match.index + match[0].length)
  );
}

function setField(body: string, field: string, value: string): string {
  const line = new RegExp(`^(\\s*)${field}\\s*=.*$`, "m");
  if (line.test(body)) return body.replace(line, `$1${field} = ${value}`);
  // Aligned like the provider line above it, so `prisma format` would leave the file as it is.
  const indent = /^([ \t]*)provider/m.exec(body)?.[1] ?? "  ";
  return body.replace(/\s*$/, `\n${indent}${field} = ${value}\n`);
}

export function derivePostgresSchema(source: string): string {
  let schema = source.replace(/^\/\/ The single source of truth[^\n]*\n(\/\/[^\n]*\n)*/, "");
  schema = replaceBlock(schema, "datasource", "db", (body) => {
    if (!/provider\s*=\s*"sqlite"/.test(body))
      throw new Error('prisma/schema.prisma: expected provider = "sqlite" in datasource db');
    return body.replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"');
  });
  schema = replaceBlock(schema, "generator", "client", (body) =>
    setField(body, "output", JSON.stringify(POSTGRES_CLIENT_OUTPUT)),
  );
  return HEADER + schema.replace(/^\n+/, "");
}

function main(): void {
  const derived = derivePostgresSchema(fs.readFileSync(SOURCE_SCHEMA, "utf8"));
  if (process.argv.includes("--check")) {
    const committed = fs.existsSync(POSTGRES_SCHEMA) ? fs.readFileSync(POSTGRES_SCHEMA, "utf8") : "";
    if (committed !== derived) {
      console.error("prisma/postgres/schema.prisma is out of date: run `npx tsx prisma/postgres/derive-schema.ts`");
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(POSTGRES_SCHEMA, derived);
  console.log(`wrote ${path.relative(process.cwd(), POSTGRES_SCHEMA)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
