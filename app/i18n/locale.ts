export const LOCALES = ["en", "ja", "nl"] as const;
export type Locale = (typeof LOCALES)[number];

/** The BCP 47 tag each language formats numbers, money and dates with (Intl), the same on server and browser. */
export const LOCALE_TAGS: Record<Locale, string> = { en: "en-US", ja: "ja-JP", nl: "nl-NL" };

/**
 * Shopify admin passes the user's locale as `locale` (e.g. "ja", "nl-NL", "en-US") when it opens the app;
 * without it the browser's Accept-Language decides, and English is the fallback.
 */
export function resolveLocale(param: string | null | undefined, acceptLanguage?: string | null): Locale {
  const candidates = [param ?? "", ...(acceptLanguage ?? "").split(",").map((part) => part.split(";")[0])];
  for (const candidate of candidates) {
    const base = candidate.trim().toLowerCase().split(/[-_]/)[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return "en";
}
