import type { MessageKey } from "../i18n/messages";
import type { ShopPredictionView } from "../models/prediction.server";

/**
 * Why there is no prediction, in plain words: the message and its values (the pages translate it). Null when the
 * fit is ok.
 */
export function predictionReason(
  view: Pick<ShopPredictionView, "status" | "code" | "buyers" | "repeatBuyers" | "historyDays" | "gate">,
): {
  key: MessageKey;
  values: Record<string, number>;
} | null {
  if (view.status === "ok") return null;
  switch (view.code) {
    case "too-few-buyers":
      return { key: "prediction.reason.too-few-buyers", values: { min: view.gate.minBuyers, count: view.buyers } };
    case "history-too-short":
      return {
        key: "prediction.reason.history-too-short",
        values: { min: view.gate.minHistoryDays, days: Math.floor(view.historyDays) },
      };
    case "too-few-repeat-buyers":
      return {
        key: "prediction.reason.too-few-repeat-buyers",
        values: { min: view.gate.minRepeatBuyers, count: view.repeatBuyers },
      };
    case "spend-missing":
    case "purchase-model-not-converged":
    case "spend-model-not-converged":
    case "spend-mean-unbounded":
      return { key: `prediction.reason.${view.code}`, values: {} };
    default:
      return { key: "prediction.reason.unknown", values: {} };
  }
}
