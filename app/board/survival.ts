/**
 * How sure a conversion figure is: Kaplan–Meier for the time-to-conversion stages (3–5), binomial and Poisson
 * intervals for the visitor stages (1–2). Pure: the life tables come from the stored facts
 * (app/models/board.server.ts), nothing here reads a clock.
 *
 * Kaplan–Meier, as the board uses it: every customer who entered a level is followed from that moment until they
 * convert or until now (censored). Times are whole days: a conversion after 10.2 days happens on day 11 ("within 11
 * days"), a customer followed for 10.8 days without converting is known to be unconverted through day 10 and is
 * censored there. A customer censored on day d is at risk on day d (conversions come first on a tie). The share
 * converted within t days is F(t) = 1 − S(t), S(t) = ∏_{day ≤ t} (1 − d/n).
 *
 * The 95% interval is Greenwood's variance on the log-log scale (Kalbfleisch & Prentice; R's survfit
 * conf.type = "log-log"): V = Σ d/(n(n−d)), se = √V / |ln S|, S ∈ [S^exp(z·se), S^exp(−z·se)]. It stays inside
 * [0, 1] and behaves with few customers, where the plain interval S ± z·S·√V does not. Where it is undefined:
 * - nobody converted (S = 1): the upper end is the exact binomial bound for none of the n customers followed the
 *   whole horizon converting, 1 − 0.025^(1/n) (those followed less are left out, so it is conservative);
 * - everyone still at risk converted on one day (S = 0): the lower end is the exact bound for all m of the m at risk
 *   then, 0.025^(1/m).
 */

/** Two-sided 95%: the normal quantile used by every interval here. */
export const Z95 = 1.959963984540054;

export interface LifeTableRow {
  /** Whole days since the customer entered the level (0 = the same day). */
  day: number;
  /** Customers who converted on this day. */
  events: number;
  /** Customers followed through this day, not converted, and not followed further (censored). */
  censored: number;
}

export interface ConversionEstimate {
  /** Share converted within `horizonDays` (Stage 1: the visitor trend, a ratio). */
  rate: number;
  /** 95% interval of the rate. */
  lower: number;
  upper: number;
  /** How many customers (stages 3–5), visitors (Stage 2) are behind the figure. */
  customers: number;
  /** Conversions observed within the horizon. */
  converted: number;
  /** The days the rate covers: the stage's window, or fewer while the shop's history is shorter. */
  horizonDays: number;
  /** Customers followed for the whole horizon (still at risk on its last day). */
  atRiskAtHorizon: number;
}

interface Step {
  day: number;
  atRisk: number;
  events: number;
}

/** The days with conversions up to the horizon, with how many were at risk on each (censored on day d: at risk on day d). */
function riskSteps(
  rows: readonly LifeTableRow[],
  horizonDays: number,
): { steps: Step[]; total: number; atRiskAtHorizon: number } {
  const byDay = new Map<number, { events: number; censored: number }>();
  let total = 0;
  let atRiskAtHorizon = 0;
  for (const row of rows) {
    if (!Number.isInteger(row.day) || row.day < 0)
      throw new RangeError(`A life-table day must be a whole number ≥ 0, got ${row.day}`);
    if (row.events < 0 || row.censored < 0) throw new RangeError("Life-table counts must not be negative");
    const entry = byDay.get(row.day) ?? { events: 0, censored: 0 };
    entry.events += row.events;
    entry.censored += row.censored;
    byDay.set(row.day, entry);
    total += row.events + row.censored;
    if (row.day >= horizonDays) atRiskAtHorizon += row.events + row.censored;
  }
  const steps: Step[] = [];
  let atRisk = total;
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    if (day > horizonDays) break;
    const { events, censored } = byDay.get(day)!;
    if (events > 0) steps.push({ day, atRisk, events });
    atRisk -= events + censored;
  }
  return { steps, total, atRiskAtHorizon };
}

/**
 * Kaplan–Meier's tail rests on the few customers followed longest: one of them converting could move the estimate
 * by any amount. A horizon shorter than the window ends where fewer than this many customers are still followed.
 */
export const MIN_AT_RISK_AT_HORIZON = 10;

/**
 * The horizon an estimate can stand on: the window when at least MIN_AT_RISK_AT_HORIZON customers (half of them,
 * when there are fewer than twice that) have been followed that long, else the longest follow-up that many have
 * had. Null for an empty table.
 */
export function estimateHorizon(rows: readonly LifeTableRow[], windowDays: number): number | null {
  const total = rows.reduce((sum, r) => sum + r.events + r.censored, 0);
  if (total === 0) return null;
  const needed = Math.min(MIN_AT_RISK_AT_HORIZON, Math.ceil(total / 2));
  // Followed at least `day` days: everyone whose row (conversion or end of follow-up) is on that day or later.
  let followed = total;
  let horizon = 0;
  for (const row of [...rows].sort((a, b) => a.day - b.day)) {
    if (followed >= needed) horizon = Math.min(windowDays, row.day);
    followed -= row.events + row.censored;
  }
  return horizon;
}

/**
 * The share converted within `windowDays` by Kaplan–Meier, with its 95% log-log interval. When too few customers
 * have been followed that long yet, the estimate is for a shorter horizon (estimateHorizon; horizonDays <
 * windowDays). Null for an empty table.
 */
export function kaplanMeier(rows: readonly LifeTableRow[], windowDays: number): ConversionEstimate | null {
  const horizonDays = estimateHorizon(rows, windowDays);
  return horizonDays == null ? null : kaplanMeierAt(rows, horizonDays);
}

/** The share converted within exactly `horizonDays` by Kaplan–Meier, with its 95% log-log interval. */
export function kaplanMeierAt(rows: readonly LifeTableRow[], horizonDays: number): ConversionEstimate {
  const { steps, total, atRiskAtHorizon } = riskSteps(rows, horizonDays);
  let survival = 1;
  let greenwood = 0;
  let converted = 0;
  let exhaustedAt: number | null = null;
  for (const step of steps) {
    converted += step.events;
    survival *= 1 - step.events / step.atRisk;
    if (step.events === step.atRisk) {
      exhaustedAt = step.atRisk;
      break;
    }
    greenwood += step.events / (step.atRisk * (step.atRisk - step.events));
  }
  const base = { customers: total, converted, horizonDays, atRiskAtHorizon };
  if (exhaustedAt != null) return { ...base, rate: 1, lower: Math.pow(0.025, 1 / exhaustedAt), upper: 1 };
  if (survival === 1)
    return { ...base, rate: 0, lower: 0, upper: 1 - Math.pow(0.025, 1 / Math.max(1, atRiskAtHorizon)) };
  const se = Math.sqrt(greenwood) / Math.abs(Math.log(survival));
  const survivalLow = Math.pow(survival, Math.exp(Z95 * se));
  const survivalHigh = Math.pow(survival, Math.exp(-Z95 * se));
  return { ...base, rate: 1 - survival, lower: 1 - survivalHigh, upper: 1 - survivalLow };
}

/**
 * A share of a count (Stage 2: new subscribers of a month ÷ its visitors) with Wilson's 95% score interval, which
 * stays inside [0, 1] and is sound for small shares. Null without a base.
 */
export function proportion(successes: number, trials: number, days: number): ConversionEstimate | null {
  if (!(trials > 0) || successes < 0) return null;
  const k = Math.min(successes, trials);
  const p = k / trials;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (Z95 / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return {
    rate: p,
    lower: Math.max(0, centre - half),
    upper: Math.min(1, centre + half),
    customers: trials,
    converted: k,
    horizonDays: days,
    atRiskAtHorizon: trials,
  };
}

/**
 * A ratio of two counts (Stage 1: visitors of the recent months ÷ the months before), with the 95% interval of a
 * ratio of two Poisson counts on the log scale, se = √(1/a + 1/b): the counts' own noise, nothing more. Null unless
 * both counts are positive.
 */
export function countRatio(recent: number, previous: number, days: number): ConversionEstimate | null {
  if (!(recent > 0) || !(previous > 0)) return null;
  const ratio = recent / previous;
  const se = Math.sqrt(1 / recent + 1 / previous);
  return {
    rate: ratio,
    lower: ratio * Math.exp(-Z95 * se),
    upper: ratio * Math.exp(Z95 * se),
    customers: previous,
    converted: recent,
    horizonDays: days,
    atRiskAtHorizon: previous,
  };
}
