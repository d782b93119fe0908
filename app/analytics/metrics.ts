/**
 * Stage 1, Stage 2 and gross profit per visitor (GP/V) from the shop's analytics months. Pure: the rows come from
 * app/analytics/shop-analytics.server.ts (Shopify's sessions and sales tables read through ShopifyQL, and new subscribers
 * counted from the app's customers), `now` is a parameter, months are "YYYY-MM" (UTC).
 *
 * - A month is complete once it has ended; the figures use the last complete month, the current month is shown as
 *   "so far".
 * - Stage 1 (World → Visitors): online store visitors per month; the trend is the visitors of the last three
 *   complete months against the three before (fewer when Shopify has less history): below 0.9 (falling by more
 *   than 10%) weak, above 1.1 strong — a rule of thumb. Split by kind of traffic (app/analytics/traffic-kinds.ts).
 * - Stage 2 (Visitors → Enquirers): new email subscribers of the month ÷ visitors of the month, judged against the
 *   band of app/board/conversion.ts (above 3% strong): an average sign-up pop-up converts 3.09% of the visitors who
 *   see it (SIGNUP_POPUP_REFERENCE).
 * - GP/V: gross profit ÷ visitors per month. Gross profit counts only products with a cost in Shopify, so when
 *   costs cover less than PROFIT_COST_COVERAGE of net sales the app uses net sales per visitor instead and says so.
 */
import { STAGE_ONE_KINDS, type StageOneKind } from "../domain/stages";
import { kindOf, TRAFFIC_KINDS, type TrafficKind, type TrafficKindRule } from "./traffic-kinds";

/**
 * What an average sign-up pop-up converts: 3.09% of the visitors who saw it, over 1.7 billion pop-up views (Sumo's
 * pop-up study, as cited by Lucky Orange, "The curious case of popups", 2018). Stage 2's strong line (3%) is this
 * figure: a shop converting more of *all* its visitors does better than an average pop-up does with those who see it.
 */
export const SIGNUP_POPUP_REFERENCE = 0.0309;
/** Gross profit is used when product costs cover at least this share of net sales over the window. */
export const PROFIT_COST_COVERAGE = 0.9;
/** Months in a trend half (the last three complete months against the three before). */
export const TREND_MONTHS = 3;

export interface AnalyticsMonthRow {
  month: string;
  visitors: number | null;
  sessions: number | null;
  subscribers: number | null;
  netSalesMinor: bigint | null;
  grossProfitMinor: bigint | null;
  costRecordedSalesMinor: bigint | null;
}

export interface TrafficRow {
  month: string;
  source: string;
  name: string;
  visitors: number;
  sessions: number;
}

export interface FirstVisitRow {
  channel: string;
  netSalesMinor: bigint | null;
  grossProfitMinor: bigint | null;
}

export type ProfitBasis = "grossProfit" | "netSales";

export interface MonthFigures {
  month: string;
  complete: boolean;
  visitors: number | null;
  sessions: number | null;
  subscribers: number | null;
  /** subscribers ÷ visitors */
  signupRate: number | null;
  /** Profit (gross profit or net sales, see basis) in minor units. */
  profitMinor: number | null;
  /** profit ÷ visitors, minor units per visitor */
  perVisitorMinor: number | null;
}

export interface KindFigures {
  kind: TrafficKind;
  visitors: number;
  sessions: number;
  /** Of all visitors of the month. */
  share: number | null;
}

export interface AnalyticsSummary {
  months: MonthFigures[];
  /** The last complete month with visitors, or null. */
  month: string | null;
  profitBasis: ProfitBasis;
  /** Share of net sales whose products have a cost in Shopify (null without sales). */
  costCoverage: number | null;
  stage1: {
    visitors: number | null;
    sessions: number | null;
    /** Visitors of the recent months and of the months before (the trend's two halves), and how many months each. */
    recent: number | null;
    previous: number | null;
    trendMonths: number;
    trend: number | null;
    /** Visitors of the month by kind of traffic (every kind listed, zeros included), or null without traffic data. */
    byKind: KindFigures[] | null;
    /** Unmapped sources seen (source / name) that fell to "unattributed": for the merchant to map. */
    unmapped: string[];
  };
  stage2: { subscribers: number | null; visitors: number | null; rate: number | null; reference: number };
  gpv: {
    month: string | null;
    perVisitorMinor: number | null;
    /** Profit per visitor by kind of the first visit (first-click attribution over the window), when Shopify gave it. */
    byFirstVisitKind: Array<{
      kind: TrafficKind;
      profitMinor: number;
      visitors: number;
      perVisitorMinor: number | null;
    }> | null;
  };
}

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return monthOf(d);
}

const num = (v: bigint | null | undefined) => (v == null ? null : Number(v));
const ratio = (a: number | null, b: number | null) => (a == null || b == null || b <= 0 ? null : a / b);

/** Which profit the shop's data supports over the rows: gross profit when costs cover enough of net sales. */
export function profitBasisOf(rows: readonly AnalyticsMonthRow[]): { basis: ProfitBasis; coverage: number | null } {
  let net = 0;
  let covered = 0;
  let any = false;
  for (const r of rows) {
    if (r.netSalesMinor == null) continue;
    any = true;
    net += Number(r.netSalesMinor);
    covered += Number(r.costRecordedSalesMinor ?? 0n);
  }
  const coverage = any && net > 0 ? Math.min(1, covered / net) : null;
  return { basis: coverage != null && coverage >= PROFIT_COST_COVERAGE ? "grossProfit" : "netSales", coverage };
}

/**
 * One month's traffic by kind, and the sources no rule places (sorted). Visitors are distinct per source; a visitor
 * who came twice from two sources counts in both, so shares are of the sum over sources.
 */
function trafficByKind(
  monthTraffic: readonly TrafficRow[],
  rules: readonly TrafficKindRule[],
): { byKind: KindFigures[] | null; unmapped: string[] } {
  if (monthTraffic.length === 0) return { byKind: null, unmapped: [] };
  const unmapped = new Set<string>();
  const totals = new Map<TrafficKind, { visitors: number; sessions: number }>(
    TRAFFIC_KINDS.map((kind) => [kind, { visitors: 0, sessions: 0 }]),
  );
  for (const t of monthTraffic) {
    const kind = kindOf(t.source, t.name, rules);
    if (kind === "unattributed" && t.source.trim().toLowerCase() !== "unknown")
      unmapped.add(t.name ? `${t.source} / ${t.name}` : t.source);
    const entry = totals.get(kind)!;
    entry.visitors += t.visitors;
    entry.sessions += t.sessions;
  }
  const all = [...totals.values()].reduce((s, e) => s + e.visitors, 0);
  const byKind = TRAFFIC_KINDS.map((kind) => ({
    kind,
    ...totals.get(kind)!,
    share: all > 0 ? totals.get(kind)!.visitors / all : null,
  }));
  return { byKind, unmapped: [...unmapped].sort() };
}

/**
 * GP/V by first-visit kind: profit attributed to the first visit's channel over the window ÷ the window's visitors
 * from the same kind of traffic.
 */
function perVisitorByFirstVisitKind(
  firstVisit: readonly FirstVisitRow[],
  traffic: readonly TrafficRow[],
  basis: AnalyticsSummary["profitBasis"],
  rules: readonly TrafficKindRule[],
): NonNullable<AnalyticsSummary["gpv"]["byFirstVisitKind"]> {
  const profitByKind = new Map<TrafficKind, number>();
  for (const f of firstVisit) {
    const value = num(basis === "grossProfit" ? f.grossProfitMinor : f.netSalesMinor);
    if (value == null) continue;
    const kind = kindOf(f.channel, "", rules);
    profitByKind.set(kind, (profitByKind.get(kind) ?? 0) + value);
  }
  const visitorsByKind = new Map<TrafficKind, number>();
  for (const t of traffic) {
    const kind = kindOf(t.source, t.name, rules);
    visitorsByKind.set(kind, (visitorsByKind.get(kind) ?? 0) + t.visitors);
  }
  return (STAGE_ONE_KINDS as readonly StageOneKind[]).map((kind) => {
    const profit = profitByKind.get(kind) ?? 0;
    const visitors = visitorsByKind.get(kind) ?? 0;
    return { kind, profitMinor: profit, visitors, perVisitorMinor: ratio(profit, visitors) };
  });
}

export function summarizeAnalytics(
  rows: readonly AnalyticsMonthRow[],
  traffic: readonly TrafficRow[],
  firstVisit: readonly FirstVisitRow[] | null,
  now: Date,
  rules: readonly TrafficKindRule[] = [],
): AnalyticsSummary {
  const current = monthOf(now);
  const sorted = [...rows].sort((a, b) => a.month.localeCompare(b.month));
  const { basis, coverage } = profitBasisOf(sorted);
  const profitOf = (r: AnalyticsMonthRow) => num(basis === "grossProfit" ? r.grossProfitMinor : r.netSalesMinor);
  const months: MonthFigures[] = sorted.map((r) => {
    const profit = profitOf(r);
    return {
      month: r.month,
      complete: r.month < current,
      visitors: r.visitors,
      sessions: r.sessions,
      subscribers: r.subscribers,
      signupRate: ratio(r.subscribers, r.visitors),
      profitMinor: profit,
      perVisitorMinor: ratio(profit, r.visitors),
    };
  });
  const complete = months.filter((m) => m.complete && m.visitors != null);
  const last = complete.at(-1) ?? null;

  // Trend: the last TREND_MONTHS complete months against the TREND_MONTHS before (fewer with less history).
  const k = Math.min(TREND_MONTHS, Math.floor(complete.length / 2));
  const sum = (list: MonthFigures[]) => list.reduce((s, m) => s + (m.visitors ?? 0), 0);
  const recent = k > 0 ? sum(complete.slice(-k)) : null;
  const previous = k > 0 ? sum(complete.slice(-2 * k, -k)) : null;

  const { byKind, unmapped } = trafficByKind(last ? traffic.filter((t) => t.month === last.month) : [], rules);
  const byFirstVisitKind =
    firstVisit && firstVisit.length > 0 && traffic.length > 0
      ? perVisitorByFirstVisitKind(firstVisit, traffic, basis, rules)
      : null;

  return {
    months,
    month: last?.month ?? null,
    profitBasis: basis,
    costCoverage: coverage,
    stage1: {
      visitors: last?.visitors ?? null,
      sessions: last?.sessions ?? null,
      recent,
      previous,
      trendMonths: k,
      trend: ratio(recent, previous),
      byKind,
      unmapped,
    },
    stage2: {
      subscribers: last?.subscribers ?? null,
      visitors: last?.visitors ?? null,
      rate: last?.signupRate ?? null,
      reference: SIGNUP_POPUP_REFERENCE,
    },
    gpv: { month: last?.month ?? null, perVisitorMinor: last?.perVisitorMinor ?? null, byFirstVisitKind },
  };
}
