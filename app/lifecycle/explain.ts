/**
 * Rule 8: the merchant-readable "why". The model stores structured parts with raw numbers; wording and rounding
 * happen here, per locale, so a stored explanation can be shown in whatever language the admin uses.
 */
import type { LifecycleSettings } from "./settings";
import type { Evaluation } from "./rules";
import type { EmailMarketingState, Explanation, ExplanationPart, ThresholdSource } from "./types";

export type ExplanationLocale = "en" | "ja" | "nl";

export function buildExplanation(
  ev: Evaluation,
  emailMarketingState: EmailMarketingState,
  settings: LifecycleSettings,
): Explanation {
  if (ev.qualifyingOrderCount === 0) {
    return [
      { key: "noOrders", values: {} },
      {
        key: ev.stage === "enquirer" ? "emailSubscribed" : "emailNotSubscribed",
        values: { state: emailMarketingState },
      },
    ];
  }
  const parts: Explanation = [
    {
      key: "orders",
      values: { count: ev.qualifyingOrderCount, inWindow: ev.ordersInWindow, windowDays: settings.regularWindowDays },
    },
    { key: "lastOrder", values: { days: ev.daysSinceLastOrder } },
  ];
  if (ev.stage === "lapsed") {
    parts.push({ key: "lapsedAfter", values: { days: ev.lapseThresholdDays, source: ev.thresholdSource } });
    if (ev.winbackTier !== null) parts.push({ key: "winbackTier", values: { tier: ev.winbackTier } });
    return parts;
  }
  if (ev.stage === "returned") {
    parts.push({
      key: "returnedAfterGap",
      values: { gapDays: ev.lastGapDays, thresholdDays: ev.returnedThresholdDays },
    });
  }
  parts.push({ key: "lapsesAfter", values: { days: ev.lapseThresholdDays, source: ev.thresholdSource } });
  return parts;
}

/** Whole days for "N days ago" (12.7 days ago reads as 12), one decimal for thresholds so 64.5 is not shown as 64. */
function wholeDays(days: number): number {
  return Math.floor(days);
}
function thresholdDays(days: number): string {
  const rounded = Math.round(days * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

const num = (part: ExplanationPart, name: string): number => Number(part.values[name]);

type Renderer = (part: ExplanationPart) => string;

const en: Record<ExplanationPart["key"], Renderer> = {
  noOrders: () => "no orders yet",
  emailSubscribed: () => "subscribed to email marketing",
  emailNotSubscribed: () => "not subscribed to email marketing",
  orders: (p) => {
    const count = num(p, "count");
    const inWindow = num(p, "inWindow");
    const w = num(p, "windowDays");
    const orders = `${count} ${count === 1 ? "order" : "orders"}`;
    if (inWindow === count) return `${orders} in the last ${w} days`;
    return `${orders}, ${inWindow === 0 ? "none" : inWindow} in the last ${w} days`;
  },
  lastOrder: (p) => {
    const days = wholeDays(num(p, "days"));
    return days < 1 ? "last order less than a day ago" : `last order ${days} ${days === 1 ? "day" : "days"} ago`;
  },
  lapsesAfter: (p) => `lapses after ${thresholdDays(num(p, "days"))} days without an order${sourceEn(p)}`,
  lapsedAfter: (p) => `lapsed after ${thresholdDays(num(p, "days"))} days without an order${sourceEn(p)}`,
  winbackTier: (p) => `win-back tier ${p.values.tier}`,
  returnedAfterGap: (p) =>
    `came back after ${thresholdDays(num(p, "gapDays"))} days without an order (threshold ${thresholdDays(num(p, "thresholdDays"))} days)`,
};
function sourceEn(p: ExplanationPart): string {
  const source = p.values.source as ThresholdSource;
  return source === "shop" ? " (shop-wide threshold)" : source === "fixed" ? " (fixed threshold)" : "";
}

const ja: Record<ExplanationPart["key"], Renderer> = {
  noOrders: () => "注文はまだありません",
  emailSubscribed: () => "メールマーケティング購読中",
  emailNotSubscribed: () => "メールマーケティング未購読",
  orders: (p) => {
    const count = num(p, "count");
    const inWindow = num(p, "inWindow");
    const w = num(p, "windowDays");
    if (inWindow === count) return `過去${w}日間に${count}件の注文`;
    return `注文${count}件（うち過去${w}日間は${inWindow}件）`;
  },
  lastOrder: (p) => {
    const days = wholeDays(num(p, "days"));
    return days < 1 ? "最終注文は1日以内" : `最終注文は${days}日前`;
  },
  lapsesAfter: (p) => `注文がないまま${thresholdDays(num(p, "days"))}日経過すると休眠${sourceJa(p)}`,
  lapsedAfter: (p) => `注文がないまま${thresholdDays(num(p, "days"))}日経過したため休眠${sourceJa(p)}`,
  winbackTier: (p) => `ウィンバック段階${p.values.tier}`,
  returnedAfterGap: (p) =>
    `${thresholdDays(num(p, "gapDays"))}日ぶりに注文（基準の${thresholdDays(num(p, "thresholdDays"))}日を超える間隔）`,
};
function sourceJa(p: ExplanationPart): string {
  const source = p.values.source as ThresholdSource;
  return source === "shop" ? "（ストア全体の基準）" : source === "fixed" ? "（固定の基準）" : "";
}

const nl: Record<ExplanationPart["key"], Renderer> = {
  noOrders: () => "nog geen bestellingen",
  emailSubscribed: () => "ingeschreven voor e-mailmarketing",
  emailNotSubscribed: () => "niet ingeschreven voor e-mailmarketing",
  orders: (p) => {
    const count = num(p, "count");
    const inWindow = num(p, "inWindow");
    const w = num(p, "windowDays");
    const orders = `${count} ${count === 1 ? "bestelling" : "bestellingen"}`;
    if (inWindow === count) return `${orders} in de afgelopen ${w} dagen`;
    return `${orders}, ${inWindow === 0 ? "geen" : inWindow} in de afgelopen ${w} dagen`;
  },
  lastOrder: (p) => {
    const days = wholeDays(num(p, "days"));
    return days < 1
      ? "laatste bestelling minder dan een dag geleden"
      : `laatste bestelling ${days} ${days === 1 ? "dag" : "dagen"} geleden`;
  },
  lapsesAfter: (p) => `haakt af na ${thresholdDays(num(p, "days"))} dagen zonder bestelling${sourceNl(p)}`,
  lapsedAfter: (p) => `afgehaakt na ${thresholdDays(num(p, "days"))} dagen zonder bestelling${sourceNl(p)}`,
  winbackTier: (p) => `win-back-niveau ${p.values.tier}`,
  returnedAfterGap: (p) =>
    `teruggekomen na ${thresholdDays(num(p, "gapDays"))} dagen zonder bestelling (drempel ${thresholdDays(num(p, "thresholdDays"))} dagen)`,
};
function sourceNl(p: ExplanationPart): string {
  const source = p.values.source as ThresholdSource;
  return source === "shop" ? " (drempel van de hele winkel)" : source === "fixed" ? " (vaste drempel)" : "";
}

const RENDERERS: Record<ExplanationLocale, Record<ExplanationPart["key"], Renderer>> = { en, ja, nl };

export function explain(explanation: Explanation, locale: ExplanationLocale): string {
  const renderers = RENDERERS[locale] ?? en;
  // Unknown keys (an explanation stored by a newer version) are skipped rather than shown as raw keys.
  const phrases = explanation.filter((part) => part.key in renderers).map((part) => renderers[part.key](part));
  if (phrases.length === 0) return "";
  if (locale === "ja") return `${phrases.join("、")}。`;
  const sentence = phrases.join("; ");
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
