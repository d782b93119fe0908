import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, ChoiceList, FormLayout, InlineStack, Layout, List, Page, Text, TextField } from "@shopify/polaris";
import { useMemo, useState } from "react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { loadShopContext } from "../models/shop.server";
import { clearShopConversions, loadSyncStatus } from "../models/board.server";
import { previewSettingsChange } from "../sync/settings.server";
import { saveSettingsPage } from "../board/settings.server";
import { requestBackfill } from "../sync/backfill.server";
import {
  errorsByField,
  fieldsOf,
  parseSettingsForm,
  settingsToForm,
  NUMBER_FIELDS,
  type NumberField,
  type SettingsErrorMessage,
  type SettingsField,
  type SettingsFormError,
  type SettingsFormValues,
  type SettingsGroup,
} from "../board/settings-form";
import { STAGES } from "../lifecycle";
import { useLocale, useT } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { SyncStatusCard } from "../board/ui/SyncStatusCard";
import { PrivacyLinkCard } from "../privacy/PrivacyLinkCard";
import { formatNumber } from "../board/ui/format";
import { labelFor } from "../board/ui/labels";
import { TrafficRulesCard, type TrafficRulesResult } from "../board/ui/TrafficRulesCard";
import { readTrafficKindRules, saveTrafficKindRules } from "../models/analytics.server";
import { formatTrafficKindLines, parseTrafficKindLines } from "../analytics/traffic-kinds";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [ctx, shop, sync, trafficRules] = await Promise.all([
    loadShopContext(prisma, session.shop),
    prisma.shop.findUnique({ where: { domain: session.shop }, select: { monthlySessions: true, highValueTag: true } }),
    loadSyncStatus(prisma, session.shop),
    readTrafficKindRules(prisma, session.shop),
  ]);
  return {
    values: settingsToForm(ctx.settings, { enabled: ctx.flowEnabled, onBackfill: ctx.flowOnBackfill }, shop?.monthlySessions ?? null, shop?.highValueTag ?? false),
    sync,
    trafficRules: formatTrafficKindLines(trafficRules),
    adjustments: ctx.settingsAdjustments,
  };
};

type ActionResult =
  | { intent: "preview"; ok: true; signature: string; changes: number; byStage: Record<string, number> }
  | { intent: "save"; ok: true; reclassifying: boolean }
  | { intent: "preview" | "save"; ok: false; errors: SettingsFormError[] }
  | { intent: "reimport"; ok: true }
  | TrafficRulesResult;

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const form = Object.fromEntries([...(await request.formData()).entries()].map(([k, v]) => [k, String(v)]));
  if (form.intent === "trafficRules") {
    try {
      const rules = parseTrafficKindLines(form.trafficRules ?? "");
      await saveTrafficKindRules(prisma, shop, rules);
      return { intent: "trafficRules", ok: true, rules: formatTrafficKindLines(rules) };
    } catch (error) {
      return { intent: "trafficRules", ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
  if (form.intent === "reimport") {
    await requestBackfill(shop);
    await clearShopConversions(prisma, shop);
    return { intent: "reimport", ok: true };
  }
  const intent = form.intent === "save" ? "save" : "preview";
  const parsed = parseSettingsForm(form);
  if (!parsed.ok) return { intent, ok: false, errors: parsed.errors };
  if (intent === "preview") {
    const preview = await previewSettingsChange(shop, parsed.settings);
    return { intent, ok: true, signature: JSON.stringify(parsed.settings), changes: preview.changes, byStage: preview.byStage };
  }
  const { reclassifying } = await saveSettingsPage(prisma, shop, parsed);
  return { intent, ok: true, reclassifying };
};

/** What a preview is valid for: the lifecycle settings only (sessions and Flow do not move customers). */
function signatureOf(values: SettingsFormValues): string | null {
  const parsed = parseSettingsForm(toForm(values));
  return parsed.ok ? JSON.stringify(parsed.settings) : null;
}

function toForm(values: SettingsFormValues): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) form[key] = typeof value === "boolean" ? (value ? "on" : "") : value;
  return form;
}

const GROUP_TITLES: Record<SettingsGroup, MessageKey> = {
  lapse: "settings.lapse.title",
  cadence: "settings.cadence.title",
  winback: "settings.winback.title",
  regular: "settings.regular.title",
};

export default function Settings() {
  const { values: initial, sync, trafficRules, adjustments } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const fetcher = useFetcher<typeof action>();
  const [values, setValues] = useState<SettingsFormValues>(initial);
  const set = <K extends keyof SettingsFormValues>(key: K) => (value: SettingsFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const signature = useMemo(() => signatureOf(values), [values]);
  // The traffic rules card has a fetcher of its own: its results never arrive here.
  const data = fetcher.data;
  const result = data?.intent === "trafficRules" ? undefined : data;
  const busy = fetcher.state !== "idle";
  const busyIntent = fetcher.formData?.get("intent");
  const errors = errorsByField(result && "errors" in result ? result.errors : []);
  const preview = result?.intent === "preview" && result.ok ? result : null;
  const initialSignature = useMemo(() => signatureOf(initial), [initial]);
  // A preview is needed only when the lifecycle settings differ from the saved ones.
  const previewCurrent = (preview != null && preview.signature === signature) || (signature != null && signature === initialSignature);

  const submit = (intent: string) => fetcher.submit({ ...toForm(values), intent }, { method: "post" });
  // Numbers in messages (ranges, stored values) in the admin's number format.
  const message = (m: SettingsErrorMessage) =>
    t(m.key, Object.fromEntries(Object.entries(m.values).map(([k, v]) => [k, typeof v === "number" ? formatNumber(locale, v) : v])));
  const error = (field: SettingsField) => (errors.fields[field] ? message(errors.fields[field]!) : undefined);
  const fieldLabel = (field: string | null) =>
    field === "tagPrefix" ? t("settings.tagPrefix.label") : NUMBER_FIELDS.some((f) => f.key === field) ? t(`settings.field.${field as NumberField["key"]}`) : (field ?? "");
  const storedNumber = (text: string) => (text !== "" && Number.isFinite(Number(text)) ? formatNumber(locale, Number(text)) : text);
  const UNIT: Record<NumberField["kind"], MessageKey | null> = { days: "settings.unit.days", count: "settings.unit.orders", gaps: "settings.unit.gaps", percent: null, multiplier: null };
  const unit = (field: NumberField) => (UNIT[field.kind] ? t(UNIT[field.kind]!) : field.kind === "percent" ? "%" : "×");

  const numberField = (field: NumberField) => (
    <TextField
      key={field.key}
      label={t(`settings.field.${field.key}`)}
      helpText={t(`settings.field.${field.key}.help`)}
      type="number"
      name={field.key}
      value={values[field.key]}
      onChange={set(field.key)}
      suffix={unit(field)}
      autoComplete="off"
      error={error(field.key)}
    />
  );

  const group = (name: SettingsGroup, extra?: JSX.Element) => (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t(GROUP_TITLES[name])}
        </Text>
        {extra}
        <FormLayout>{fieldsOf(name).map(numberField)}</FormLayout>
      </BlockStack>
    </Card>
  );

  return (
    <Page
      title={t("settings.title")}
      backAction={{ content: t("nav.board"), url: "/app" }}
      primaryAction={{ content: t("settings.save"), disabled: !previewCurrent || busy, loading: busy && busyIntent === "save", onAction: () => submit("save") }}
      secondaryActions={[{ content: t("settings.preview"), loading: busy && busyIntent === "preview", disabled: busy, onAction: () => submit("preview") }]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.intent === "save" && result.ok && <Banner tone="success">{result.reclassifying ? t("settings.savedReclassifying") : t("settings.saved")}</Banner>}
            {result && !result.ok && (
              <Banner tone="critical" title={t("settings.error.title")}>
                {errors.general.length > 0 ? errors.general.map((m) => <p key={m.key}>{message(m)}</p>) : t("settings.error.fields")}
              </Banner>
            )}
            {adjustments.length > 0 && (
              <Banner tone="warning" title={t("settings.adjusted.title")}>
                <BlockStack gap="200">
                  <Text as="p">{t("settings.adjusted.body")}</Text>
                  <List type="bullet">
                    {adjustments.map((a) => (
                      <List.Item key={`${a.field}`}>
                        {a.field === null
                          ? t("settings.adjusted.unreadable")
                          : a.field === "tagPrefix" && a.stored === a.used
                            ? t("settings.adjusted.prefixKept", { stored: a.stored })
                            : t("settings.adjusted.item", { field: fieldLabel(a.field), stored: storedNumber(a.stored), used: storedNumber(a.used) })}
                      </List.Item>
                    ))}
                  </List>
                </BlockStack>
              </Banner>
            )}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("settings.preview.title")}
                </Text>
                {!preview && <Text as="p">{t("settings.previewFirst")}</Text>}
                {preview && !previewCurrent && <Text as="p">{t("settings.previewStale")}</Text>}
                {preview && previewCurrent && (
                  <BlockStack gap="200">
                    <Text as="p" fontWeight="semibold">
                      {preview.changes === 0 ? t("settings.previewNone") : t("settings.previewResult", { count: formatNumber(locale, preview.changes) })}
                    </Text>
                    {preview.changes > 0 && (
                      <List type="bullet">
                        {Object.entries(preview.byStage)
                          .sort((a, b) => STAGES.indexOf(a[0] as never) - STAGES.indexOf(b[0] as never))
                          .map(([stage, count]) => (
                            <List.Item key={stage}>{t("settings.previewByStage", { count: formatNumber(locale, count), stage: labelFor(t, "stage", stage) })}</List.Item>
                          ))}
                      </List>
                    )}
                  </BlockStack>
                )}
                <InlineStack gap="200">
                  <Button onClick={() => submit("preview")} loading={busy && busyIntent === "preview"} disabled={busy}>
                    {t("settings.preview")}
                  </Button>
                  <Button variant="primary" onClick={() => submit("save")} loading={busy && busyIntent === "save"} disabled={!previewCurrent || busy}>
                    {t("settings.save")}
                  </Button>
                </InlineStack>
              </BlockStack>
            </Card>

            {group(
              "lapse",
              <ChoiceList
                title={t("settings.lapseMode.title")}
                choices={[
                  { label: t("settings.lapseMode.cadence"), value: "cadence", helpText: t("settings.lapseMode.cadenceHelp") },
                  { label: t("settings.lapseMode.fixed"), value: "fixed", helpText: t("settings.lapseMode.fixedHelp") },
                ]}
                selected={[values.lapseMode]}
                onChange={(selected) => set("lapseMode")(selected[0] ?? "cadence")}
              />,
            )}
            {values.lapseMode === "cadence" && group("cadence")}
            {group("winback")}
            {group("regular")}

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("settings.orders.title")}
                </Text>
                <Text as="p">{t("settings.orders.body")}</Text>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("settings.tags.title")}
                </Text>
                <TextField
                  label={t("settings.tagPrefix.label")}
                  helpText={t("settings.tagPrefix.help", { example: `${values.tagPrefix}repeat-buyer` })}
                  name="tagPrefix"
                  value={values.tagPrefix}
                  onChange={set("tagPrefix")}
                  autoComplete="off"
                  error={error("tagPrefix")}
                />
                <Checkbox
                  label={t("settings.highValueTag")}
                  helpText={t("settings.highValueTag.help", { tag: `${values.tagPrefix}high-value` })}
                  checked={values.highValueTag}
                  onChange={set("highValueTag")}
                />
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("settings.flow.title")}
                </Text>
                <Checkbox label={t("settings.flowEnabled")} helpText={t("settings.flowEnabled.help")} checked={values.flowEnabled} onChange={set("flowEnabled")} />
                <Checkbox
                  label={t("settings.flowOnBackfill")}
                  helpText={t("settings.flowOnBackfill.help")}
                  checked={values.flowOnBackfill}
                  disabled={!values.flowEnabled}
                  onChange={set("flowOnBackfill")}
                />
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("settings.sessions.title")}
                </Text>
                <Text as="p">{t("settings.sessions.help")}</Text>
                <TextField
                  label={t("settings.sessions.label")}
                  type="number"
                  name="monthlySessions"
                  value={values.monthlySessions}
                  onChange={set("monthlySessions")}
                  disabled={values.sessionsUnknown}
                  autoComplete="off"
                  error={error("monthlySessions")}
                />
                <Checkbox label={t("settings.sessions.unknown")} checked={values.sessionsUnknown} onChange={set("sessionsUnknown")} />
              </BlockStack>
            </Card>

            <TrafficRulesCard initial={trafficRules} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <SyncStatusCard sync={sync} />
            <PrivacyLinkCard />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
