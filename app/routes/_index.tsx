import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { resolveLocale } from "../i18n/locale";
import { I18nProvider, useT } from "../i18n/i18n";

// The app lives inside Shopify admin; a direct visit with a shop goes to the embedded app, one without offers
// Shopify's login (as Shopify's app template does).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return { locale: resolveLocale(url.searchParams.get("locale"), request.headers.get("accept-language")) };
};

export default function Index() {
  const { locale } = useLoaderData<typeof loader>();
  return (
    <I18nProvider locale={locale}>
      <Landing />
    </I18nProvider>
  );
}

function Landing() {
  const t = useT();
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Lifecycle Stages</h1>
      <p>{t("index.tagline")}</p>
      <p>{t("index.install")}</p>
      <Form method="post" action="/auth/login">
        <label>
          {t("login.shopLabel")} <input type="text" name="shop" maxLength={255} placeholder="example.myshopify.com" />
        </label>{" "}
        <button type="submit">{t("login.submit")}</button>
      </Form>
    </main>
  );
}
