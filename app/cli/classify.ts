/**
 * `npm run classify -- --orders FILE.csv [--customers FILE.csv] --as-of ISO_DATE [--mode cadence|fixed] [--out FILE.csv]`
 *
 * Classifies customers from CSV files with the same model the app uses (app/lifecycle), so a merchant or a support
 * engineer can check "why is this customer lapsed?" without a shop. Orders come either in the app's simple format
 *   customer_id, order_id, created_at, total, refunded, cancelled, test
 * or as Shopify's own orders export (detected by its header; customer = Email). Customers without a row in the
 * customers file (customer_id, email_marketing_state) are NOT_SUBSCRIBED.
 *
 * Bad input stops with "file, line N, column M (name): reason" and exit code 2; --out is written to a temporary file
 * and renamed only on success, so a failed run never leaves half a file behind.
 */
import { daysInMonth, parseInstantWithZone } from "./values";
import fs from "node:fs";
import path from "node:path";
import {
  EMAIL_MARKETING_STATES,
  STAGES,
  classifyTimes,
  computeShopStats,
  qualifyingOrderTimes,
  validateLifecycleSettings,
  type EmailMarketingState,
  type OrderFacts,
  type Stage,
} from "../lifecycle/index";
import { CsvError, CsvHeader, readCsvFile, type CsvRecord } from "./csv.server";
import { defineCli, InputError, runCli, runIfEntry, type CliIO } from "./run";

export type { CliIO };

const USAGE =
  "usage: npm run classify -- --orders FILE.csv [--customers FILE.csv] --as-of ISO_DATE [--mode cadence|fixed] [--out FILE.csv]";

const GENERIC_REQUIRED = ["customer_id", "order_id", "created_at", "total"];
const SHOPIFY_REQUIRED = ["Name", "Email", "Financial Status", "Created at", "Total"];

// ---------- value parsing (exported for tests) ----------

export { parseInstantWithZone };

/** --as-of: a date alone means midnight UTC; a date-time must name its zone, or "as of" would depend on the machine. */
export function parseAsOf(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    return Date.UTC(year, month - 1, day);
  }
  return parseInstantWithZone(text);
}

const AMOUNT_SCALE_DIGITS = 6;

/**
 * A decimal amount as an exact integer in millionths of the currency unit. The model only compares totals with
 * refunds, and a fixed fine scale keeps that exact for every currency (0, 2 or 3 decimals) without knowing which.
 */
export function parseAmount(text: string): number | null {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const whole = m[2] === "" ? "0" : m[2];
  const fraction = m[3] ?? "";
  if (fraction.length > AMOUNT_SCALE_DIGITS || whole.replace(/^0+/, "").length > 9) return null;
  const value = Number(whole) * 10 ** AMOUNT_SCALE_DIGITS + Number(fraction.padEnd(AMOUNT_SCALE_DIGITS, "0"));
  return m[1] === "-" ? -value : value;
}

export function parseBoolean(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  return null;
}

// ---------- loading ----------

interface Dataset {
  /** Insertion order = first appearance, which is also the output order. */
  customers: Map<string, { state: EmailMarketingState; orders: OrderFacts[] }>;
  skippedWithoutCustomer: number;
  format: "generic" | "shopify";
}

function customerEntry(data: Dataset, id: string) {
  let entry = data.customers.get(id);
  if (!entry) {
    entry = { state: "NOT_SUBSCRIBED", orders: [] };
    data.customers.set(id, entry);
  }
  return entry;
}

/** Reading one record's fields, each failure naming its line and column. */
function recordFields(h: CsvHeader, record: CsvRecord, file: string) {
  const fail = (column: string, reason: string): never => {
    throw h.error(record, column, reason, file);
  };
  const amount = (column: string, optional: boolean): number => {
    const text = h.get(record, column);
    if (optional && text.trim() === "") return 0;
    const value = parseAmount(text);
    return value ?? fail(column, `expected a decimal amount like 12.50, got ${JSON.stringify(text)}`);
  };
  const instant = (column: string): number => {
    const text = h.get(record, column);
    const value = parseInstantWithZone(text);
    return (
      value ??
      fail(
        column,
        `expected an ISO 8601 date-time with a time zone (e.g. 2024-01-15T10:22:33Z or 2024-01-15 10:22:33 +0100), got ${JSON.stringify(text)}`,
      )
    );
  };
  const flag = (column: string): boolean => {
    const text = h.get(record, column);
    if (text.trim() === "") return false;
    const value = parseBoolean(text);
    return value ?? fail(column, `expected true, false, 1 or 0, got ${JSON.stringify(text)}`);
  };
  return { fail, amount, instant, flag };
}

/** A line of the generic orders CSV (one order a line). */
function genericOrder(
  h: CsvHeader,
  record: CsvRecord,
  file: string,
  data: Dataset,
  seenOrders: Map<string, number>,
): void {
  const { fail, amount, instant, flag } = recordFields(h, record, file);
  const customerId = h.get(record, "customer_id").trim();
  const orderId = h.get(record, "order_id").trim();
  if (customerId === "") fail("customer_id", "customer_id is empty");
  if (orderId === "") fail("order_id", "order_id is empty");
  const firstLine = seenOrders.get(orderId);
  if (firstLine !== undefined) fail("order_id", `order ${orderId} already appeared on line ${firstLine}`);
  seenOrders.set(orderId, record.line);
  const order: OrderFacts = {
    createdAt: instant("created_at"),
    totalMinor: amount("total", false),
    refundedMinor: h.has("refunded") ? amount("refunded", true) : 0,
    cancelled: h.has("cancelled") ? flag("cancelled") : false,
    test: h.has("test") ? flag("test") : false,
    voided: false,
    fullyRefunded: false,
  };
  customerEntry(data, customerId).orders.push(order);
}

/** A line of Shopify's orders export: Shopify repeats Name on every line item and fills the order columns on the first. */
function shopifyOrder(
  h: CsvHeader,
  record: CsvRecord,
  file: string,
  data: Dataset,
  seenOrders: Map<string, number>,
): void {
  const { fail, amount, instant } = recordFields(h, record, file);
  const name = h.get(record, "Name").trim();
  if (name === "") fail("Name", "Name (the order name) is empty");
  if (seenOrders.has(name)) return;
  seenOrders.set(name, record.line);
  const email = h.get(record, "Email").trim().toLowerCase();
  const status = h.get(record, "Financial Status").trim().toLowerCase();
  const order: OrderFacts = {
    createdAt: instant("Created at"),
    totalMinor: amount("Total", false),
    refundedMinor: h.has("Refunded Amount") ? amount("Refunded Amount", true) : 0,
    cancelled: h.get(record, "Cancelled at").trim() !== "",
    test: false,
    voided: status === "voided",
    fullyRefunded: status === "refunded",
  };
  // Orders without an email (e.g. some POS sales) belong to no customer we can name.
  if (email === "") data.skippedWithoutCustomer++;
  else customerEntry(data, email).orders.push(order);
}

async function loadOrders(file: string, data: Dataset): Promise<void> {
  let header: CsvHeader | null = null;
  const seenOrders = new Map<string, number>();
  for await (const record of readCsvFile(file)) {
    if (header === null) {
      header = new CsvHeader(record, file);
      if (GENERIC_REQUIRED.every((c) => header!.has(c))) data.format = "generic";
      else if (SHOPIFY_REQUIRED.every((c) => header!.has(c))) data.format = "shopify";
      else {
        throw new CsvError(
          `unrecognised orders header; expected the columns ${GENERIC_REQUIRED.join(", ")} (plus optional refunded, cancelled, test) or a Shopify orders export (${SHOPIFY_REQUIRED.join(", ")}, ...)`,
          record.line,
          null,
          file,
        );
      }
      continue;
    }
    if (data.format === "generic") genericOrder(header, record, file, data, seenOrders);
    else shopifyOrder(header, record, file, data, seenOrders);
  }
  if (header === null) throw new CsvError("the orders file is empty (no header line)", 1, null, file);
}

async function loadCustomers(file: string, data: Dataset): Promise<void> {
  let header: CsvHeader | null = null;
  const seen = new Map<string, number>();
  for await (const record of readCsvFile(file)) {
    if (header === null) {
      header = new CsvHeader(record, file);
      for (const column of ["customer_id", "email_marketing_state"]) {
        if (!header.has(column)) {
          throw new CsvError(
            `the customers header must have the columns customer_id and email_marketing_state (missing ${column})`,
            record.line,
            null,
            file,
          );
        }
      }
      continue;
    }
    let id = header.get(record, "customer_id").trim();
    if (data.format === "shopify") id = id.toLowerCase();
    if (id === "") throw header.error(record, "customer_id", "customer_id is empty", file);
    const firstLine = seen.get(id);
    if (firstLine !== undefined) {
      throw header.error(record, "customer_id", `customer ${id} already appeared on line ${firstLine}`, file);
    }
    seen.set(id, record.line);
    const text = header.get(record, "email_marketing_state").trim().toUpperCase();
    if (!(EMAIL_MARKETING_STATES as readonly string[]).includes(text)) {
      throw header.error(
        record,
        "email_marketing_state",
        `expected one of ${EMAIL_MARKETING_STATES.join(", ")}, got ${JSON.stringify(header.get(record, "email_marketing_state"))}`,
        file,
      );
    }
    customerEntry(data, id).state = text as EmailMarketingState;
  }
  if (header === null) throw new CsvError("the customers file is empty (no header line)", 1, null, file);
}

// ---------- output ----------

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

function writeAtomically(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

// ---------- main ----------

const CLASSIFY = defineCli({
  name: "classify",
  usage: USAGE,
  options: {
    orders: { type: "string" },
    customers: { type: "string" },
    "as-of": { type: "string" },
    mode: { type: "string" },
    out: { type: "string" },
  },
  async main(args, io) {
    if (!args.orders) throw new InputError(`--orders is required\n${USAGE}`);
    if (!args["as-of"]) throw new InputError(`--as-of is required\n${USAGE}`);
    const now = parseAsOf(args["as-of"]);
    if (now === null) {
      throw new InputError(
        `--as-of ${JSON.stringify(args["as-of"])} is not a date (2024-01-15, meaning midnight UTC) or an ISO date-time with a zone (2024-01-15T12:00:00Z)`,
      );
    }
    const mode = args.mode ?? "cadence";
    if (mode !== "cadence" && mode !== "fixed") throw new InputError(`--mode must be cadence or fixed, got ${mode}`);
    const settings = validateLifecycleSettings({ lapseMode: mode });
    for (const file of [args.orders, args.customers]) {
      if (file !== undefined && !fs.existsSync(file)) throw new InputError(`${file}: no such file`);
    }

    const data: Dataset = { customers: new Map(), skippedWithoutCustomer: 0, format: "generic" };
    await loadOrders(args.orders, data);
    if (args.customers) await loadCustomers(args.customers, data);

    const times = new Map<string, number[]>();
    for (const [id, entry] of data.customers) times.set(id, qualifyingOrderTimes(entry.orders, now));
    const stats = computeShopStats(times.values(), settings, now);

    const counts = new Map<Stage, number>(STAGES.map((s) => [s, 0]));
    const lines = ["customer_id,stage,winback_tier,next_transition_at"];
    for (const [id, entry] of data.customers) {
      const c = classifyTimes(times.get(id)!, entry.state, stats, settings, now);
      counts.set(c.stage, counts.get(c.stage)! + 1);
      const next = c.nextTransitionAt === null ? "" : new Date(c.nextTransitionAt).toISOString();
      lines.push(`${csvField(id)},${c.stage},${c.winbackTier ?? ""},${next}`);
    }
    const output = `${lines.join("\n")}\n`;
    if (args.out) writeAtomically(args.out, output);
    else io.stdout(output);

    const summary = [
      `classified ${data.customers.size} customers as of ${new Date(now).toISOString()} (mode ${mode}; ${
        data.format === "shopify" ? "Shopify orders export" : "orders CSV"
      })`,
      `shop gap threshold Q = ${stats.gapThresholdDays.toFixed(1)} days from ${stats.gapCount} gaps${
        stats.usedSmallShopFallback ? " (small-shop fallback)" : ""
      }`,
      ...STAGES.map((s) => `${s.padEnd(17)} ${counts.get(s)}`),
    ];
    if (data.skippedWithoutCustomer > 0) {
      summary.push(`skipped ${data.skippedWithoutCustomer} orders without an email (no customer to attach them to)`);
    }
    io.stderr(`${summary.join("\n")}\n`);
    return 0;
  },
});

export function classifyCli(argv: readonly string[], io: CliIO): Promise<number> {
  return runCli(CLASSIFY, argv, io);
}

await runIfEntry(import.meta.url, classifyCli);
