/**
 * Purchase log → per-customer calibration summary (x, t_x, T, zbar), the
 * input of the BG/NBD and Gamma-Gamma models.
 *
 * Conventions (as in the literature and the lifetimes library):
 * - time is counted in whole UTC days and reported in weeks (days / 7);
 * - purchases on the same UTC day are one purchase (their values are summed);
 * - x   = number of distinct purchase days after the first one (repeat purchases);
 * - t_x = weeks from the first purchase day to the last purchase day;
 * - T   = weeks from the first purchase day to the UTC day of calibrationEnd;
 * - zbar = mean of the repeat purchase days' values (0 when x = 0).
 *
 * Only purchases at or before calibrationEnd (epoch ms, inclusive) are used;
 * customers without such a purchase are absent from the result.
 *
 * Pure module: no I/O, no clock.
 */

export interface Purchase {
  customerId: string;
  /** Epoch milliseconds. */
  at: number;
  /** Monetary value of the purchase (net of refunds, in shop currency). */
  value: number;
}

export interface CustomerSummary {
  x: number;
  tx: number;
  T: number;
  /** Mean value of the repeat purchases; absent when unknown. */
  zbar?: number;
}

export interface CustomerSummaryRow extends CustomerSummary {
  customerId: string;
  zbar: number;
  /** UTC day index (days since 1970-01-01) of the first purchase. */
  firstPurchaseDay: number;
}

export const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 (UTC) of an epoch-ms instant. */
export function utcDayIndex(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/**
 * Builds the calibration summary. Rows are returned in order of the
 * customers' first appearance in `purchases` (deterministic).
 * Throws RangeError on a non-finite `at`/`value` or an empty customerId.
 */
export function buildSummary(purchases: readonly Purchase[], calibrationEnd: number): CustomerSummaryRow[] {
  if (!Number.isFinite(calibrationEnd))
    throw new RangeError(`calibrationEnd must be finite epoch ms (got ${calibrationEnd})`);
  // customerId → (day → summed value)
  const byCustomer = new Map<string, Map<number, number>>();
  purchases.forEach((p, i) => {
    if (typeof p.customerId !== "string" || p.customerId === "") {
      throw new RangeError(`purchase #${i}: customerId must be a non-empty string`);
    }
    if (!Number.isFinite(p.at)) throw new RangeError(`purchase #${i}: at must be finite epoch ms (got ${p.at})`);
    if (!Number.isFinite(p.value)) throw new RangeError(`purchase #${i}: value must be finite (got ${p.value})`);
    let days = byCustomer.get(p.customerId);
    if (!days) {
      days = new Map();
      byCustomer.set(p.customerId, days);
    }
    if (p.at > calibrationEnd) return;
    const day = utcDayIndex(p.at);
    days.set(day, (days.get(day) ?? 0) + p.value);
  });
  const rows: CustomerSummaryRow[] = [];
  for (const [customerId, days] of byCustomer) {
    const purchaseDays = purchaseDaysOf(days);
    if (purchaseDays) rows.push({ customerId, ...summaryOfPurchaseDays(purchaseDays, calibrationEnd) });
  }
  return rows;
}

/**
 * One customer's purchase days, all the calibration summary needs of them: how many distinct UTC days, the first and
 * the last, and the value bought on the days after the first (the repeat purchases). Kept on the customer, it gives
 * the summary as of any later calibration end without the orders (summaryOfPurchaseDays).
 */
export interface PurchaseDays {
  count: number;
  firstDay: number;
  lastDay: number;
  repeatValue: number;
}

/** The purchase days of one customer's day → summed value map; null without a purchase. */
export function purchaseDaysOf(valueByDay: ReadonlyMap<number, number>): PurchaseDays | null {
  if (valueByDay.size === 0) return null;
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (const day of valueByDay.keys()) {
    if (day < firstDay) firstDay = day;
    if (day > lastDay) lastDay = day;
  }
  let repeatValue = 0;
  // In day order, as the sum was always taken: the same floating-point result for the same purchases.
  for (const day of [...valueByDay.keys()].sort((s, t) => s - t))
    if (day !== firstDay) repeatValue += valueByDay.get(day)!;
  return { count: valueByDay.size, firstDay, lastDay, repeatValue };
}

/** The calibration summary (x, t_x, T, zbar) of a customer's purchase days as of calibrationEnd (epoch ms). */
export function summaryOfPurchaseDays(
  days: PurchaseDays,
  calibrationEnd: number,
): Omit<CustomerSummaryRow, "customerId"> {
  const x = days.count - 1;
  return {
    x,
    tx: (days.lastDay - days.firstDay) / 7,
    T: (utcDayIndex(calibrationEnd) - days.firstDay) / 7,
    zbar: x > 0 ? days.repeatValue / x : 0,
    firstPurchaseDay: days.firstDay,
  };
}
