/**
 * Seeds a shop from the UCI Online Retail data set (Daqing Chen, CC BY 4.0):
 * tests/fixtures/online-retail/online_retail_uci_2010-2011.csv.gz
 *
 * What is real and what is generated is spelled out in tests/devstore/README.md:
 *  - every invoice is an order: total = Σ Quantity × UnitPrice, GBP, created at InvoiceDate (UTC);
 *  - invoices starting with "C" are cancelled orders (cancelledAt = their date, reason CUSTOMER,
 *    total = |Σ|, fully refunded);
 *  - invoices starting with "A" (3 "Adjust bad debt" rows) are not orders and are skipped;
 *  - non-cancelled invoices without a CustomerID whose total is 0 (stock adjustments with unit
 *    price 0, e.g. "damaged") are not sales and are skipped;
 *  - rows without CustomerID are guest orders (no customer);
 *  - one customer per CustomerID: email c<ID>@example.com, no names (the data has none),
 *    country from their first invoice, createdAt = first invoice date;
 *  - email marketing is GENERATED: SUBSCRIBED for a deterministic ~30 % of customers
 *    (sha1 of the CustomerID), consent dated at their first invoice; the rest NOT_SUBSCRIBED;
 *  - newsletter sign-ups without orders are GENERATED: one per guest invoice whose sha1 falls
 *    in 10 %, created at that invoice's date with its country, SUBSCRIBED, email
 *    newsletter-<invoice>@generated.example.com and a note saying it is generated.
 */
import { createReadStream } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { createGunzip } from "node:zlib";
import { REPO_ROOT } from "../schema";
import { emptyCustomer, type IdSequence, type OrderLine, type OrderRec, type ShopState } from "../state";
import { hashShare } from "../util";
import { simulateJourneys } from "./journeys";

export const ONLINE_RETAIL_PATH = path.join(
  REPO_ROOT,
  "tests/fixtures/online-retail/online_retail_uci_2010-2011.csv.gz",
);
/** The data ends on 2011-12-09; `shiftTo` maps this instant to the start of its UTC day. */
export const ONLINE_RETAIL_ANCHOR = Date.UTC(2011, 11, 10);
const DAY_MS = 86_400_000;
const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
export const SUBSCRIBED_SHARE = 0.3;
export const SIGNUP_SHARE = 0.1;

export interface OnlineRetailOptions {
  /**
   * Shift every timestamp by whole days so that 2011-12-10T00:00:00Z becomes the start of this instant's UTC day: the
   * data ends the day before, and every invoice keeps its time of day. A shift by a fraction of a day would move
   * invoices across midnight, so which of a customer's invoices share a day (the value models' purchase days) and
   * what the models fit would depend on the hour the shop was seeded: at 07:00 UTC the purchase model's fit ran into
   * its bound, at midnight it did not.
   */
  shiftTo?: Date | string | number;
  /** Keep invoice lines as order line items (slower, more memory). Default false. */
  withLines?: boolean;
  /** Generate newsletter sign-ups without orders (default true). */
  newsletterSignups?: boolean;
  /** Give a share of the orders simulated customer journeys (seed/journeys.ts; default true). */
  journeys?: boolean;
  file?: string;
}

export interface OnlineRetailReport {
  /** Orders given a simulated journey (UTM visits, marketing events, discount codes). */
  simulatedJourneys?: number;
  rows: number;
  invoices: number;
  orders: number;
  purchaseOrders: number;
  cancelledOrders: number;
  guestOrders: number;
  skippedAdjustments: number;
  skippedZeroGuestInvoices: number;
  /** distinct CustomerIDs in the data */
  customerIds: number;
  /** customers with at least one non-cancelled invoice */
  customersWithPurchase: number;
  subscribed: number;
  notSubscribed: number;
  /** generated sign-ups (no orders) */
  newsletterSignups: number;
  shiftMs: number;
  ms: number;
}

interface Invoice {
  no: string;
  at: number;
  customer: string | null;
  country: string;
  sum: number;
  lines: OrderLine[] | null;
  seq: number;
}

const COUNTRY_CODES: Record<string, string | null> = {
  Australia: "AU",
  Austria: "AT",
  Bahrain: "BH",
  Belgium: "BE",
  Brazil: "BR",
  Canada: "CA",
  "Channel Islands": null,
  Cyprus: "CY",
  "Czech Republic": "CZ",
  Denmark: "DK",
  EIRE: "IE",
  "European Community": null,
  Finland: "FI",
  France: "FR",
  Germany: "DE",
  Greece: "GR",
  "Hong Kong": "HK",
  Iceland: "IS",
  Israel: "IL",
  Italy: "IT",
  Japan: "JP",
  Lebanon: "LB",
  Lithuania: "LT",
  Malta: "MT",
  Netherlands: "NL",
  Norway: "NO",
  Poland: "PL",
  Portugal: "PT",
  RSA: "ZA",
  "Saudi Arabia": "SA",
  Singapore: "SG",
  Spain: "ES",
  Sweden: "SE",
  Switzerland: "CH",
  USA: "US",
  "United Arab Emirates": "AE",
  "United Kingdom": "GB",
  Unspecified: null,
};

/** Splits one CSV line (RFC 4180 quotes). */
function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseDate(s: string): number {
  // 'YYYY-MM-DD HH:MM:SS', treated as UTC
  return Date.UTC(
    +s.slice(0, 4),
    +s.slice(5, 7) - 1,
    +s.slice(8, 10),
    +s.slice(11, 13),
    +s.slice(14, 16),
    +s.slice(17, 19) || 0,
  );
}

export async function readOnlineRetailInvoices(file = ONLINE_RETAIL_PATH, withLines = false) {
  const invoices = new Map<string, Invoice>();
  let rows = 0;
  const rl = readline.createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header = true;
  let seq = 0;
  for await (const line of rl) {
    if (header) {
      header = false;
      continue;
    }
    if (!line) continue;
    rows++;
    const f = splitCsv(line);
    const no = f[0];
    const qty = Number(f[3]);
    const price = Number(f[5]);
    let inv = invoices.get(no);
    if (!inv) {
      const cid = f[6] ? String(Math.round(Number(f[6]))) : null;
      inv = { no, at: parseDate(f[4]), customer: cid, country: f[7], sum: 0, lines: withLines ? [] : null, seq: seq++ };
      invoices.set(no, inv);
    }
    inv.sum += qty * price;
    if (inv.lines)
      inv.lines.push({ title: f[2].trim(), sku: f[1], quantity: qty, priceMinor: Math.round(price * 100) });
  }
  return { invoices, rows };
}

export async function seedOnlineRetailInto(
  shop: ShopState,
  ids: IdSequence,
  o: OnlineRetailOptions = {},
): Promise<OnlineRetailReport> {
  const t0 = Date.now();
  const shift =
    o.shiftTo === undefined
      ? 0
      : startOfUtcDay(
          o.shiftTo instanceof Date
            ? o.shiftTo.getTime()
            : typeof o.shiftTo === "number"
              ? o.shiftTo
              : Date.parse(o.shiftTo),
        ) - ONLINE_RETAIL_ANCHOR;
  const { invoices, rows } = await readOnlineRetailInvoices(o.file ?? ONLINE_RETAIL_PATH, o.withLines ?? false);
  shop.currencyCode = "GBP";
  shop.ianaTimezone = "Europe/London";

  const list = [...invoices.values()].sort((a, b) => a.at - b.at || a.seq - b.seq);
  const report: OnlineRetailReport = {
    rows,
    invoices: list.length,
    orders: 0,
    purchaseOrders: 0,
    cancelledOrders: 0,
    guestOrders: 0,
    skippedAdjustments: 0,
    skippedZeroGuestInvoices: 0,
    customerIds: 0,
    customersWithPurchase: 0,
    subscribed: 0,
    notSubscribed: 0,
    newsletterSignups: 0,
    shiftMs: shift,
    ms: 0,
  };
  const customers = new Map<string, ReturnType<typeof emptyCustomer>>();
  const buyers = new Set<string>();
  const signupSources: Invoice[] = [];

  for (const inv of list) {
    if (inv.no.startsWith("A")) {
      report.skippedAdjustments++;
      continue;
    }
    const cancelled = inv.no.startsWith("C");
    const totalMinor = Math.abs(Math.round(inv.sum * 100));
    if (!cancelled && inv.customer === null && totalMinor === 0) {
      report.skippedZeroGuestInvoices++;
      continue;
    }
    const at = inv.at + shift;
    let customer = inv.customer !== null ? customers.get(inv.customer) : undefined;
    if (inv.customer !== null && !customer) {
      customer = emptyCustomer(ids.take(), at);
      customer.email = `c${inv.customer}@example.com`;
      customer.country = inv.country;
      customer.countryCode = COUNTRY_CODES[inv.country] ?? null;
      if (hashShare(`online-retail:marketing:${inv.customer}`) < SUBSCRIBED_SHARE) {
        customer.emailMarketing = { state: "SUBSCRIBED", optInLevel: "SINGLE_OPT_IN", consentUpdatedAt: at };
        report.subscribed++;
      } else report.notSubscribed++;
      customers.set(inv.customer, customer);
      shop.customers.set(customer.id, customer);
    }
    if (customer && !cancelled) buyers.add(inv.customer!);
    const numeric = Number(inv.no.replace(/^\D+/, ""));
    const order: OrderRec = {
      id: ids.take(),
      number: numeric,
      name: `#${inv.no}`,
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: cancelled ? at : null,
      cancelReason: cancelled ? "CUSTOMER" : null,
      closedAt: null,
      test: false,
      customerId: customer?.id ?? null,
      email: customer?.email ?? null,
      currency: "GBP",
      totalMinor,
      refundedMinor: cancelled ? totalMinor : 0,
      financialStatus: cancelled ? "REFUNDED" : "PAID",
      lines: inv.lines ?? [],
      tags: [],
      country: inv.country,
      countryCode: COUNTRY_CODES[inv.country] ?? null,
    };
    shop.orders.set(order.id, order);
    report.orders++;
    if (cancelled) report.cancelledOrders++;
    else report.purchaseOrders++;
    if (customer) {
      customer.orderIds.push(order.id); // chronological
      if (at > customer.updatedAt) customer.updatedAt = at;
    } else {
      report.guestOrders++;
      if (!cancelled) signupSources.push(inv);
    }
    if (numeric >= shop.nextOrderNumber) shop.nextOrderNumber = numeric + 1;
  }
  report.customerIds = customers.size;
  report.customersWithPurchase = buyers.size;

  if (o.newsletterSignups !== false) {
    for (const inv of signupSources) {
      if (hashShare(`online-retail:signup:${inv.no}`) >= SIGNUP_SHARE) continue;
      const at = inv.at + shift;
      const c = emptyCustomer(ids.take(), at);
      c.email = `newsletter-${inv.no}@generated.example.com`;
      c.country = inv.country;
      c.countryCode = COUNTRY_CODES[inv.country] ?? null;
      c.note = `devstore: generated newsletter sign-up (not in the Online Retail data), derived from guest invoice ${inv.no}`;
      c.emailMarketing = { state: "SUBSCRIBED", optInLevel: "SINGLE_OPT_IN", consentUpdatedAt: at };
      shop.customers.set(c.id, c);
      report.newsletterSignups++;
    }
  }
  // Simulated attribution for the demo's campaigns (seed/journeys.ts), labelled simulated in every visit.
  if (o.journeys !== false) report.simulatedJourneys = simulateJourneys(shop);
  report.ms = Date.now() - t0;
  return report;
}
