/**
 * How well each stage converts, how sure that is, and which stage is the weakest. Pure: the life tables and counts
 * come from the stored facts (app/models/board.server.ts), the estimates from app/board/survival.ts; the windows,
 * reference bands, verdicts and the weakest-stage call are here, and the board page states them.
 *
 * | stage | measure                                                                                                  | window   | reference band                            |
 * |-------|----------------------------------------------------------------------------------------------------------|----------|-------------------------------------------|
 * | 1     | with Shopify analytics: visitors of the last 3 complete months ÷ the 3 before (the trend)                 | months   | < 0.9 weak, 0.9–1.1 typical, > 1.1 strong |
 * |       | without: the monthly sessions the merchant entered (no verdict)                                            | a month  | none                                      |
 * | 2     | with analytics: new subscribers of the last complete month ÷ its visitors (app/analytics/metrics)          | a month  | < 1% weak, 1–3% typical, > 3% strong      |
 * |       | without: new subscribers without an order in the last 30 days ÷ monthly sessions entered                   | 30 days  | (same)                                    |
 * | 3     | subscribers without an order before (subscribed in the last 455 days) who placed a first order            | 90 days  | < 10% weak, 10–20% typical, > 20% strong  |
 * | 4     | first-time buyers (first order in the last 730 days) who ordered again                                    | 365 days | < 20% weak, 20–35% typical, > 35% strong  |
 * | 5     | repeat buyers (second order in the last 730 days) who became regular (the Settings rule)                  | 365 days | < 40% weak, 40–60% typical, > 60% strong  |
 *
 * Stages 3–5 are time to conversion, estimated by Kaplan–Meier: everyone who entered the level in the last
 * (window + 365) days counts from the day they entered, and those not yet followed for the whole window are
 * censored, so a young shop gets "converts within N days" for the longest N it has seen. Stages 4 and 5 leave out
 * customers whose first (second) order falls in the first 30 days of the shop's records (they may have bought
 * before the records start). Stage 4 and 5 bands are the model's (First → Repeat within a year: below 20% weak,
 * above 35% strong; Repeat → Regular about 50%); Stage 2 and 3 bands are rules of thumb, shown as such. Stage 2's
 * strong line is what an average sign-up pop-up gets from the visitors who see it (SIGNUP_POPUP_REFERENCE).
 *
 * A verdict is given only when the 95% interval allows it: entirely below the weak line → weak, entirely above the
 * strong line → strong, entirely inside the band → typical. An interval that crosses one line but not the other
 * still rules something out: above the weak line → "typical or better" (notWeak), below the strong line → "typical
 * or weaker" (notStrong). Only an interval crossing both lines is "not sure yet". While a stage's horizon is shorter
 * than its window, the share within the whole window can only be higher: "strong" and "typical or better" can be
 * said, nothing that caps it.
 */
import type { StageNumber } from "../domain/stages";
import type { ConversionEstimate } from "./survival";

export const CONVERSION_WINDOW_DAYS: Readonly<Record<StageNumber, number>> = { 1: 30, 2: 30, 3: 90, 4: 365, 5: 365 };
/** How many days of entrants, beyond one window, a measure looks back (stages 3–5). */
export const COHORT_DAYS = 365;
/**
 * Stages 4 and 5 leave out customers whose first (second) order falls in the first HISTORY_GUARD_DAYS of the shop's
 * records: they may have bought before the records start (a migrated shop, an imported history), and counting such
 * a returning customer as a first-time buyer would overstate the stage.
 */
export const HISTORY_GUARD_DAYS = 30;

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
  /** The window the reference band is for (days). */
  windowDays: number;
  /** The estimate with its 95% interval, or null when the stage could not be measured (see `unmeasured`). */
  estimate: ConversionEstimate | null;
  /** Stage 2 without analytics: the new subscribers of the last 30 days (the sessions are joined on the board). */
  newSubscribers?: number | null;
  /** ISO instants bounding who counts: entrants (stages 3–5), or the months compared (stages 1–2). Always from ≤ to. */
  cohortFrom: string | null;
  cohortTo: string | null;
  unmeasured: UnmeasuredReason | null;
  /** Stages 1–2: measured from Shopify's analytics (ShopifyQL) rather than the sessions the merchant entered. */
  fromAnalytics?: boolean;
}

export const VERDICTS = ["weak", "notStrong", "typical", "notWeak", "strong", "unsure", "unknown"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The verdicts that say the stage is not weak. */
export const NOT_WEAK_VERDICTS: readonly Verdict[] = ["typical", "notWeak", "strong"];

/** Whether the estimate covers the stage's whole window (a younger shop's covers fewer days). */
export function coversWindow(measure: ConversionMeasure): boolean {
  return measure.estimate != null && measure.estimate.horizonDays >= measure.windowDays;
}

export function verdictFor(
  measure: ConversionMeasure,
  band: ReferenceBand | null = REFERENCE_BANDS[measure.stage],
): Verdict {
  const e = measure.estimate;
  if (!e || !band) return "unknown";
  if (e.lower > band.strongAbove) return "strong";
  const aboveWeakLine = e.lower >= band.weakBelow;
  // Within fewer days than the window the share can only grow: no upper limit can be said yet.
  if (!coversWindow(measure)) return aboveWeakLine ? "notWeak" : "unsure";
  if (e.upper < band.weakBelow) return "weak";
  const belowStrongLine = e.upper <= band.strongAbove;
  if (aboveWeakLine && belowStrongLine) return "typical";
  if (aboveWeakLine) return "notWeak";
  if (belowStrongLine) return "notStrong";
  return "unsure";
}

export interface StageAssessment {
  stage: StageNumber;
  rate: number | null;
  lower: number | null;
  upper: number | null;
  verdict: Verdict;
  band: ReferenceBand | null;
  /**
   * Where the rate sits in its band: 0 at the weak line, 1 at the strong line, below 0 weak, above 1 strong. The
   * same scale for every stage, so stages with different bands can be compared. Null without an estimate.
   */
  position: number | null;
  /** The 95% interval on the same scale; the upper end is the share 1 while the window is not yet covered. */
  positionLow: number | null;
  positionHigh: number | null;
}

export function bandPosition(rate: number, band: ReferenceBand): number {
  return (rate - band.weakBelow) / (band.strongAbove - band.weakBelow);
}

export function assessStage(measure: ConversionMeasure): StageAssessment {
  const band = REFERENCE_BANDS[measure.stage];
  const e = measure.estimate;
  const verdict = verdictFor(measure, band);
  if (!e || !band)
    return {
      stage: measure.stage,
      rate: e?.rate ?? null,
      lower: e?.lower ?? null,
      upper: e?.upper ?? null,
      verdict,
      band,
      position: null,
      positionLow: null,
      positionHigh: null,
    };
  // Until the window is covered, the share within it is only known to be at least the estimate's lower end.
  const highestPossible = coversWindow(measure) ? e.upper : Math.max(e.upper, 1);
  return {
    stage: measure.stage,
    rate: e.rate,
    lower: e.lower,
    upper: e.upper,
    verdict,
    band,
    position: bandPosition(e.rate, band),
    positionLow: bandPosition(e.lower, band),
    positionHigh: bandPosition(highestPossible, band),
  };
}

export interface WeakestCall {
  assessment: StageAssessment;
  /**
   * "clear": even at the top of its interval the stage sits lower in its band than every other measured stage at
   * the bottom of theirs. "likely": the intervals overlap those of `couldAlsoBe`.
   */
  certainty: "clear" | "likely";
  /** Stages whose interval reaches as low as this one's reaches high: any of them could be the weakest. */
  couldAlsoBe: StageNumber[];
}

/**
 * The weakest stage among those with an estimate: the one whose best plausible value (the top of its 95% interval)
 * sits lowest in its band — the stage most surely low, not the one whose few customers happen to give the lowest
 * point estimate. Ties go to the lower point estimate, then the earlier stage. Null when no stage was measured.
 */
export function weakestStage(measures: readonly ConversionMeasure[]): WeakestCall | null {
  const measured = measures.map(assessStage).filter((a) => a.positionHigh != null);
  if (measured.length === 0) return null;
  measured.sort((a, b) => a.positionHigh! - b.positionHigh! || a.position! - b.position! || a.stage - b.stage);
  const [weakest, ...others] = measured;
  const couldAlsoBe = others.filter((o) => o.positionLow! <= weakest.positionHigh!).map((o) => o.stage);
  return { assessment: weakest, certainty: couldAlsoBe.length === 0 ? "clear" : "likely", couldAlsoBe };
}

export function emptyMeasure(stage: StageNumber, unmeasured: UnmeasuredReason | null = "noCohort"): ConversionMeasure {
  return {
    stage,
    windowDays: CONVERSION_WINDOW_DAYS[stage],
    estimate: null,
    cohortFrom: null,
    cohortTo: null,
    unmeasured,
  };
}
