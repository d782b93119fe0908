/**
 * package.json's sections say how each package is used: `dependencies` is what a production machine needs to run
 * `npm run setup`, `npm start`, `npm run worker` and the CLIs from a build; `devDependencies` is for building,
 * testing, benchmarking and linting. The runtime's imports are read from the source itself (TypeScript's parser), so
 * a package that app code starts importing, or stops importing, fails here until it moves.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Production code: everything under app/ (the web app, the worker, the CLIs), Prisma's CLI config and the file
 * `npm start` runs (read from package.json, wherever it lives).
 */
function runtimeRoots(): string[] {
  const serverEntry = manifest.scripts.start.split(/\s+/)[1];
  return ["app", ".config/prisma.ts", serverEntry].filter((entry) => existsSync(path.join(ROOT, entry)));
}

/** Packages production needs although no runtime file imports them (or imports only their types), and why. */
const NEEDED_WITHOUT_IMPORT: Record<string, string> = {
  prisma: "`npm run setup`: prisma generate and prisma migrate deploy (.config/prisma.ts also imports it)",
  tsx: "`npm run worker`, `npm run classify` and `npm run predict` run TypeScript through it",
  "better-sqlite3":
    "the driver under @prisma/adapter-better-sqlite3, whose connection app/db.server.ts and the import's writes call directly",
};

const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (SOURCE.test(entry)) return [full];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((file) => SOURCE.test(file) && !file.endsWith(".d.ts"))
    .map((file) => path.join(full, file));
}

/** The module specifiers a file loads when it runs: type-only imports and exports are erased, so they do not count. */
export function runtimeSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const erased =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      if (!erased) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** "@scope/name/sub?url" → "@scope/name"; relative paths, the `~/` alias and Node's built-ins → null. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("~/")) return null;
  if (specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0])) return null;
  if (specifier.startsWith("virtual:")) return null;
  const bare = specifier.split("?")[0];
  const parts = bare.split("/");
  return bare.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** The peers a package cannot run without (optional ones left out), read from its installed package.json. */
function requiredPeers(name: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  return Object.keys(manifest.peerDependencies ?? {}).filter(
    (peer) => !manifest.peerDependenciesMeta?.[peer]?.optional,
  );
}

function runtimeImports(): Map<string, string[]> {
  const importers = new Map<string, string[]>();
  for (const file of [...new Set(runtimeRoots().flatMap(sourceFiles))]) {
    for (const specifier of runtimeSpecifiers(file, readFileSync(file, "utf8"))) {
      const name = packageOf(specifier);
      if (name === null) continue;
      importers.set(name, [...(importers.get(name) ?? []), path.relative(ROOT, file)]);
    }
  }
  return importers;
}

describe("package.json's sections match how each package is used", () => {
  const imported = runtimeImports();

  it("every package production code imports is a dependency", () => {
    const misplaced = [...imported.keys()]
      .filter((name) => !(name in manifest.dependencies))
      .map((name) => `${name} (imported by ${imported.get(name)!.join(", ")})`);
    expect(misplaced).toEqual([]);
  });

  it("every dependency is imported by production code, a peer it needs, or needed by a production script", () => {
    const needed = new Set([...imported.keys(), ...Object.keys(NEEDED_WITHOUT_IMPORT)]);
    for (const name of needed) for (const peer of requiredPeers(name)) needed.add(peer);
    const unused = Object.keys(manifest.dependencies).filter((name) => !needed.has(name));
    expect(unused).toEqual([]);
    for (const name of Object.keys(NEEDED_WITHOUT_IMPORT)) expect(manifest.dependencies).toHaveProperty([name]);
  });

  it("the file `npm start` runs is read", () => {
    const serverEntry = manifest.scripts.start.split(/\s+/)[1];
    expect(runtimeRoots()).toContain(serverEntry);
    expect([...imported.values()].flat()).toContain(path.normalize(serverEntry));
  });

  it("no package sits in both sections", () => {
    expect(Object.keys(manifest.devDependencies).filter((name) => name in manifest.dependencies)).toEqual([]);
  });

  it("the reader tells runtime imports from erased ones", () => {
    const text = [
      'import type { A } from "types-only";',
      'import { type B, type C } from "all-type-specifiers";',
      'import { type D, e } from "mixed";',
      'import f from "default-import";',
      'import "side-effect";',
      'export { g } from "re-export";',
      'export type { H } from "type-re-export";',
      'const lazy = () => import("dynamic");',
      'const cjs = require("required");',
    ].join("\n");
    expect(runtimeSpecifiers("probe.ts", text)).toEqual([
      "mixed",
      "default-import",
      "side-effect",
      "re-export",
      "dynamic",
      "required",
    ]);
    expect(
      ["@scope/name/sub/path", "name/sub", "pkg/styles.css?url", "node:fs", "fs/promises", "./x", "~/x"].map(packageOf),
    ).toEqual(["@scope/name", "name", "pkg", null, null, null, null]);
  });
});
