/**
 * The Man arrow as the shop's data draws it. The model expects fewer people at each level (many visitors, fewer
 * subscribers, fewer buyers...), but the counts are where customers stand today, not how many passed through: a
 * level customers stay in for years (regular buyers) can hold more than the one below it, and buyers who never sat
 * on the email list without buying make first-time buyers outnumber enquirers. So the caption says which levels are
 * larger than the one below and what that means here, instead of asserting the model's shape. Pure.
 */
import type { CustomerLevel } from "../domain/stages";

export type VisitorSource = "analytics" | "manual" | null;

export interface ArrowLevel {
  level: CustomerLevel;
  /** Visitors: a month's visitors (analytics) or sessions (entered), null when unknown; others: customers now. */
  count: number | null;
}

/** A level holding more than the level below it (the one customers come from). */
export interface Inversion {
  level: CustomerLevel;
  below: CustomerLevel;
  count: number;
  belowCount: number;
}

export interface ManArrow {
  levels: ArrowLevel[];
  visitorsFrom: VisitorSource;
  /** Every level smaller than the one below it (where both are known): the model's shape. */
  narrowing: boolean;
  inversions: Inversion[];
}

/**
 * The Man arrow: the Visitors level from the shop's visitors (a month's, from Shopify's analytics, or the monthly
 * sessions entered), then the customers at each level above it (Enquirers are the email subscribers who have not
 * bought), with every level larger than the one below it.
 */
export function manArrow(
  visitors: { count: number | null; from: VisitorSource },
  customerLevels: ReadonlyArray<{ level: Exclude<CustomerLevel, "visitor">; customers: number }>,
): ManArrow {
  const levels: ArrowLevel[] = [
    { level: "visitor", count: visitors.from == null ? null : visitors.count },
    ...customerLevels.map((l) => ({ level: l.level, count: l.customers })),
  ];
  const inversions: Inversion[] = [];
  for (let i = 1; i < levels.length; i++) {
    const below = levels[i - 1];
    const level = levels[i];
    if (below.count == null || level.count == null) continue;
    if (level.count > below.count)
      inversions.push({ level: level.level, below: below.level, count: level.count, belowCount: below.count });
  }
  return { levels, visitorsFrom: visitors.from, narrowing: inversions.length === 0, inversions };
}
