import { createContext, useCallback, useContext, type ReactNode } from "react";
import { RawIntlProvider, useIntl } from "react-intl";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisJa from "@shopify/polaris/locales/ja.json";
import polarisNl from "@shopify/polaris/locales/nl.json";
import type { MessageKey } from "./messages";
import type { Locale } from "./locale";
import { formatMessage, intlFor, translate, type MessageValues } from "./translate";

export { translate, type MessageValues };

const POLARIS = { en: polarisEn, ja: polarisJa, nl: polarisNl } as const;

export function polarisTranslations(locale: Locale) {
  return POLARIS[locale];
}

const LocaleContext = createContext<Locale>("en");

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  return (
    <LocaleContext.Provider value={locale}>
      <RawIntlProvider value={intlFor(locale)}>{children}</RawIntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

/** `t(key, values)`: the message in the page's language, ICU plurals and numbers formatted for it. */
export function useT(): (key: MessageKey, values?: MessageValues) => string {
  const intl = useIntl();
  return useCallback((key: MessageKey, values?: MessageValues) => formatMessage(intl, key, values), [intl]);
}
