/**
 * Imports run one way (issue 15.1): each file of app/ sits on a layer, and a file imports only from its own layer or
 * the ones below. The table below is the layering README.md draws under "How it is built"; a new folder must be
 * placed here before the test passes. Imports are read with TypeScript's own pre-processor (import, export … from,
 * import type, literal dynamic import()), so a type-only import counts as a dependency too.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Top to bottom. The first rule whose pattern matches a file's path (from the repository root) places it. */
const LAYERS: ReadonlyArray<{ layer: string; files: RegExp[] }> = [
  { layer: "routes", files: [/^app\/routes\//, /^app\/root\.tsx$/, /^app\/entry\.server\.tsx$/] },
  { layer: "board UI", files: [/^app\/board\/ui\//, /^app\/campaigns\/ui\//, /^app\/privacy\/.*\.tsx$/] },
  // What starts work: Shopify's auth hooks, the job runners, webhook receipt, the command-line tools.
  {
    layer: "entry points",
    files: [/^app\/shopify\.server\.ts$/, /^app\/webhooks\//, /^app\/cli\//, /^app\/server\.mjs$/, /^app\/jobs\//],
  },
  {
    layer: "services",
    files: [
      /^app\/sync\//,
      /^app\/campaigns\//,
      /^app\/analytics\//,
      /^app\/board\//,
      /^app\/customers\//,
      /^app\/privacy\//,
      /^app\/ingest\//,
    ],
  },
  // Words the merchant reads: services and UI translate; models never do.
  { layer: "i18n", files: [/^app\/i18n\//] },
  // Database access only; the job table (app/queue) is one more table services write to (enqueue, wake).
  { layer: "models", files: [/^app\/models\//, /^app\/queue\//] },
  {
    layer: "shopify / graphql",
    files: [
      /^app\/shopify\//,
      /^app\/graphql\//,
      /^app\/http\//,
      /^app\/db\.server\.ts$/,
      /^app\/db\.url\.ts$/,
      /^app\/config\.server\.ts$/,
      /^app\/logger\.server\.ts$/,
      /^app\/threads\.server\.ts$/,
    ],
  },
  { layer: "lifecycle / domain", files: [/^app\/lifecycle\//, /^app\/domain\//, /^app\/types\//] },
];

/**
 * Upward imports that stay, each with why (at most 3). Keyed "importer -> imported".
 */
const ALLOWED_UPWARD: Readonly<Record<string, string>> = {};

/** What models/ must never import, whatever the layers allow: it is database access only (issue 15.3). */
const MODELS_MUST_NOT_IMPORT = [/^app\/shopify\//, /^app\/graphql\//, /^app\/i18n\//];

function appFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return appFiles(full);
    return /\.(tsx?|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path.relative(ROOT, full)] : [];
  });
}

const FILES = appFiles(path.join(ROOT, "app"));
const KNOWN = new Set(FILES);

function resolveImport(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("~/")) base = path.join("app", specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.join(path.dirname(from), specifier);
  else return null;
  base = base.replace(/\.js$/, "");
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}.mjs`, `${base}/index.ts`, `${base}/index.tsx`];
  return candidates.find((candidate) => KNOWN.has(candidate)) ?? null;
}

/** Every import edge between files of app/ (JSON and other assets are not files of a layer). */
function importEdges(): Array<{ from: string; to: string }> {
  return FILES.flatMap((from) => {
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, from), "utf8"), true, true);
    return info.importedFiles.flatMap(({ fileName }) => {
      const to = resolveImport(from, fileName);
      return to ? [{ from, to }] : [];
    });
  });
}

function layerOf(file: string): number {
  const index = LAYERS.findIndex(({ files }) => files.some((pattern) => pattern.test(file)));
  return index === -1 ? -1 : LAYERS.length - index;
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
function cycles(edges: Array<{ from: string; to: string }>): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (file: string) => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(file, Math.min(low.get(file)!, index.get(to)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (next.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of FILES) if (!index.has(file)) visit(file);
  return found;
}

describe("layering of app/", () => {
  const edges = importEdges();

  it("reads the app's imports", () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
  });

  it("places every file of app/ on a layer", () => {
    expect(FILES.filter((file) => layerOf(file) === -1)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("imports only downward, apart from the allowed few (each with its reason)", () => {
    const upward = edges
      .filter(({ from, to }) => layerOf(to) > layerOf(from))
      .map(({ from, to }) => `${from} -> ${to}`);
    const unexplained = upward.filter((edge) => !(edge in ALLOWED_UPWARD));
    expect(unexplained).toEqual([]);
    expect(Object.keys(ALLOWED_UPWARD).length).toBeLessThanOrEqual(3);
    for (const reason of Object.values(ALLOWED_UPWARD)) expect(reason.length).toBeGreaterThan(20);
    // An allowance the code no longer needs is removed, so the list stays true.
    expect(Object.keys(ALLOWED_UPWARD).filter((edge) => !upward.includes(edge))).toEqual([]);
  });

  it("keeps models/ to database access: no Shopify calls, GraphQL documents or translations", () => {
    const offending = edges.filter(
      ({ from, to }) => from.startsWith("app/models/") && MODELS_MUST_NOT_IMPORT.some((p) => p.test(to)),
    );
    expect(offending.map(({ from, to }) => `${from} -> ${to}`)).toEqual([]);
  });

  it("keeps app/lifecycle pure: no Prisma, no Shopify, no database, no clock", () => {
    const impure = FILES.filter((file) => file.startsWith("app/lifecycle/")).flatMap((file) => {
      const source = fs.readFileSync(path.join(ROOT, file), "utf8");
      const modules = ts.preProcessFile(source, true, true).importedFiles.map((i) => i.fileName);
      const bad = modules
        .filter((m) => /^@prisma\/|^@shopify\/|^graphql|^pg$|better-sqlite3|db\.server/.test(m))
        .map((m) => `${file} imports ${m}`);
      if (/\bDate\.now\(\)|new Date\(\)/.test(source)) bad.push(`${file} reads the clock`);
      return bad;
    });
    expect(impure).toEqual([]);
  });
});
