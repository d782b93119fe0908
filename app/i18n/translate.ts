/**
 * One formatjs IntlShape per language, built once and shared by server code (CSV, loaders) and by the React
 * provider, so a page renders the same text on the server and in the browser. Dates format in UTC for the same
 * reason.
 */
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { createIntl, createIntlCache, type IntlShape } from "react-intl";
import { messages, type MessageKey } from "./messages";
import { LOCALES, LOCALE_TAGS, type Locale } from "./locale";

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

function numericArguments(elements: MessageFormatElement[], found: Set<string>): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.plural || el.type === TYPE.number) found.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select)
      for (const option of Object.values(el.options)) numericArguments(option.value, found);
  }
  return found;
}

const numericByKey = new Map<MessageKey, Set<string>>();

/** The arguments of a message that must be numbers in some language (plurals, `{x, number}`). */
function numericArgumentsOf(key: MessageKey): Set<string> {
  let found = numericByKey.get(key);
  if (!found) {
    found = new Set();
    for (const locale of LOCALES) numericArguments(parse(messages[locale][key] ?? ""), found);
    numericByKey.set(key, found);
  }
  return found;
}

/**
 * A count passed already formatted ("1,234") would pluralise as NaN: caught loudly in development and tests, logged
 * in production (the text still renders).
 */
function checkNumbers(key: MessageKey, values: MessageValues | undefined): void {
  if (!values) return;
  for (const name of numericArgumentsOf(key)) {
    if (name in values && typeof values[name] !== "number") {
      const problem = `i18n: "${key}" needs {${name}} as a number (ICU formats and pluralises it), got ${JSON.stringify(values[name])}`;
      // This module also renders in the browser, where the console is the log; app/logger.server.ts is server-only.
      // eslint-disable-next-line no-console
      if (import.meta.env?.PROD) console.error(problem);
      else throw new TypeError(problem);
    }
  }
}

/** The message in the given IntlShape's language; `useT` and `translate` both format through here. */
export function formatMessage(intl: IntlShape, key: MessageKey, values?: MessageValues): string {
  checkNumbers(key, values);
  return intl.formatMessage({ id: key }, values) as string;
}

export function translate(locale: Locale, key: MessageKey, values?: MessageValues): string {
  return formatMessage(intlFor(locale), key, values);
}
