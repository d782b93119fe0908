import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { authenticate } from "../shopify.server";
import { resolveLocale } from "../i18n/locale";
import { I18nProvider, polarisTranslations, translate } from "../i18n/i18n";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  const url = new URL(request.url);
  return {
    apiKey: process.env.SHOPIFY_API_KEY || "",
    locale: resolveLocale(url.searchParams.get("locale"), request.headers.get("accept-language")),
  };
};

export default function App() {
  const data = useLoaderData<typeof loader>();
  // Admin passes the locale only on the first load; client-side navigations keep it.
  const [locale] = useState(data.locale);
  const t = (key: Parameters<typeof translate>[1]) => translate(locale, key);
  return (
    <AppProvider isEmbeddedApp apiKey={data.apiKey} i18n={polarisTranslations(locale)}>
      <I18nProvider locale={locale}>
        <NavMenu>
          <Link to="/app" rel="home">
            {t("nav.board")}
          </Link>
          <Link to="/app/customers">{t("nav.customers")}</Link>
          <Link to="/app/campaigns">{t("nav.campaigns")}</Link>
          <Link to="/app/settings">{t("nav.settings")}</Link>
        </NavMenu>
        <Outlet />
      </I18nProvider>
    </AppProvider>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
