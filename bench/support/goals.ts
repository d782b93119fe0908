/**
 * What every bench reports besides its markdown: goals, each a figure next to its baseline and whether it was met.
 * bench/run.ts prints one line per goal and ends every bench with its headline line,
 *   `NAME: <figure> (<ratio to baseline>), goal <goal>: met` (or `NOT met`),
 * and exits 1 when any goal was missed, so a slower build cannot pass unnoticed.
 */
export interface BenchOptions {
  /** The same ratios on a smaller data set, for routine runs (< 3 minutes); never written to BENCHMARKS.md. */
  quick: boolean;
}

export interface Goal {
  /** Who measured what, e.g. "import sqlite". */
  name: string;
  /** The measured figure with its unit, e.g. "81,200 rows/s". */
  figure: string;
  /** The figure next to the same run's baseline, e.g. "0.42× raw prepared inserts". */
  ratio: string;
  /** The goal as a reader checks it, e.g. "≥ 50,000 rows/s and ≥ 1/3 of raw". */
  goal: string;
  met: boolean;
}

export interface BenchResult {
  title: string;
  markdown: string;
  /** At least one; the first is the bench's headline. */
  goals: Goal[];
}

export interface BenchModule {
  run(options: BenchOptions): Promise<BenchResult>;
}

export function goalLine(goal: Goal): string {
  return `${goal.name}: ${goal.figure} (${goal.ratio}), goal ${goal.goal}: ${goal.met ? "met" : "NOT met"}`;
}

/** The bench's last line: its headline goal, met only when every goal of the bench is. */
export function headlineLine(bench: string, goals: readonly Goal[]): string {
  if (goals.length === 0) return `${bench}: no figure (no baseline), goal none reported: NOT met`;
  const [first] = goals;
  const missed = goals.filter((g) => !g.met).length;
  const others = goals.length > 1 ? `, and ${goals.length - 1} more above (${missed} missed)` : "";
  return `${bench}: ${first.figure} (${first.ratio}), goal ${first.goal}${others}: ${missed === 0 ? "met" : "NOT met"}`;
}

/** Formats a count the way the tables do (1,234,567). */
export const count = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
