/**
 * Loaders for the two public datasets in tests/fixtures, turned into the model's CustomerFacts. Shared by the
 * real-data test, the README stage-distribution script and the benchmark (which samples from Online Retail).
 *
 * - UCI Online Retail (2010-12-01 .. 2011-12-09): one order per InvoiceNo; invoices starting with "C" are
 *   cancellations (credit notes that cannot be linked to the invoice they cancel, so they are cancelled orders rather
 *   than refunds of a specific order); rows without CustomerID are guest orders and skipped; InvoiceDate is UTC.
 * - CDNOW sample (1997-01 .. 1998-06): one order per customer and day, value = that day's dollars.
 */
import fs from "node:fs";
import path from "node:path";
import { readCsvFile } from "../../app/cli/csv.server";
import {
  STAGES,
  classifyCustomer,
  computeShopStats,
  qualifyingOrderTimes,
  type CustomerFacts,
  type LifecycleSettings,
  type OrderFacts,
  type ShopStats,
  type Stage,
} from "../../app/lifecycle/index";

export const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");
export const ONLINE_RETAIL_FILE = path.join(FIXTURES, "online-retail/online_retail_uci_2010-2011.csv.gz");
export const CDNOW_FILE = path.join(FIXTURES, "cdnow/CDNOW_sample.txt");
export const ONLINE_RETAIL_AS_OF = Date.UTC(2011, 11, 10);
export const CDNOW_AS_OF = Date.UTC(1998, 6, 1);

function order(createdAt: number, totalMinor: number, cancelled: boolean): OrderFacts {
  return { createdAt, totalMinor, refundedMinor: 0, cancelled, test: false, voided: false, fullyRefunded: false };
}

/** "2010-12-01 08:26:00" read as UTC. */
function parseUciDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) throw new Error(`Unexpected InvoiceDate ${JSON.stringify(text)}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
}

/** Customer id → facts; includes customers whose invoices are all cancellations (they become visitors). */
export async function loadOnlineRetail(file = ONLINE_RETAIL_FILE): Promise<Map<string, CustomerFacts>> {
  // Amounts in thousandths: UnitPrice has up to 3 decimals, so every line total is an exact integer.
  const invoices = new Map<string, { customer: string; createdAt: number; totalMilli: number }>();
  let header: string[] | null = null;
  let col: Record<string, number> = {};
  for await (const record of readCsvFile(file)) {
    if (!header) {
      header = record.fields;
      col = Object.fromEntries(header.map((name, i) => [name, i]));
      continue;
    }
    const f = record.fields;
    const customer = f[col.CustomerID].trim();
    if (customer === "") continue;
    const invoiceNo = f[col.InvoiceNo];
    const createdAt = parseUciDate(f[col.InvoiceDate]);
    const lineMilli = Math.round(Number(f[col.Quantity]) * Number(f[col.UnitPrice]) * 1000);
    const invoice = invoices.get(invoiceNo);
    if (!invoice) invoices.set(invoiceNo, { customer, createdAt, totalMilli: lineMilli });
    else {
      // A few invoices span two minutes; the order was placed at the first.
      invoice.createdAt = Math.min(invoice.createdAt, createdAt);
      invoice.totalMilli += lineMilli;
    }
  }
  const customers = new Map<string, CustomerFacts>();
  for (const [invoiceNo, inv] of invoices) {
    let facts = customers.get(inv.customer);
    if (!facts) customers.set(inv.customer, (facts = { emailMarketingState: "NOT_SUBSCRIBED", orders: [] }));
    (facts.orders as OrderFacts[]).push(order(inv.createdAt, inv.totalMilli, invoiceNo.startsWith("C")));
  }
  return customers;
}

export function loadCdnow(file = CDNOW_FILE): Map<string, CustomerFacts> {
  const days = new Map<string, Map<number, number>>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 5) continue;
    const [id, , date, , dollars] = parts;
    const createdAt = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8));
    let byDay = days.get(id);
    if (!byDay) days.set(id, (byDay = new Map()));
    byDay.set(createdAt, (byDay.get(createdAt) ?? 0) + Math.round(Number(dollars) * 100));
  }
  const customers = new Map<string, CustomerFacts>();
  for (const [id, byDay] of days) {
    customers.set(id, {
      emailMarketingState: "NOT_SUBSCRIBED",
      orders: [...byDay].map(([createdAt, cents]) => order(createdAt, cents, false)),
    });
  }
  return customers;
}

export interface StageDistribution {
  customers: number;
  counts: Record<Stage, number>;
  winback: Record<"90" | "180" | "360", number>;
  stats: ShopStats;
}

export function stageDistribution(
  customers: Map<string, CustomerFacts>,
  settings: LifecycleSettings,
  now: number,
): StageDistribution {
  const stats = computeShopStats(
    [...customers.values()].map((c) => qualifyingOrderTimes(c.orders, now)),
    settings,
    now,
  );
  const counts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  const winback = { "90": 0, "180": 0, "360": 0 };
  for (const facts of customers.values()) {
    const c = classifyCustomer(facts, stats, settings, now);
    counts[c.stage]++;
    if (c.winbackTier !== null) winback[String(c.winbackTier) as "90" | "180" | "360"]++;
  }
  return { customers: customers.size, counts, winback, stats };
}

export function distributionTable(title: string, d: StageDistribution): string {
  const pct = (n: number) => `${((100 * n) / d.customers).toFixed(1)}%`;
  const rows = STAGES.map((s) => `| ${s} | ${d.counts[s].toLocaleString("en-US")} | ${pct(d.counts[s])} |`);
  return [
    `**${title}**: ${d.customers.toLocaleString("en-US")} customers; shop gap threshold Q = ${d.stats.gapThresholdDays.toFixed(
      1,
    )} days (90th percentile of ${d.stats.gapCount.toLocaleString("en-US")} gaps${
      d.stats.usedSmallShopFallback ? ", small-shop fallback" : ""
    }); lapsed by win-back tier: none (lapsed less than 90 days ago) ${
      d.counts.lapsed - d.winback["90"] - d.winback["180"] - d.winback["360"]
    }, 90: ${d.winback["90"]}, 180: ${d.winback["180"]}, 360: ${d.winback["360"]}.`,
    "",
    "| Stage | Customers | Share |",
    "| --- | ---: | ---: |",
    ...rows,
  ].join("\n");
}
