/**
 * One formatjs IntlShape per language, built once and shared by server code (CSV, loaders) and by the React
 * provider, so a page renders the same text on the server and in the browser. Dates format in UTC for the same
 * reason.
 */
import { createIntl, createIntlCache, type IntlShape } from "react-intl";
import { messages, type MessageKey } from "./messages";
import { LOCALE_TAGS, type Locale } from "./locale";

/** Values a message's arguments take: numbers are formatted (and pluralised) by ICU in the merchant's language. */
export type MessageValues = Record<string, string | number>;

const cache = createIntlCache();
const intls = new Map<Locale, IntlShape>();

export function intlFor(locale: Locale): IntlShape {
  let intl = intls.get(locale);
  if (!intl) {
    intl = createIntl(
      {
        locale: LOCALE_TAGS[locale],
        defaultLocale: LOCALE_TAGS.en,
        // A key missing in ja/nl reads in English rather than as its id (tests/board/i18n.test.ts forbids it anyway).
        messages: { ...messages.en, ...messages[locale] },
        timeZone: "UTC",
      },
      cache,
    );
    intls.set(locale, intl);
  }
  return intl;
}

export function translate(locale: Locale, key: MessageKey, values?: MessageValues): string {
  return intlFor(locale).formatMessage({ id: key }, values) as string;
}
