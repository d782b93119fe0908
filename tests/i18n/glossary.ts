/** The glossary table of app/i18n/README.md, read the way tests/board/i18n.test.ts checks it. */
import fs from "node:fs";
import path from "node:path";

export interface GlossaryRow {
  concept: string;
  en: string[];
  ja: string[];
  nl: string[];
  notJa: string[];
  notNl: string[];
}

const README = path.resolve(import.meta.dirname, "../../app/i18n/README.md");

/** Cells split on unescaped pipes; `\|` inside a cell (a regular expression's alternation) is a literal pipe. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/** Comma-separated forms; a `/…/` form is a regular expression and keeps its commas. */
function forms(cell: string): string[] {
  const found: string[] = [];
  for (const match of cell.matchAll(/\/(?:\\.|[^/])+\/|[^,]+/g)) if (match[0].trim()) found.push(match[0].trim());
  return found;
}

export function readGlossary(): GlossaryRow[] {
  const text = fs.readFileSync(README, "utf8");
  const section = text.slice(text.indexOf("## Glossary"));
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .slice(2);
  return rows.map((line) => {
    const [concept, en, ja, nl, notJa, notNl] = cells(line);
    return {
      concept,
      en: forms(en),
      ja: forms(ja),
      nl: forms(nl),
      notJa: forms(notJa ?? ""),
      notNl: forms(notNl ?? ""),
    };
  });
}

/**
 * A form as a case-insensitive pattern: `/…/` as written; Latin text as whole words, or as a word's beginning when
 * it ends in `*` ("lapse*" matches "lapsed"); Japanese text anywhere.
 */
export function wordPattern(form: string): RegExp {
  if (form.startsWith("/") && form.endsWith("/") && form.length > 2) return new RegExp(form.slice(1, -1), "iu");
  const prefix = form.endsWith("*");
  const text = prefix ? form.slice(0, -1) : form;
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (!/^[\p{Script=Latin}\s'-]+$/u.test(text)) return new RegExp(escaped, "iu");
  return new RegExp(`(?<![\\p{L}-])${escaped}${prefix ? "" : "(?![\\p{L}])"}`, "iu");
}

/** Product and model names stay as they are in every language: their words are not the glossary's concepts. */
export const PROPER_NAMES = ["Lifecycle Stages", "Customer MasterPlan"];

export function withoutProperNames(text: string): string {
  return PROPER_NAMES.reduce((rest, name) => rest.split(name).join(" "), text);
}

/** A glossary term as found in a translation: anywhere in it, so Dutch compounds ("levenscyclusfase") count. */
export function termPattern(term: string): RegExp {
  return new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "iu");
}
