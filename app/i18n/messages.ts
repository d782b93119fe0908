/**
 * Every string the app shows, one ICU MessageFormat file per language (app/i18n/locales/*.json; the vocabulary
 * in app/i18n/README.md). tests/board/i18n.test.ts fails when a key is missing or untranslated in ja or nl, when a
 * message does not parse, or when a translation's arguments differ from the English.
 */
import en from "./locales/en.json";
import ja from "./locales/ja.json";
import nl from "./locales/nl.json";
import type { Locale } from "./locale";

export type MessageKey = keyof typeof en;

// Typed against the English keys: a key missing in ja.json or nl.json fails the typecheck as well as the test.
export const messages: Record<Locale, Record<MessageKey, string>> = { en, ja, nl };

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
