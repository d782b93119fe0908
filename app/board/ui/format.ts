/** Numbers, money, percentages and dates in the merchant's language; dates in UTC so server and browser agree. */
import type { Locale } from "../../i18n/locale";

const TAGS: Record<Locale, string> = { en: "en-US", ja: "ja-JP", nl: "nl-NL" };

export function formatNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(TAGS[locale], { maximumFractionDigits: 0 }).format(value);
}

export function formatPercent(locale: Locale, rate: number, digits = 1): string {
  return new Intl.NumberFormat(TAGS[locale], { style: "percent", maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(rate);
}

/** Minor units (hundredths, as the sync layer stores money) in the shop's currency. */
export function formatMoney(locale: Locale, minor: number, currency: string | null, options: { whole?: boolean } = {}): string {
  const major = minor / 100;
  const digits = options.whole ? { maximumFractionDigits: 0, minimumFractionDigits: 0 } : {};
  if (!currency) return new Intl.NumberFormat(TAGS[locale], { maximumFractionDigits: 2, minimumFractionDigits: 2, ...digits }).format(major);
  try {
    return new Intl.NumberFormat(TAGS[locale], { style: "currency", currency, ...digits }).format(major);
  } catch {
    return `${new Intl.NumberFormat(TAGS[locale], { maximumFractionDigits: 2 }).format(major)} ${currency}`;
  }
}

export function formatDate(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(TAGS[locale], { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(iso));
}

export function formatDateTime(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(TAGS[locale], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" }).format(new Date(iso));
}

/** "2026-11-23" for <input type="date"> defaults. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "Oct 2026" for a "2026-10" month or an ISO instant within it (UTC). */
export function formatMonth(locale: Locale, monthOrIso: string | null | undefined): string {
  if (!monthOrIso) return "";
  const iso = /^\d{4}-\d{2}$/.test(monthOrIso) ? `${monthOrIso}-01T00:00:00Z` : monthOrIso;
  return new Intl.DateTimeFormat(TAGS[locale], { year: "numeric", month: "short", timeZone: "UTC" }).format(new Date(iso));
}

/** A change as a signed percentage ("+12%", "−8%") from a ratio (1.12, 0.92). */
export function formatChange(locale: Locale, ratio: number): string {
  return new Intl.NumberFormat(TAGS[locale], { style: "percent", maximumFractionDigits: 0, signDisplay: "exceptZero" }).format(ratio - 1);
}
