/**
 * `npm run predict -- --summary FILE.csv`
 * `npm run predict -- --orders FILE.csv --calibration-end ISO_DATE`
 *
 * Fits the purchase models BG/NBD and MBG/NBD (the app's) and, when spend is known, the Gamma-Gamma spend model with
 * the same code the app uses (app/lifecycle/clv) and prints exactly one JSON object on stdout:
 *   {"bgnbd": {"r", "alpha", "a", "b", "logLikelihood"}, "mbgnbd": {"r", "alpha", "a", "b", "logLikelihood"},
 *    "gammaGamma": {"p", "q", "v"}}
 * ("gammaGamma" only when the input has spend: a zbar column, or always with --orders). Repeat buyers whose zbar is
 * not positive (a repeat purchase worth nothing) are left out of the spend model, with their count on stderr.
 * Diagnostics go to stderr.
 *
 * --summary: header ID, frequency|x, recency|t_x, T [, zbar]; times in weeks (the lifetimes / CDNOW layout).
 * --orders: header customer_id, order_id, created_at (ISO 8601 with zone), total [, refunded, cancelled, test].
 *   Qualifying orders: not cancelled, not test, total − refunded > 0; value = total − refunded; purchases on the same
 *   UTC day are one purchase. --calibration-end is a date (the whole UTC day is included) or a date-time with zone.
 *
 * Bad input: "predict: FILE, line N, column M (name): reason" on stderr, exit 2. A fit that does not converge: exit 1.
 */
import { daysInMonth, parseInstantWithZone } from "./values";
import fs from "node:fs";
import {
  bgnbdObservationProblem,
  buildSummary,
  fitBgNbd,
  fitGammaGamma,
  fitMbgNbd,
  type FitDiagnostics,
  type GammaGammaFit,
  type Purchase,
} from "../lifecycle/clv/index";
import { CsvError, CsvHeader, readCsvFile } from "./csv.server";
import { defineCli, InputError, runCli, runIfEntry, type CliIO } from "./run";

export type { CliIO };

const USAGE =
  "usage: npm run predict -- --summary FILE.csv\n       npm run predict -- --orders FILE.csv --calibration-end ISO_DATE";

export interface SummaryInput {
  ids: string[];
  x: number[];
  tx: number[];
  T: number[];
  /** Present when the file has a zbar column (or the summary was built from orders). */
  zbar: number[] | null;
}

// ---------- value parsing ----------

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain decimal number (no hex, no "Infinity", no thousands separators); null otherwise. */
export function parseDecimal(text: string): number | null {
  const t = text.trim();
  if (!DECIMAL.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/**
 * --calibration-end: a date alone (2024-06-30) means the end of that UTC day, so orders on it are in the calibration
 * period; a date-time must name its zone.
 */
export function parseCalibrationEnd(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    return Date.UTC(year, month - 1, day) + 86_400_000 - 1;
  }
  return parseInstantWithZone(text);
}

function parseFlag(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (t === "" || t === "false" || t === "0") return false;
  if (t === "true" || t === "1") return true;
  return null;
}

// ---------- loading ----------

const ID_COLUMNS = ["ID", "customer_id"];
const X_COLUMNS = ["frequency", "x"];
const TX_COLUMNS = ["recency", "t_x"];
const ZBAR_COLUMNS = ["zbar", "monetary_value"];

function pick(header: CsvHeader, names: readonly string[]): string | null {
  return names.find((n) => header.has(n)) ?? null;
}

/** Reads a (x, t_x, T[, zbar]) summary CSV; throws CsvError pointing at the offending field. */
export async function loadSummary(file: string): Promise<SummaryInput> {
  let header: CsvHeader | null = null;
  let cols: { id: string; x: string; tx: string; zbar: string | null } | null = null;
  const out: SummaryInput = { ids: [], x: [], tx: [], T: [], zbar: null };
  const seen = new Map<string, number>();
  for await (const record of readCsvFile(file)) {
    if (header === null) {
      header = new CsvHeader(record, file);
      const id = pick(header, ID_COLUMNS);
      const x = pick(header, X_COLUMNS);
      const tx = pick(header, TX_COLUMNS);
      const missing = [
        id ? null : "ID",
        x ? null : "frequency (or x)",
        tx ? null : "recency (or t_x)",
        header.has("T") ? null : "T",
      ].filter((m) => m !== null);
      if (missing.length > 0 || !id || !x || !tx) {
        throw new CsvError(
          `the summary header must have the columns ID, frequency|x, recency|t_x, T and optionally zbar (missing ${missing.join(", ")})`,
          record.line,
          null,
          file,
        );
      }
      cols = { id, x, tx, zbar: pick(header, ZBAR_COLUMNS) };
      if (cols.zbar) out.zbar = [];
      continue;
    }
    const h = header;
    const c = cols!;
    const fail = (column: string, reason: string): never => {
      throw h.error(record, column, reason, file);
    };
    const num = (column: string): number => {
      const text = h.get(record, column);
      return parseDecimal(text) ?? fail(column, `expected a number, got ${JSON.stringify(text)}`);
    };
    if (record.fields.length !== h.names.length) {
      throw new CsvError(
        `expected ${h.names.length} fields like the header, found ${record.fields.length}`,
        record.line,
        null,
        file,
      );
    }
    const id = h.get(record, c.id).trim();
    if (id === "") fail(c.id, "the ID is empty");
    const firstLine = seen.get(id);
    if (firstLine !== undefined) fail(c.id, `customer ${id} already appeared on line ${firstLine}`);
    seen.set(id, record.line);
    const x = num(c.x);
    const tx = num(c.tx);
    const T = num("T");
    if (!Number.isInteger(x) || x < 0) fail(c.x, `the number of repeat purchases must be a whole number ≥ 0, got ${x}`);
    if (tx < 0) fail(c.tx, `recency must be ≥ 0, got ${tx}`);
    if (T < 0) fail("T", `T must be ≥ 0, got ${T}`);
    if (tx > T) fail(c.tx, `recency ${tx} exceeds T ${T} (the last purchase cannot be after the end of the period)`);
    if (x === 0 && tx !== 0) fail(c.tx, `recency must be 0 for a customer without repeat purchases, got ${tx}`);
    if (x > 0 && tx === 0) fail(c.tx, `recency must be > 0 for a customer with ${x} repeat purchase(s)`);
    const problem = bgnbdObservationProblem(x, tx, T);
    if (problem) fail("T", problem);
    // A zbar that is not positive is kept here and left out of the spend model only (counted on stderr).
    if (c.zbar) out.zbar!.push(num(c.zbar));
    out.ids.push(id);
    out.x.push(x);
    out.tx.push(tx);
    out.T.push(T);
  }
  if (header === null) throw new CsvError("the summary file is empty (no header line)", 1, null, file);
  if (out.ids.length === 0) throw new CsvError("the summary file has a header but no customers", 2, null, file);
  return out;
}

/** Reads an orders CSV and returns the qualifying purchases (value = total − refunded > 0). */
export async function loadOrderPurchases(file: string): Promise<{ purchases: Purchase[]; orders: number }> {
  let header: CsvHeader | null = null;
  const purchases: Purchase[] = [];
  const seen = new Map<string, number>();
  let orders = 0;
  const required = ["customer_id", "order_id", "created_at", "total"];
  for await (const record of readCsvFile(file)) {
    if (header === null) {
      header = new CsvHeader(record, file);
      const missing = required.filter((c) => !header!.has(c));
      if (missing.length > 0) {
        throw new CsvError(
          `the orders header must have the columns ${required.join(", ")} (plus optional refunded, cancelled, test); missing ${missing.join(", ")}`,
          record.line,
          null,
          file,
        );
      }
      continue;
    }
    const h = header;
    const fail = (column: string, reason: string): never => {
      throw h.error(record, column, reason, file);
    };
    const amount = (column: string, optional: boolean): number => {
      if (!h.has(column)) return 0;
      const text = h.get(record, column);
      if (optional && text.trim() === "") return 0;
      return parseDecimal(text) ?? fail(column, `expected a decimal amount like 12.50, got ${JSON.stringify(text)}`);
    };
    const flag = (column: string): boolean => {
      if (!h.has(column)) return false;
      const text = h.get(record, column);
      const v = parseFlag(text);
      return v ?? fail(column, `expected true, false, 1 or 0, got ${JSON.stringify(text)}`);
    };
    orders++;
    const customerId = h.get(record, "customer_id").trim();
    const orderId = h.get(record, "order_id").trim();
    if (customerId === "") fail("customer_id", "customer_id is empty");
    if (orderId === "") fail("order_id", "order_id is empty");
    const firstLine = seen.get(orderId);
    if (firstLine !== undefined) fail("order_id", `order ${orderId} already appeared on line ${firstLine}`);
    seen.set(orderId, record.line);
    const createdText = h.get(record, "created_at");
    const at =
      parseInstantWithZone(createdText) ??
      fail(
        "created_at",
        `expected an ISO 8601 date-time with a time zone (e.g. 2024-01-15T10:22:33Z), got ${JSON.stringify(createdText)}`,
      );
    const total = amount("total", false);
    const refunded = amount("refunded", true);
    if (refunded < 0) fail("refunded", `refunded must be ≥ 0, got ${refunded}`);
    const cancelled = flag("cancelled");
    const test = flag("test");
    // Cents-exact net value, robust to binary fractions (12.10 − 0.10).
    const net = Math.round((total - refunded) * 1e6) / 1e6;
    if (cancelled || test || !(net > 0)) continue;
    purchases.push({ customerId, at, value: net });
  }
  if (header === null) throw new CsvError("the orders file is empty (no header line)", 1, null, file);
  return { purchases, orders };
}

// ---------- main ----------

function round(v: number, digits = 10): number {
  return Number(v.toPrecision(digits));
}

function describe(name: string, fit: FitDiagnostics & { customers: number }): string {
  return `${name}: ${fit.converged ? "converged" : `NOT converged (${fit.message})`} after ${fit.iterations} iterations, ${
    fit.evaluations
  } likelihood evaluations, ${fit.customers} customers, |gradient| ${fit.gradientNorm.toExponential(1)}`;
}

type PredictArgs = { summary?: string; orders?: string; "calibration-end"?: string };

/** The customers' summaries: read from --summary, or built from --orders up to --calibration-end. */
async function readInput(args: PredictArgs, io: CliIO): Promise<SummaryInput> {
  if (!!args.summary === !!args.orders) throw new InputError(`give exactly one of --summary or --orders\n${USAGE}`);
  if (args.summary && args["calibration-end"])
    throw new InputError("--calibration-end goes with --orders, not --summary");
  const file = (args.summary ?? args.orders)!;
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such file`);

  if (args.summary) return loadSummary(file);
  if (!args["calibration-end"]) throw new InputError(`--calibration-end is required with --orders\n${USAGE}`);
  const end = parseCalibrationEnd(args["calibration-end"]);
  if (end === null) {
    throw new InputError(
      `--calibration-end ${JSON.stringify(args["calibration-end"])} is not a date (2024-06-30: the whole UTC day is included) or an ISO date-time with a zone`,
    );
  }
  const { purchases, orders } = await loadOrderPurchases(file);
  const rows = buildSummary(purchases, end);
  if (rows.length === 0) {
    throw new InputError(
      `${file}: none of the ${orders} orders qualifies on or before ${new Date(end).toISOString()} (not cancelled, not test, total − refunded > 0)`,
    );
  }
  io.stderr(`predict: ${rows.length} customers from ${purchases.length} qualifying of ${orders} orders\n`);
  return {
    ids: rows.map((r) => r.customerId),
    x: rows.map((r) => r.x),
    tx: rows.map((r) => r.tx),
    T: rows.map((r) => r.T),
    zbar: rows.map((r) => r.zbar),
  };
}

const PREDICT = defineCli({
  name: "predict",
  usage: USAGE,
  options: { summary: { type: "string" }, orders: { type: "string" }, "calibration-end": { type: "string" } },
  async main(args, io) {
    const data = await readInput(args, io);
    const purchases = { x: data.x, tx: data.tx, T: data.T };
    const bgnbd = fitBgNbd(purchases);
    io.stderr(`predict: ${describe("BG/NBD", bgnbd)}\n`);
    const mbgnbd = fitMbgNbd(purchases);
    io.stderr(`predict: ${describe("MBG/NBD", mbgnbd)}\n`);
    if (!bgnbd.converged || !mbgnbd.converged) {
      io.stderr("predict: a purchase model fit did not converge; no parameters to report\n");
      return 1;
    }
    let gammaGamma: GammaGammaFit | null = null;
    if (data.zbar) {
      const zbar = data.zbar;
      const spendRows = data.x.flatMap((x, i) => (x > 0 && zbar[i] > 0 ? [i] : []));
      const leftOut = data.x.filter((x, i) => x > 0 && !(zbar[i] > 0)).length;
      if (leftOut > 0) {
        io.stderr(
          `predict: ${leftOut} repeat buyer${leftOut === 1 ? "" : "s"} with a zbar of 0 or less left out of the spend model (Gamma-Gamma)\n`,
        );
      }
      if (spendRows.length === 0) {
        io.stderr(
          "predict: no customer bought more than once for a positive amount; the spend model cannot be fitted\n",
        );
        return 1;
      }
      gammaGamma = fitGammaGamma({ x: spendRows.map((i) => data.x[i]), zbar: spendRows.map((i) => zbar[i]) });
      io.stderr(`predict: ${describe("Gamma-Gamma", gammaGamma)}\n`);
      if (!gammaGamma.converged) {
        io.stderr("predict: the spend model fit did not converge; no parameters to report\n");
        return 1;
      }
    }
    const historyDays = Math.max(...data.T) * 7;
    if (data.ids.length < 500 || historyDays < 180) {
      io.stderr(
        `predict: note: the app shows predictions only with ≥ 500 customers and ≥ 180 days of history (here ${data.ids.length} customers, ${Math.floor(historyDays + 1e-9)} days)\n`,
      );
    }
    const purchaseModel = (fit: typeof bgnbd | typeof mbgnbd) => {
      const { r, alpha, a, b } = fit.params;
      return {
        r: round(r),
        alpha: round(alpha),
        a: round(a),
        b: round(b),
        logLikelihood: round(fit.logLikelihood, 12),
      };
    };
    const result: Record<string, unknown> = { bgnbd: purchaseModel(bgnbd), mbgnbd: purchaseModel(mbgnbd) };
    if (gammaGamma) {
      const { p, q, v } = gammaGamma.params;
      result.gammaGamma = { p: round(p), q: round(q), v: round(v) };
    }
    io.stdout(`${JSON.stringify(result)}\n`);
    return 0;
  },
});

export function predictCli(argv: readonly string[], io: CliIO): Promise<number> {
  return runCli(PREDICT, argv, io);
}

await runIfEntry(import.meta.url, predictCli);
