/**
 * Shopify's search `query:` syntax (https://shopify.dev/docs/api/usage/search-syntax),
 * for the parts an app uses: `field:value`, comparators `> >= < <=`, quoted values
 * ('…' or "…"), prefix wildcard `value*`, `AND` / `OR` / `NOT` / `-term`, parentheses,
 * implicit AND between terms, and bare words (matched against a resource's default
 * fields). Unknown fields are ignored (they match everything) and reported as warnings,
 * as Shopify does in `extensions.search`.
 */

export type Comparator = ":" | ">" | ">=" | "<" | "<=";

export type SearchNode =
  | { kind: "term"; field: string | null; op: Comparator; value: string; quoted: boolean }
  | { kind: "and"; nodes: SearchNode[] }
  | { kind: "or"; nodes: SearchNode[] }
  | { kind: "not"; node: SearchNode };

type Tok =
  | { t: "lp" }
  | { t: "rp" }
  | { t: "and" }
  | { t: "or" }
  | { t: "not" }
  | { t: "term"; field: string | null; op: Comparator; value: string; quoted: boolean; neg: boolean };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = q.length;
  const readValue = (): { value: string; quoted: boolean } => {
    const c = q[i];
    if (c === '"' || c === "'") {
      let v = "";
      i++;
      while (i < n && q[i] !== c) {
        if (q[i] === "\\" && i + 1 < n) {
          v += q[i + 1];
          i += 2;
          continue;
        }
        v += q[i++];
      }
      i++; // closing quote
      return { value: v, quoted: true };
    }
    let v = "";
    while (i < n && !/\s/.test(q[i]) && q[i] !== ")" && q[i] !== "(") v += q[i++];
    return { value: v, quoted: false };
  };
  while (i < n) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(") {
      out.push({ t: "lp" });
      i++;
      continue;
    }
    if (c === ")") {
      out.push({ t: "rp" });
      i++;
      continue;
    }
    let neg = false;
    if (c === "-" && i + 1 < n && !/\s/.test(q[i + 1])) {
      neg = true;
      i++;
    }
    // field name?
    const m = /^([A-Za-z_][A-Za-z0-9_.]*):/.exec(q.slice(i));
    if (m) {
      i += m[0].length;
      let op: Comparator = ":";
      for (const comparator of [">=", "<=", ">", "<"] as const) {
        if (q.startsWith(comparator, i)) {
          op = comparator;
          i += comparator.length;
          break;
        }
      }
      const { value, quoted } = readValue();
      out.push({ t: "term", field: m[1].toLowerCase(), op, value, quoted, neg });
      continue;
    }
    const { value, quoted } = readValue();
    if (!quoted && !neg) {
      if (value === "AND") {
        out.push({ t: "and" });
        continue;
      }
      if (value === "OR") {
        out.push({ t: "or" });
        continue;
      }
      if (value === "NOT") {
        out.push({ t: "not" });
        continue;
      }
    }
    if (value === "" && !quoted) continue;
    out.push({ t: "term", field: null, op: ":", value, quoted, neg });
  }
  return out;
}

export function parseSearchQuery(q: string | null | undefined): SearchNode | null {
  if (!q || !q.trim()) return null;
  const toks = tokenize(q);
  let p = 0;
  const parseOr = (): SearchNode | null => {
    const nodes: SearchNode[] = [];
    const first = parseAnd();
    if (first) nodes.push(first);
    while (toks[p]?.t === "or") {
      p++;
      const next = parseAnd();
      if (next) nodes.push(next);
    }
    if (nodes.length === 0) return null;
    return nodes.length === 1 ? nodes[0] : { kind: "or", nodes };
  };
  const parseAnd = (): SearchNode | null => {
    const nodes: SearchNode[] = [];
    for (;;) {
      const tok = toks[p];
      if (!tok || tok.t === "rp" || tok.t === "or") break;
      if (tok.t === "and") {
        p++;
        continue;
      }
      const u = parseUnary();
      if (u) nodes.push(u);
    }
    if (nodes.length === 0) return null;
    return nodes.length === 1 ? nodes[0] : { kind: "and", nodes };
  };
  const parseUnary = (): SearchNode | null => {
    const tok = toks[p];
    if (!tok) return null;
    if (tok.t === "not") {
      p++;
      const inner = parseUnary();
      return inner ? { kind: "not", node: inner } : null;
    }
    if (tok.t === "lp") {
      p++;
      const inner = parseOr();
      if (toks[p]?.t === "rp") p++;
      return inner;
    }
    if (tok.t === "term") {
      p++;
      const term: SearchNode = { kind: "term", field: tok.field, op: tok.op, value: tok.value, quoted: tok.quoted };
      return tok.neg ? { kind: "not", node: term } : term;
    }
    p++; // stray token
    return null;
  };
  const nodes: SearchNode[] = [];
  while (p < toks.length) {
    const r = parseOr();
    if (r) nodes.push(r);
    if (toks[p]?.t === "rp") p++;
  }
  if (nodes.length === 0) return null;
  return nodes.length === 1 ? nodes[0] : { kind: "and", nodes };
}

export type FieldKind = "string" | "number" | "date" | "bool" | "id" | "tags" | "text";

export interface SearchField<T> {
  kind: FieldKind;
  get: (rec: T) => unknown;
  /** Custom matcher; when given, `kind`/`get` are not used for matching. */
  match?: (rec: T, op: Comparator, value: string) => boolean;
}

export interface SearchSpec<T> {
  fields: Record<string, SearchField<T>>;
  /** Used for bare words (no field). */
  defaultText: (rec: T) => string[];
}

export interface SearchWarning {
  field: string;
  message: string;
}

/** Parses a date the way the search syntax accepts it: ISO 8601, or YYYY-MM-DD (start of that UTC day). */
export function parseSearchDate(value: string, now: number): { from: number; to: number } | null {
  const v = value.trim();
  if (v.toLowerCase() === "now") return { from: now, to: now };
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const from = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(from)) return null;
    return { from, to: from + 86_400_000 - 1 };
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return { from: t, to: t };
}

function idNumber(v: unknown): number {
  if (typeof v === "number") return v;
  const s = String(v);
  const m = /(\d+)(\?.*)?$/.exec(s);
  return m ? Number(m[1]) : Number.NaN;
}

function compareNum(a: number, op: Comparator, b: number): boolean {
  switch (op) {
    case ":":
      return a === b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

function matchString(actual: unknown, value: string): boolean {
  if (actual === null || actual === undefined) return false;
  const a = String(actual).toLowerCase();
  const v = value.toLowerCase();
  if (v.endsWith("*")) return a.startsWith(v.slice(0, -1));
  return a === v;
}

/**
 * Compiles a search query into a predicate. Unknown fields become `true` and are
 * pushed to `warnings` (Shopify: "Invalid search field for this query.").
 */
export function compileSearch<T>(
  q: string | null | undefined,
  spec: SearchSpec<T>,
  now: number,
  warnings: SearchWarning[] = [],
): (rec: T) => boolean {
  const ast = parseSearchQuery(q);
  if (!ast) return () => true;
  const build = (node: SearchNode): ((rec: T) => boolean) => {
    if (node.kind === "and") {
      const parts = node.nodes.map(build);
      return (r) => parts.every((f) => f(r));
    }
    if (node.kind === "or") {
      const parts = node.nodes.map(build);
      return (r) => parts.some((f) => f(r));
    }
    if (node.kind === "not") {
      const inner = build(node.node);
      return (r) => !inner(r);
    }
    const { field, op, value } = node;
    if (field === null) {
      const v = value.toLowerCase().replace(/\*$/, "");
      return (r) => spec.defaultText(r).some((s) => s.toLowerCase().includes(v));
    }
    const def = spec.fields[field];
    if (!def) {
      if (!warnings.some((w) => w.field === field))
        warnings.push({ field, message: "Invalid search field for this query." });
      return () => true;
    }
    if (def.match) {
      const m = def.match;
      return (r) => m(r, op, value);
    }
    switch (def.kind) {
      case "string":
        return (r) => matchString(def.get(r), value);
      case "text":
        return (r) => {
          const a = def.get(r);
          return (
            a !== null && a !== undefined && String(a).toLowerCase().includes(value.toLowerCase().replace(/\*$/, ""))
          );
        };
      case "tags":
        return (r) => {
          const tags = (def.get(r) as string[]) ?? [];
          return tags.some((t) => matchString(t, value));
        };
      case "bool": {
        const want = value.toLowerCase() === "true";
        return (r) => Boolean(def.get(r)) === want;
      }
      case "number": {
        const b = Number(value);
        if (Number.isNaN(b)) return () => false;
        return (r) => {
          const a = def.get(r);
          return a !== null && a !== undefined && compareNum(Number(a), op, b);
        };
      }
      case "id": {
        const b = idNumber(value);
        if (Number.isNaN(b)) return () => false;
        return (r) => {
          const a = def.get(r);
          return a !== null && a !== undefined && compareNum(idNumber(a), op, b);
        };
      }
      case "date": {
        const range = parseSearchDate(value, now);
        if (!range) {
          warnings.push({ field, message: `Invalid date: ${value}` });
          return () => true;
        }
        return (r) => {
          const a = def.get(r) as number | null | undefined;
          if (a === null || a === undefined) return false;
          switch (op) {
            case ":":
              return a >= range.from && a <= range.to;
            case ">":
              return a > range.to;
            case ">=":
              return a >= range.from;
            case "<":
              return a < range.from;
            case "<=":
              return a <= range.to;
          }
        };
      }
    }
  };
  return build(ast);
}
