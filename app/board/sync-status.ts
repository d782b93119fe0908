import type { JobErrorKind } from "../queue/kinds";

/**
 * The import's progress and errors as the merchant reads them. Pure: app/board/sync-status.server.ts applies it to
 * the SyncRun rows app/models/board.server.ts reads. A backfill runs in phases (app/sync/backfill.server.ts):
 * customers and orders are bulk exports counted in lines, classification counts customers, segments are a few calls.
 */

import { SYNC_ERROR_KINDS, type SyncErrorKind } from "../shopify/errors";

export const SYNC_PHASES = ["customers", "orders", "classify", "segments", "done"] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

/** The share of the whole import each phase stands for (they add up to 1). */
const PHASE_SPAN: Record<Exclude<SyncPhase, "done">, [number, number]> = {
  customers: [0, 0.3],
  orders: [0.3, 0.8],
  classify: [0.8, 0.97],
  segments: [0.97, 1],
};

export interface SyncRunFacts {
  phase: string;
  linesDone: number;
  linesTotal: number | null;
  customersDone: number;
  customersTotal: number | null;
  error: string | null;
  finishedAt: Date | null;
}

/** 0–100, for a ProgressBar. */
export function syncProgress(run: SyncRunFacts): number {
  if (run.phase === "done" || run.finishedAt) return 100;
  const span = PHASE_SPAN[run.phase as keyof typeof PHASE_SPAN];
  if (!span) return 0;
  let within = 0;
  if (run.phase === "customers" || run.phase === "orders")
    within = run.linesTotal ? Math.min(1, run.linesDone / run.linesTotal) : 0;
  if (run.phase === "classify") within = run.customersTotal ? Math.min(1, run.customersDone / run.customersTotal) : 0;
  return Math.round((span[0] + (span[1] - span[0]) * within) * 100);
}

/** Message keys for import errors in plain words; the technical detail is shown beneath. */
export type SyncErrorKey = `sync.error.${SyncErrorKind}`;

/** The words for why an import stopped, from the kind stored with it (runs stored before kinds read "other"). */
export function syncErrorKey(kind: string | null): SyncErrorKey {
  return (SYNC_ERROR_KINDS as readonly string[]).includes(kind ?? "")
    ? `sync.error.${kind as SyncErrorKind}`
    : "sync.error.other";
}

/** The words for why a background job was parked, from the kind stored with it; its stored reason is shown beneath. */
export type JobErrorKey = `jobs.error.${JobErrorKind}`;

export function jobErrorKey(kind: JobErrorKind): JobErrorKey {
  return `jobs.error.${kind}`;
}
