/** Loaders for the CDNOW fixtures (tests/fixtures/cdnow, MIT, from the lifetimes library). */
import fs from "node:fs";
import { fileURLToPath } from "node:url";

export const CDNOW_DIR = fileURLToPath(new URL("../fixtures/cdnow/", import.meta.url));
export const SUMMARY_CSV = `${CDNOW_DIR}cdnow_customers_summary.csv`;
export const SUMMARY_WITH_TX_CSV = `${CDNOW_DIR}cdnow_customers_summary_with_transactions.csv`;

function rows(file: string): string[][] {
  const lines = fs
    .readFileSync(file, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  return lines.slice(1).map((l) => l.split(","));
}

/** cdnow_customers_summary.csv: ID, frequency, recency, T (weeks). */
export function loadCdnowSummary() {
  const r = rows(SUMMARY_CSV);
  return {
    id: r.map((f) => f[0]),
    x: r.map((f) => Number(f[1])),
    tx: r.map((f) => Number(f[2])),
    T: r.map((f) => Number(f[3])),
  };
}

/** cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar. */
export function loadCdnowSummaryWithSpend() {
  const r = rows(SUMMARY_WITH_TX_CSV);
  return {
    id: r.map((f) => f[0]),
    x: r.map((f) => Number(f[1])),
    tx: r.map((f) => Number(f[2])),
    T: r.map((f) => Number(f[3])),
    zbar: r.map((f) => Number(f[4])),
    text: r,
  };
}

/** YYYYMMDD → epoch ms at 00:00 UTC. */
export function cdnowDate(s: string): number {
  return Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
}

export interface CdnowTransaction {
  masterId: string;
  sampleId?: string;
  date: string;
  cds: number;
  dollars: number;
}

/** CDNOW_master.txt: customer_id date cds dollars (header line first). */
export function loadCdnowMaster(): CdnowTransaction[] {
  const lines = fs
    .readFileSync(`${CDNOW_DIR}CDNOW_master.txt`, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  return lines
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => /^\d+$/.test(f[0]))
    .map((f) => ({ masterId: f[0], date: f[1], cds: Number(f[2]), dollars: Number(f[3]) }));
}

/** CDNOW_sample.txt: master_id sample_id date cds dollars (no header). */
export function loadCdnowSample(): CdnowTransaction[] {
  const lines = fs
    .readFileSync(`${CDNOW_DIR}CDNOW_sample.txt`, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  return lines
    .map((l) => l.trim().split(/\s+/))
    .map((f) => ({ masterId: f[0], sampleId: f[1], date: f[2], cds: Number(f[3]), dollars: Number(f[4]) }));
}

/** Calibration end of the published CDNOW analyses: 1997-09-30 (39 weeks after 1997-01-01). */
export const CDNOW_CALIBRATION_END = Date.UTC(1997, 8, 30);

/** Published BG/NBD estimates (Fader, Hardie & Lee 2005) for the 2,357-customer sample. */
export const PUBLISHED_BGNBD = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
