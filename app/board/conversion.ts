/**
 * How well each stage converts, and which stage is the weakest. Pure: the measured numbers come from
 * app/models/board.server.ts; the windows, reference bands and the call are here, and the board page states them.
 *
 * | stage | measure                                                                                         | window   | reference band                       |
 * |-------|-------------------------------------------------------------------------------------------------|----------|--------------------------------------|
 * | 1     | with Shopify analytics: visitors of the last 3 complete months ÷ the 3 before (the trend)         | months   | < 0.9 weak, 0.9–1.1 typical, > 1.1 strong |
 * |       | without: the monthly sessions the merchant entered (no verdict)                                    | a month  | none                                 |
 * | 2     | with analytics: new subscribers of the last complete month ÷ its visitors (app/analytics/metrics)  | a month  | < 1% weak, 1–3% typical, > 3% strong |
 * |       | without: new subscribers without an order in the last 30 days ÷ monthly sessions entered           | 30 days  | (same)                               |
 * | 3     | subscribers (cohort: subscribed 90–455 days ago, no order before) who ordered within 90 days       | 90 days  | < 10% weak, 10–20% typical, > 20% strong |
 * | 4     | first-time buyers (cohort: first order 365–730 days ago) who ordered again within 365 days        | 365 days | < 20% weak, 20–35% typical, > 35% strong |
 * | 5     | repeat buyers (cohort: second order 365–730 days ago) who became regular within 365 days           | 365 days | < 40% weak, 40–60% typical, > 60% strong (about 50%) |
 *
 * Stage 4 and 5 bands are the model's (First → Repeat within a year: below 20% weak, 20–35% typical, above 35%
 * strong; Repeat → Regular about 50%). Stage 2 and 3 bands are common rules of thumb for sign-up forms and welcome
 * flows, shown as such. A cohort is a year of customers, each observed for the full window; when the shop's history
 * is shorter, the cohort starts 30 days after the first order the app knows (customers of the records' first month
 * may have bought before the records start).
 */
import type { StageNumber } from "./stages";

export const CONVERSION_WINDOW_DAYS: Readonly<Record<StageNumber, number>> = { 1: 30, 2: 30, 3: 90, 4: 365, 5: 365 };
/** How many days of customers make a cohort (ending one window before now). */
export const COHORT_DAYS = 365;
/** Below this many customers in a cohort the rate is shown but no verdict is given. */
export const MIN_COHORT = 30;

export interface ReferenceBand {
  /** Below this share: weak. */
  weakBelow: number;
  /** Above this share: strong. */
  strongAbove: number;
  /** Whether the band is the model's (true) or a rule of thumb (false). */
  fromModel: boolean;
}

export const REFERENCE_BANDS: Readonly<Record<StageNumber, ReferenceBand | null>> = {
  // Stage 1's "rate" is the visitors trend (recent months ÷ the months before): falling by more than 10% is weak.
  1: { weakBelow: 0.9, strongAbove: 1.1, fromModel: false },
  2: { weakBelow: 0.01, strongAbove: 0.03, fromModel: false },
  3: { weakBelow: 0.1, strongAbove: 0.2, fromModel: false },
  4: { weakBelow: 0.2, strongAbove: 0.35, fromModel: true },
  5: { weakBelow: 0.4, strongAbove: 0.6, fromModel: true },
};

export type UnmeasuredReason = "sessionsUnknown" | "noCohort" | "measuring" | "analyticsShort";

export interface ConversionMeasure {
  stage: StageNumber;
  windowDays: number;
  /**
   * Stage 1 (analytics): visitors of the months before; Stage 2: visitors of the month (analytics) or the monthly
   * sessions entered; stages 3–5: customers in the cohort. Null when not measured.
   */
  base: number | null;
  /** Of `base`, how many converted within the window (stage 1: the recent months' visitors; manual: null). */
  converted: number | null;
  /** ISO instants bounding the cohort (stages 3–5). */
  cohortFrom: string | null;
  cohortTo: string | null;
  unmeasured: UnmeasuredReason | null;
  /** Stages 1–2: measured from Shopify's analytics (ShopifyQL) rather than the sessions the merchant entered. */
  fromAnalytics?: boolean;
}

export type Verdict = "weak" | "typical" | "strong" | "tooFew" | "unknown";

export function rateOf(measure: ConversionMeasure): number | null {
  if (measure.base == null || measure.converted == null || measure.base <= 0) return null;
  return measure.converted / measure.base;
}

export function verdictFor(measure: ConversionMeasure, band: ReferenceBand | null = REFERENCE_BANDS[measure.stage]): Verdict {
  const rate = rateOf(measure);
  if (rate == null || !band) return "unknown";
  // Stages 1–2's bases are visitors or sessions, always large; a verdict on a handful of cohort customers would be noise.
  if (measure.stage > 2 && (measure.base ?? 0) < MIN_COHORT) return "tooFew";
  if (rate < band.weakBelow) return "weak";
  if (rate > band.strongAbove) return "strong";
  return "typical";
}

export interface StageAssessment {
  stage: StageNumber;
  rate: number | null;
  verdict: Verdict;
  band: ReferenceBand | null;
  /** rate ÷ the middle of the typical band: 1 is typical, below 1 under it. */
  score: number | null;
}

export function assessStage(measure: ConversionMeasure): StageAssessment {
  const band = REFERENCE_BANDS[measure.stage];
  const rate = rateOf(measure);
  const verdict = verdictFor(measure, band);
  const judged = verdict === "weak" || verdict === "typical" || verdict === "strong";
  const score = judged && rate != null && band ? rate / ((band.weakBelow + band.strongAbove) / 2) : null;
  return { stage: measure.stage, rate, verdict, band, score };
}

const VERDICT_ORDER: Record<Verdict, number> = { weak: 0, typical: 1, strong: 2, tooFew: 3, unknown: 3 };

/**
 * The weakest stage: among the stages with a verdict, the one furthest below its band (a weak stage before any
 * typical one; within the same verdict, the lowest rate relative to the middle of its band; ties go to the earlier
 * stage). Null when no stage could be judged.
 */
export function weakestStage(measures: readonly ConversionMeasure[]): StageAssessment | null {
  const judged = measures.map(assessStage).filter((a) => a.score != null);
  if (judged.length === 0) return null;
  judged.sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || a.score! - b.score! || a.stage - b.stage);
  return judged[0];
}

export function emptyMeasure(stage: StageNumber, unmeasured: UnmeasuredReason | null = "noCohort"): ConversionMeasure {
  return { stage, windowDays: CONVERSION_WINDOW_DAYS[stage], base: null, converted: null, cohortFrom: null, cohortTo: null, unmeasured };
}

