/**
 * Numbers, money, percentages and dates in the merchant's language: every page and the CSV format through here,
 * on the same formatjs Intl objects as the messages (app/i18n/translate.ts), dates in UTC so server and browser
 * agree.
 */
import type { Locale } from "../../i18n/locale";
import { intlFor, translate } from "../../i18n/translate";

/** Whole numbers with the language's grouping ("1,234", "1.234"). */
export function formatNumber(locale: Locale, value: number): string {
  return intlFor(locale).formatNumber(value, { maximumFractionDigits: 0 });
}

/**
 * The one rule for every percentage: one decimal below 10% ("0.6%", "9.4%"), whole from 10% ("14%"), so a page
 * never shows "0.1%" beside "0.06%". A rate too small to show as 0.1% reads "< 0.1%", never "0%".
 */
export function formatPercent(locale: Locale, rate: number): string {
  return percent(locale, rate, "auto");
}

/** A change as a signed percentage by the same rule ("+12%", "−8%", "+2.5%") from a ratio (1.12, 0.92, 1.025). */
export function formatChange(locale: Locale, ratio: number): string {
  return percent(locale, ratio - 1, "exceptZero");
}

const SMALLEST_SHOWN = 0.001;

function percent(locale: Locale, rate: number, signDisplay: "auto" | "exceptZero"): string {
  const intl = intlFor(locale);
  if (rate !== 0 && Math.abs(rate) < SMALLEST_SHOWN / 2) {
    const smallest = intl.formatNumber(Math.sign(rate) * SMALLEST_SHOWN, {
      style: "percent",
      maximumFractionDigits: 1,
      signDisplay,
    });
    return translate(locale, "format.lessThan", { value: smallest });
  }
  const digits = Math.abs(rate) < 0.1 ? 1 : 0;
  return intl.formatNumber(rate, {
    style: "percent",
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
    signDisplay,
  });
}

/** Minor units (hundredths, as the sync layer stores money) in the shop's currency. */
export function formatMoney(
  locale: Locale,
  minor: number,
  currency: string | null,
  options: { whole?: boolean } = {},
): string {
  const intl = intlFor(locale);
  const major = minor / 100;
  const digits = options.whole
    ? { maximumFractionDigits: 0, minimumFractionDigits: 0 }
    : { maximumFractionDigits: 2, minimumFractionDigits: 2 };
  // Shopify's CurrencyCode values are ISO 4217 codes; anything else is shown beside the amount rather than trusted to Intl.
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    return intl.formatNumber(major, { style: "currency", currency, ...(options.whole ? digits : {}) });
  }
  const amount = intl.formatNumber(major, digits);
  return currency ? `${amount} ${currency}` : amount;
}

export function formatDate(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return "";
  return intlFor(locale).formatDate(new Date(iso), { year: "numeric", month: "short", day: "numeric" });
}

export function formatDateTime(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return "";
  return intlFor(locale).formatDate(new Date(iso), {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
}

/** "2026-11-23" for <input type="date"> defaults. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "Oct 2026" for a "2026-10" month or an ISO instant within it (UTC). */
export function formatMonth(locale: Locale, monthOrIso: string | null | undefined): string {
  if (!monthOrIso) return "";
  const iso = /^\d{4}-\d{2}$/.test(monthOrIso) ? `${monthOrIso}-01T00:00:00Z` : monthOrIso;
  return intlFor(locale).formatDate(new Date(iso), { year: "numeric", month: "short" });
}
