import { createContext, useContext, type ReactNode } from "react";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisJa from "@shopify/polaris/locales/ja.json";
import polarisNl from "@shopify/polaris/locales/nl.json";
import { messages, type MessageKey } from "./messages";
import type { Locale } from "./locale";

const POLARIS = { en: polarisEn, ja: polarisJa, nl: polarisNl } as const;

export function polarisTranslations(locale: Locale) {
  return POLARIS[locale];
}

/** `{name}` placeholders are filled from values; a key missing in ja/nl falls back to English (a test forbids that). */
export function translate(locale: Locale, key: MessageKey, values: Record<string, string | number> = {}): string {
  const template = messages[locale][key] ?? messages.en[key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}

const LocaleContext = createContext<Locale>("en");

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

export function useT() {
  const locale = useLocale();
  return (key: MessageKey, values?: Record<string, string | number>) => translate(locale, key, values);
}
