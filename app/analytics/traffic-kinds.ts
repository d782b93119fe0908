/**
 * Which of Stage 1's three kinds of marketing brought a visit, from Shopify's traffic source of the session
 * (ShopifyQL `sessions`: referrer_source, referrer_name) or of the first visit (the first-click channel of a sale).
 * Pure. The app's table is below and in the README; the merchant can put rules of their own before it (first match
 * wins): `{ source: "social", name: "instagram", kind: "target-customers" }`.
 *
 * | source   | name contains            | kind              | why                                                        |
 * |----------|--------------------------|-------------------|------------------------------------------------------------|
 * | paid     | youtube, tv, video       | shine-a-light     | broad paid reach: video and TV-like ads seen by many        |
 * | paid     | google, bing, shopping   | get-found         | search and shopping ads: people already searching           |
 * | paid     | (anything else)          | target-customers  | paid social and display: ads aimed at chosen audiences      |
 * | search   | (any)                    | get-found         | search engines and shopping listings                       |
 * | direct   | (any)                    | get-found         | they typed the address or had it saved                     |
 * | social   | (any)                    | shine-a-light     | organic social reach: posts and shares seen broadly        |
 * | referral | (any)                    | shine-a-light     | links placed elsewhere: press, blogs, partners             |
 * | email    | (any)                    | not Stage 1       | email reaches people already on the list (Stage 3's work)  |
 * | unknown  | (any name)               | shine-a-light     | a named site that linked to the shop                       |
 * | unknown  | (none)                   | unattributed      | Shopify could not tell where the visit came from           |
 * | (other)  |                          | unattributed      | a source newer than this table: map it in Settings          |
 */
import { STAGE_ONE_KINDS, type StageOneKind } from "../domain/stages";

/** A Stage 1 kind, or a visit that is not Stage 1's work (email), or one Shopify could not place. */
export type TrafficKind = StageOneKind | "not-stage-1" | "unattributed";
export const TRAFFIC_KINDS: readonly TrafficKind[] = [...STAGE_ONE_KINDS, "not-stage-1", "unattributed"];

export interface TrafficKindRule {
  /** Shopify's referrer_source (or first-visit channel), compared without case; "*" matches any. */
  source: string;
  /** Matches when the referrer name contains this (without case); absent or "" matches any name; "-" only no name. */
  name?: string;
  kind: TrafficKind;
}

export const DEFAULT_TRAFFIC_KIND_RULES: readonly TrafficKindRule[] = [
  { source: "paid", name: "youtube", kind: "shine-a-light" },
  { source: "paid", name: "tv", kind: "shine-a-light" },
  { source: "paid", name: "video", kind: "shine-a-light" },
  { source: "paid", name: "google", kind: "get-found" },
  { source: "paid", name: "bing", kind: "get-found" },
  { source: "paid", name: "shopping", kind: "get-found" },
  { source: "paid", kind: "target-customers" },
  { source: "search", kind: "get-found" },
  { source: "direct", kind: "get-found" },
  { source: "social", kind: "shine-a-light" },
  { source: "referral", kind: "shine-a-light" },
  { source: "email", kind: "not-stage-1" },
  { source: "unknown", name: "-", kind: "unattributed" },
  { source: "unknown", kind: "shine-a-light" },
];

export function isTrafficKind(value: unknown): value is TrafficKind {
  return typeof value === "string" && (TRAFFIC_KINDS as readonly string[]).includes(value);
}

function matches(rule: TrafficKindRule, source: string, name: string): boolean {
  const s = source.trim().toLowerCase();
  const n = name.trim().toLowerCase();
  if (rule.source !== "*" && rule.source.trim().toLowerCase() !== s) return false;
  const want = (rule.name ?? "").trim().toLowerCase();
  if (want === "") return true;
  if (want === "-") return n === "";
  return n.includes(want);
}

/** The kind of a visit from `source` / `name`: the merchant's rules first, then the app's table. */
export function kindOf(source: string, name: string, merchantRules: readonly TrafficKindRule[] = []): TrafficKind {
  for (const rule of merchantRules) if (matches(rule, source, name)) return rule.kind;
  for (const rule of DEFAULT_TRAFFIC_KIND_RULES) if (matches(rule, source, name)) return rule.kind;
  return "unattributed";
}

/** Validates merchant rules (from JSON or a form): a list of {source, name?, kind}; throws a plain message. */
export function validateTrafficKindRules(value: unknown): TrafficKindRule[] {
  if (!Array.isArray(value)) throw new Error("Traffic rules must be a list.");
  if (value.length > 200) throw new Error("At most 200 traffic rules.");
  return value.map((raw, i) => {
    const r = raw as { source?: unknown; name?: unknown; kind?: unknown };
    if (typeof r?.source !== "string" || r.source.trim() === "" || r.source.length > 100)
      throw new Error(`Rule ${i + 1}: a source is needed.`);
    if (r.name != null && (typeof r.name !== "string" || r.name.length > 200))
      throw new Error(`Rule ${i + 1}: the name must be text.`);
    if (!isTrafficKind(r.kind)) throw new Error(`Rule ${i + 1}: unknown kind.`);
    return { source: r.source.trim(), ...(r.name ? { name: String(r.name).trim() } : {}), kind: r.kind };
  });
}

/**
 * Rules from the lines of a Settings text box, one rule a line: `source, name → kind` or `source → kind`
 * (e.g. `social, instagram → target-customers`). Blank lines and lines starting with # are skipped.
 */
export function parseTrafficKindLines(text: string): TrafficKindRule[] {
  const rules: unknown[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const m = /^([^,→>]+?)\s*(?:,\s*([^→>]*?))?\s*(?:→|->|=>)\s*(\S+)$/.exec(trimmed);
    if (!m) throw new Error(`Line ${i + 1}: write "source, name → kind".`);
    rules.push({ source: m[1], name: m[2] || undefined, kind: m[3] });
  }
  return validateTrafficKindRules(rules);
}

export function formatTrafficKindLines(rules: readonly TrafficKindRule[]): string {
  return rules.map((r) => `${r.source}${r.name ? `, ${r.name}` : ""} → ${r.kind}`).join("\n");
}
