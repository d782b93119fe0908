/** The import's status as the board, Settings and Campaigns show it: the stored runs (models/board) in words and figures. */
import type { Db } from "../db.server";
import { readSyncStatus } from "../models/board.server";
import { syncErrorKey, syncProgress, type SyncErrorKey } from "./sync-status";

export interface SyncStatus {
  /** The latest run, or null before the first import. */
  current: {
    kind: string;
    phase: string;
    running: boolean;
    progress: number;
    linesDone: number;
    linesTotal: number | null;
    customersDone: number;
    customersTotal: number | null;
    startedAt: string;
    finishedAt: string | null;
    error: string | null;
    errorKey: SyncErrorKey | null;
  } | null;
  lastFinishedAt: string | null;
  lastDailyRunAt: string | null;
  /** A re-import is waiting in the job queue (not yet picked up by the worker). */
  queued: boolean;
  campaignsRefreshedAt: string | null;
}

export async function loadSyncStatus(db: Db, shop: string): Promise<SyncStatus> {
  const { latest, lastFinishedAt, lastDailyRunAt, queued, campaignsRefreshedAt } = await readSyncStatus(db, shop);
  return {
    current: latest
      ? {
          kind: latest.kind,
          phase: latest.phase,
          running: latest.finishedAt == null && latest.phase !== "done" && latest.phase !== "failed",
          progress: syncProgress(latest),
          linesDone: latest.linesDone,
          linesTotal: latest.linesTotal,
          customersDone: latest.customersDone,
          customersTotal: latest.customersTotal,
          startedAt: latest.startedAt.toISOString(),
          finishedAt: latest.finishedAt?.toISOString() ?? null,
          error: latest.error,
          errorKey: latest.error ? syncErrorKey(latest.errorKind) : null,
        }
      : null,
    lastFinishedAt: lastFinishedAt?.toISOString() ?? null,
    lastDailyRunAt: lastDailyRunAt?.toISOString() ?? null,
    queued,
    campaignsRefreshedAt: campaignsRefreshedAt?.toISOString() ?? null,
  };
}
