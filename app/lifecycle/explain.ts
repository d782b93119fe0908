/**
 * Rule 8: the merchant-readable "why". The model stores structured parts with raw numbers; wording and rounding
 * happen in app/i18n/explain.ts, per locale, so a stored explanation can be shown in whatever language the admin
 * uses.
 */
import type { LifecycleSettings } from "./settings";
import type { Evaluation } from "./rules";
import type { EmailMarketingState, Explanation } from "./types";

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
