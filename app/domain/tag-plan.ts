/**
 * The app tags a customer should carry, as reconcile stores them for the tag-write step: only the newest desired
 * state is kept, and the plan (what to add, what to remove) is made against the customer's known tags when it is
 * sent, so an older state is never written after a newer one.
 */
import { planTagChange, type TagPlan } from "../lifecycle";

export interface DesiredAppTags {
  /** The app tags to carry (stage, win-back tier, high-value). */
  tags: string[];
  /** The shop's tag prefix: other tags under it are the app's and go. */
  prefix: string;
  /** App tags of a prefix the merchant replaced, lower-cased: removed where present. */
  retire: string[];
}

export function encodeDesiredAppTags(desired: DesiredAppTags): string {
  return JSON.stringify({ tags: desired.tags, prefix: desired.prefix, retire: desired.retire });
}

export function decodeDesiredAppTags(json: string): DesiredAppTags {
  const value = JSON.parse(json) as Partial<DesiredAppTags>;
  return { tags: value.tags ?? [], prefix: value.prefix ?? "", retire: value.retire ?? [] };
}

/** What must change on Shopify for the customer to carry `desired`, from the tags it is known to carry. */
export function planDesiredAppTags(knownTags: readonly string[], desired: DesiredAppTags): TagPlan {
  const plan = planTagChange(knownTags, desired.tags, desired.prefix);
  if (desired.retire.length > 0) {
    const retire = new Set(desired.retire);
    const wanted = new Set(desired.tags.map((t) => t.trim().toLowerCase()));
    const planned = new Set(plan.remove.map((t) => t.trim().toLowerCase()));
    for (const tag of knownTags) {
      const key = tag.trim().toLowerCase();
      if (retire.has(key) && !wanted.has(key) && !planned.has(key)) {
        plan.remove.push(tag);
        planned.add(key);
      }
    }
  }
  return plan;
}

export function isEmptyPlan(plan: TagPlan): boolean {
  return plan.add.length === 0 && plan.remove.length === 0 && !plan.overLimit;
}
