/**
 * The model's structured explanation (app/lifecycle/explain.ts builds it with raw numbers) as a sentence in the
 * merchant's language, worded by the `explain.*` messages. Days are whole: "last order 12 days ago" counts
 * completed days (12.7 → 12); thresholds and gaps round to the nearest day (14.1 → 14), never "14.1 days".
 */
import type { Explanation, ExplanationPart } from "../lifecycle";
import type { MessageKey } from "./messages";
import type { Locale } from "./locale";
import { translate, type MessageValues } from "./translate";

const num = (part: ExplanationPart, name: string): number => Number(part.values[name]);
const nearestDay = (days: number): number => Math.round(days);

type Phrase = (part: ExplanationPart) => [MessageKey, MessageValues?];

const PHRASES: Record<ExplanationPart["key"], Phrase> = {
  noOrders: () => ["explain.noOrders"],
  emailSubscribed: () => ["explain.emailSubscribed"],
  emailNotSubscribed: () => ["explain.emailNotSubscribed"],
  orders: (p) => [
    num(p, "inWindow") === num(p, "count") ? "explain.ordersAllInWindow" : "explain.ordersSomeInWindow",
    { count: num(p, "count"), inWindow: num(p, "inWindow"), windowDays: num(p, "windowDays") },
  ],
  lastOrder: (p) => ["explain.lastOrder", { days: Math.max(0, Math.floor(num(p, "days"))) }],
  lapsesAfter: (p) => ["explain.lapsesAfter", { days: nearestDay(num(p, "days")), source: String(p.values.source) }],
  lapsedAfter: (p) => ["explain.lapsedAfter", { days: nearestDay(num(p, "days")), source: String(p.values.source) }],
  winbackTier: (p) => ["explain.winbackTier", { tier: String(p.values.tier) }],
  returnedAfterGap: (p) => [
    "explain.returnedAfterGap",
    { gapDays: nearestDay(num(p, "gapDays")), thresholdDays: nearestDay(num(p, "thresholdDays")) },
  ],
};

export function explain(explanation: Explanation, locale: Locale): string {
  // Unknown keys (an explanation stored by a newer version) are skipped rather than shown as raw keys.
  const phrases = explanation
    .filter((part) => part.key in PHRASES)
    .map((part) => translate(locale, ...PHRASES[part.key](part)));
  if (phrases.length === 0) return "";
  if (locale === "ja") return `${phrases.join("、")}。`;
  const sentence = phrases.join("; ");
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
