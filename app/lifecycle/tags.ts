/**
 * Rule 6: which app tags a customer carries, and the smallest change that gets them there. Shopify compares tags
 * case-insensitively and trims them, so every comparison here does the same; merchants' own tags are never touched.
 */
import type { Stage, WinbackTier } from "./types";

export const SHOPIFY_TAG_MAX_LENGTH = 255;
export const SHOPIFY_MAX_TAGS_PER_CUSTOMER = 250;

/** The optional tag of the top decile by predicted 12-month value (`<prefix>high-value`), off by default. */
export const HIGH_VALUE_TAG = "high-value";

/**
 * The app tags a customer should carry: the stage, the win-back tier when lapsed, and `<prefix>high-value` when
 * `highValue` is set (the shop turned the tag on and the customer is in the top decile of its last value fit).
 */
export function appTagsFor(
  c: { stage: Stage; winbackTier: WinbackTier | null },
  prefix: string,
  options: { highValue?: boolean } = {},
): string[] {
  const tags = [`${prefix}${c.stage}`];
  if (c.stage === "lapsed" && c.winbackTier !== null) tags.push(`${prefix}winback-${c.winbackTier}`);
  if (options.highValue) tags.push(`${prefix}${HIGH_VALUE_TAG}`);
  return tags;
}

export interface TagPlan {
  add: string[];
  remove: string[];
  /** True when the customer would end up with more than 250 tags: `add` is then empty and the caller reports it. */
  overLimit: boolean;
}

function normalize(tag: string): string {
  return tag.trim().toLowerCase();
}

/**
 * `prefix` may list several prefixes: pass the current one plus any the shop used before, so tags written under an
 * old prefix are removed after the merchant changes it.
 */
export function planTagChange(
  currentTags: readonly string[],
  desiredAppTags: readonly string[],
  prefix: string | readonly string[],
): TagPlan {
  // Lower-cased but not trimmed: a prefix's trailing space is part of it, and trimming would widen what it matches.
  const prefixes = (typeof prefix === "string" ? [prefix] : [...prefix])
    .map((p) => p.trimStart().toLowerCase())
    .filter((p) => p.length > 0);
  if (prefixes.length === 0) throw new Error("planTagChange needs a non-empty tag prefix.");

  const desired = new Map<string, string>();
  for (const tag of desiredAppTags) {
    const key = normalize(tag);
    if (key.length === 0) throw new Error("An app tag cannot be empty.");
    if (tag.trim().length > SHOPIFY_TAG_MAX_LENGTH) {
      throw new Error(
        `The app tag "${tag.slice(0, 60)}…" is longer than Shopify's ${SHOPIFY_TAG_MAX_LENGTH} characters.`,
      );
    }
    if (tag.includes(",")) throw new Error(`The app tag "${tag}" contains a comma, which Shopify would split.`);
    if (!desired.has(key)) desired.set(key, tag.trim());
  }

  const present = new Set<string>();
  const remove: string[] = [];
  for (const tag of currentTags) {
    const key = normalize(tag);
    if (key.length === 0 || present.has(key)) continue;
    present.add(key);
    if (!desired.has(key) && prefixes.some((p) => key.startsWith(p))) remove.push(tag);
  }
  const add = [...desired].filter(([key]) => !present.has(key)).map(([, tag]) => tag);

  const finalCount = present.size - remove.length + add.length;
  if (add.length > 0 && finalCount > SHOPIFY_MAX_TAGS_PER_CUSTOMER) {
    // Removing stale app tags is still right: a missing stage tag is better than a wrong one.
    return { add: [], remove, overLimit: true };
  }
  return { add, remove, overLimit: false };
}

/** Applies a plan the way Shopify's tagsAdd/tagsRemove would (used by tests and dry runs). */
export function applyTagPlan(currentTags: readonly string[], plan: TagPlan): string[] {
  const removed = new Set(plan.remove.map(normalize));
  const result: string[] = [];
  const seen = new Set<string>();
  for (const tag of [...currentTags, ...plan.add]) {
    const key = normalize(tag);
    if (key.length === 0 || removed.has(key) || seen.has(key)) continue;
    seen.add(key);
    result.push(tag.trim());
  }
  return result;
}
