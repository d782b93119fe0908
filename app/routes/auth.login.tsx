import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { LoginErrorType, type LoginError } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { login } from "../shopify.server";
import { readBodyWithin } from "../http/body.server";
import { resolveLocale } from "../i18n/locale";
import { I18nProvider, polarisTranslations, useT } from "../i18n/i18n";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

/** A shop domain fits in far less; the form is refused past this rather than read whole. */
const MAX_FORM_BYTES = 4096;

function errorKey(result: LoginError): "login.error.missingShop" | "login.error.invalidShop" | null {
  if (result.shop === LoginErrorType.MissingShop) return "login.error.missingShop";
  if (result.shop === LoginErrorType.InvalidShop) return "login.error.invalidShop";
  return null;
}

// Outside Shopify admin: Shopify's login() shows the form, then sends a shop domain to its admin to install or open
// the app (a redirect it throws), exactly as Shopify's app template does.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  return {
    locale: resolveLocale(url.searchParams.get("locale"), request.headers.get("accept-language")),
    error: errorKey(await login(request)),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const body = await readBodyWithin(request, MAX_FORM_BYTES);
  if (!body) throw new Response("Payload Too Large", { status: 413, headers: { Connection: "close" } });
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  const bounded = new Request(request.url, { method: "POST", headers, body: new TextDecoder().decode(body) });
  return { error: errorKey(await login(bounded)) };
};

export default function Login() {
  const { locale, error: loaderError } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <AppProvider i18n={polarisTranslations(locale)}>
      <I18nProvider locale={locale}>
        <LoginForm error={actionData?.error ?? loaderError} />
      </I18nProvider>
    </AppProvider>
  );
}

function LoginForm({ error }: { error: "login.error.missingShop" | "login.error.invalidShop" | null }) {
  const t = useT();
  const [shop, setShop] = useState("");
  return (
    <Page narrowWidth>
      <Card>
        <Form method="post">
          <FormLayout>
            <Text variant="headingMd" as="h1">
              {t("login.title")}
            </Text>
            <TextField
              type="text"
              name="shop"
              label={t("login.shopLabel")}
              helpText={t("login.shopHelp")}
              value={shop}
              onChange={setShop}
              autoComplete="on"
              maxLength={255}
              error={error ? t(error) : undefined}
            />
            <Button submit variant="primary">
              {t("login.submit")}
            </Button>
          </FormLayout>
        </Form>
      </Card>
    </Page>
  );
}
