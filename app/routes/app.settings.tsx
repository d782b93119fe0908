import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineStack,
  Layout,
  List,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar } from "@shopify/app-bridge-react";
import { useEffect, useMemo, useState } from "react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { loadShopContext } from "../models/shop.server";
import { clearShopConversions } from "../models/board.server";
import { loadSyncStatus } from "../board/sync-status.server";
import { previewSettingsChange } from "../sync/settings.server";
import { saveSettingsPage } from "../sync/settings-page.server";
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
import { TrafficRulesCard } from "../board/ui/TrafficRulesCard";
import { readTrafficKindRules } from "../analytics/shop-analytics.server";
import { formatTrafficKindLines, parseTrafficKindLines, type TrafficKindRule } from "../analytics/traffic-kinds";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [ctx, shop, sync, trafficRules] = await Promise.all([
    loadShopContext(prisma, session.shop),
    prisma.shop.findUnique({ where: { domain: session.shop }, select: { monthlySessions: true, highValueTag: true } }),
    loadSyncStatus(prisma, session.shop),
    readTrafficKindRules(prisma, session.shop),
  ]);
  return {
    values: settingsToForm(
      ctx.settings,
      { enabled: ctx.flowEnabled, onBackfill: ctx.flowOnBackfill },
      shop?.monthlySessions ?? null,
      shop?.highValueTag ?? false,
    ),
    sync,
    trafficRules: formatTrafficKindLines(trafficRules),
    adjustments: ctx.settingsAdjustments,
  };
};

type FieldErrors = Partial<Record<SettingsField | "trafficRules", string>>;

type ActionResult =
  | { intent: "preview"; ok: true; signature: string; changes: number; byStage: Record<string, number> }
  | { intent: "save"; ok: true; reclassifying: boolean }
  | { intent: "preview" | "save"; ok: false; errors: SettingsFormError[]; trafficError: string | null }
  | { intent: "reimport"; ok: true };

/** The traffic rules as posted: validated rules, or the parser's message for the field. */
function parseTrafficRules(text: string | undefined): { rules: TrafficKindRule[] } | { error: string } {
  try {
    return { rules: parseTrafficKindLines(text ?? "") };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const form = Object.fromEntries([...(await request.formData()).entries()].map(([k, v]) => [k, String(v)]));
  if (form.intent === "reimport") {
    await requestBackfill(shop);
    await clearShopConversions(prisma, shop);
    return { intent: "reimport", ok: true };
  }
  const intent = form.intent === "save" ? "save" : "preview";
  const parsed = parseSettingsForm(form);
  const traffic = intent === "save" ? parseTrafficRules(form.trafficRules) : { rules: [] };
  const trafficError = "error" in traffic ? traffic.error : null;
  if (!parsed.ok || trafficError) return { intent, ok: false, errors: parsed.ok ? [] : parsed.errors, trafficError };
  if (intent === "preview") {
    const preview = await previewSettingsChange(shop, parsed.settings);
    return {
      intent,
      ok: true,
      signature: JSON.stringify(parsed.settings),
      changes: preview.changes,
      byStage: preview.byStage,
    };
  }
  const { reclassifying } = await saveSettingsPage(prisma, shop, {
    ...parsed,
    trafficRules: "rules" in traffic ? traffic.rules : undefined,
  });
  return { intent, ok: true, reclassifying };
};

/** What a preview is valid for: the lifecycle settings only (sessions and Flow do not move customers). */
function signatureOf(values: SettingsFormValues): string | null {
  const parsed = parseSettingsForm(toForm(values));
  return parsed.ok ? JSON.stringify(parsed.settings) : null;
}

function toForm(values: SettingsFormValues): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(values))
    form[key] = typeof value === "boolean" ? (value ? "on" : "") : value;
  return form;
}

const GROUP_TITLES: Record<SettingsGroup, MessageKey> = {
  lapse: "settings.lapse.title",
  cadence: "settings.cadence.title",
  winback: "settings.winback.title",
  regular: "settings.regular.title",
};

/**
 * One save flow for the whole page: any change shows Shopify's contextual save bar (App Bridge's ui-save-bar) with
 * Save and Discard; "Preview changes" only counts who would move. Errors go on the field at fault, and the banner
 * says which action they stopped.
 */
export default function Settings() {
  const { values: initial, sync, trafficRules: initialRules, adjustments } = useLoaderData<typeof loader>();
  const t = useT();
  const saver = useFetcher<typeof action>();
  const previewer = useFetcher<typeof action>();
  const [values, setValues] = useState<SettingsFormValues>(initial);
  const [rules, setRules] = useState(initialRules);
  const set =
    <K extends keyof SettingsFormValues>(key: K) =>
    (value: SettingsFormValues[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const dirty = JSON.stringify(toForm(values)) !== JSON.stringify(toForm(initial)) || rules !== initialRules;
  const saving = saver.state !== "idle";
  const saved = saver.data?.intent === "save" && saver.data.ok ? saver.data : null;

  // A save reloads the page's data: the form starts again from what is now stored.
  useEffect(() => {
    if (saver.state === "idle" && saved) {
      setValues(initial);
      setRules(initialRules);
    }
  }, [saver.state, saved, initial, initialRules]);

  const save = () => saver.submit({ ...toForm(values), trafficRules: rules, intent: "save" }, { method: "post" });
  const discard = () => {
    setValues(initial);
    setRules(initialRules);
  };
  const { failed, general, errors } = useLastErrors(saver, previewer);

  return (
    <Page title={t("settings.title")} backAction={{ content: t("nav.board"), url: "/app" }}>
      <SaveBar id="settings-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={saving} loading={saving ? "" : undefined}>
          {t("settings.save")}
        </button>
        <button onClick={discard} disabled={saving}>
          {t("settings.discard")}
        </button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SaveOutcome dirty={dirty} saved={saved} failed={failed} general={general} />
            <AdjustedSettings adjustments={adjustments} />
            <PreviewCard values={values} initial={initial} fetcher={previewer} />
            <SettingsFields values={values} set={set} errors={errors} />
            <TrafficRulesCard value={rules} onChange={setRules} error={errors.trafficRules} />
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

/** Unsaved changes, the last save's success, or the last action's errors that belong to no single field. */
function SaveOutcome({
  dirty,
  saved,
  failed,
  general,
}: {
  dirty: boolean;
  saved: { reclassifying: boolean } | null;
  failed: { intent: string } | null;
  general: string[];
}) {
  const t = useT();
  return (
    <>
      {dirty && (
        <Text as="p" tone="caution">
          <span data-testid="settings-unsaved">{t("settings.unsaved")}</span>
        </Text>
      )}
      {saved && !dirty && (
        <div data-testid="settings-saved">
          <Banner tone="success">{saved.reclassifying ? t("settings.savedReclassifying") : t("settings.saved")}</Banner>
        </div>
      )}
      {failed && (
        <div data-testid="settings-error">
          <Banner
            tone="critical"
            title={failed.intent === "save" ? t("settings.save.error") : t("settings.preview.error")}
          >
            {general.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </Banner>
        </div>
      )}
    </>
  );
}

/**
 * The errors of the last action, preview or save (a later success clears them), as text: per field, and those about
 * no single field. Numbers in messages (ranges, stored values) in the admin's number format.
 */
function useLastErrors(
  saver: ReturnType<typeof useFetcher<typeof action>>,
  previewer: ReturnType<typeof useFetcher<typeof action>>,
) {
  const t = useT();
  const locale = useLocale();
  const [last, setLast] = useState<ActionResult | null>(null);
  useEffect(() => {
    if (saver.state === "idle" && saver.data) setLast(saver.data);
  }, [saver.state, saver.data]);
  useEffect(() => {
    if (previewer.state === "idle" && previewer.data) setLast(previewer.data);
  }, [previewer.state, previewer.data]);
  const failed = last && !last.ok && "errors" in last ? last : null;
  const message = (m: SettingsErrorMessage) =>
    t(
      m.key,
      Object.fromEntries(
        Object.entries(m.values).map(([k, v]) => [k, typeof v === "number" ? formatNumber(locale, v) : v]),
      ),
    );
  const byField = errorsByField(failed?.errors ?? []);
  const errors: FieldErrors = Object.fromEntries(
    Object.entries(byField.fields).map(([field, m]) => [field, message(m!)]),
  );
  if (failed?.trafficError) errors.trafficRules = t("settings.traffic.error", { message: failed.trafficError });
  return { failed, general: byField.general.map(message), errors };
}

/** Stored values out of today's ranges, and the nearest allowed values the app uses instead (saving keeps these). */
function AdjustedSettings({
  adjustments,
}: {
  adjustments: ReturnType<typeof useLoaderData<typeof loader>>["adjustments"];
}) {
  const t = useT();
  const locale = useLocale();
  if (adjustments.length === 0) return null;
  const fieldLabel = (field: string | null) =>
    field === "tagPrefix"
      ? t("settings.tagPrefix.label")
      : NUMBER_FIELDS.some((f) => f.key === field)
        ? t(`settings.field.${field as NumberField["key"]}`)
        : (field ?? "");
  const storedNumber = (text: string) =>
    text !== "" && Number.isFinite(Number(text)) ? formatNumber(locale, Number(text)) : text;
  return (
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
                  : t("settings.adjusted.item", {
                      field: fieldLabel(a.field),
                      stored: storedNumber(a.stored),
                      used: storedNumber(a.used),
                    })}
            </List.Item>
          ))}
        </List>
      </BlockStack>
    </Banner>
  );
}

/** "Preview changes": how many customers the edited settings would move, before saving them. */
function PreviewCard({
  values,
  initial,
  fetcher,
}: {
  values: SettingsFormValues;
  initial: SettingsFormValues;
  fetcher: ReturnType<typeof useFetcher<typeof action>>;
}) {
  const t = useT();
  const locale = useLocale();
  const signature = useMemo(() => signatureOf(values), [values]);
  const initialSignature = useMemo(() => signatureOf(initial), [initial]);
  const preview = fetcher.data?.intent === "preview" && fetcher.data.ok ? fetcher.data : null;
  const current = preview != null && preview.signature === signature;
  const unchanged = signature != null && signature === initialSignature;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("settings.preview.title")}
        </Text>
        {!current && <Text as="p">{unchanged ? t("settings.previewNone") : t("settings.preview.help")}</Text>}
        {current && preview && (
          <div data-testid="settings-preview">
            <BlockStack gap="200">
              <Text as="p" fontWeight="semibold">
                {preview.changes === 0
                  ? t("settings.previewNone")
                  : t("settings.previewResult", { count: formatNumber(locale, preview.changes) })}
              </Text>
              {preview.changes > 0 && (
                <List type="bullet">
                  {Object.entries(preview.byStage)
                    .sort((a, b) => STAGES.indexOf(a[0] as never) - STAGES.indexOf(b[0] as never))
                    .map(([stage, count]) => (
                      <List.Item key={stage}>
                        {t("settings.previewByStage", {
                          count: formatNumber(locale, count),
                          stage: labelFor(t, "stage", stage),
                        })}
                      </List.Item>
                    ))}
                </List>
              )}
            </BlockStack>
          </div>
        )}
        <InlineStack gap="200">
          <Button
            onClick={() => fetcher.submit({ ...toForm(values), intent: "preview" }, { method: "post" })}
            loading={fetcher.state !== "idle"}
            disabled={unchanged}
          >
            {t("settings.preview")}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

type SetField = <K extends keyof SettingsFormValues>(key: K) => (value: SettingsFormValues[K]) => void;

interface SectionProps {
  values: SettingsFormValues;
  set: SetField;
  errors: FieldErrors;
}

const UNIT: Record<NumberField["kind"], MessageKey | null> = {
  days: "settings.unit.days",
  count: "settings.unit.orders",
  gaps: "settings.unit.gaps",
  percent: null,
  multiplier: null,
};

/** One group of the model's numbers (lapse, cadence, win-back, regular), each a number field with its unit. */
function NumberGroupSection({
  name,
  values,
  set,
  errors,
  children,
}: SectionProps & { name: SettingsGroup; children?: JSX.Element }) {
  const t = useT();
  const unit = (field: NumberField) => (UNIT[field.kind] ? t(UNIT[field.kind]!) : field.kind === "percent" ? "%" : "×");
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t(GROUP_TITLES[name])}
        </Text>
        {children}
        <FormLayout>
          {fieldsOf(name).map((field) => (
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
              error={errors[field.key]}
            />
          ))}
        </FormLayout>
      </BlockStack>
    </Card>
  );
}

function LapseModeChoice({ values, set, errors }: SectionProps) {
  const t = useT();
  return (
    <ChoiceList
      title={t("settings.lapseMode.title")}
      choices={[
        { label: t("settings.lapseMode.cadence"), value: "cadence", helpText: t("settings.lapseMode.cadenceHelp") },
        { label: t("settings.lapseMode.fixed"), value: "fixed", helpText: t("settings.lapseMode.fixedHelp") },
      ]}
      selected={[values.lapseMode]}
      onChange={(selected) => set("lapseMode")(selected[0] ?? "cadence")}
      error={errors.lapseMode}
    />
  );
}

function OrdersSection() {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("settings.orders.title")}
        </Text>
        <Text as="p">{t("settings.orders.body")}</Text>
      </BlockStack>
    </Card>
  );
}

function TagsSection({ values, set, errors }: SectionProps) {
  const t = useT();
  return (
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
          error={errors.tagPrefix}
        />
        <Checkbox
          label={t("settings.highValueTag")}
          helpText={t("settings.highValueTag.help", { tag: `${values.tagPrefix}high-value` })}
          checked={values.highValueTag}
          onChange={set("highValueTag")}
        />
      </BlockStack>
    </Card>
  );
}

function FlowSection({ values, set }: SectionProps) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("settings.flow.title")}
        </Text>
        <Checkbox
          label={t("settings.flowEnabled")}
          helpText={t("settings.flowEnabled.help")}
          checked={values.flowEnabled}
          onChange={set("flowEnabled")}
        />
        <Checkbox
          label={t("settings.flowOnBackfill")}
          helpText={t("settings.flowOnBackfill.help")}
          checked={values.flowOnBackfill}
          disabled={!values.flowEnabled}
          onChange={set("flowOnBackfill")}
        />
      </BlockStack>
    </Card>
  );
}

function SessionsSection({ values, set, errors }: SectionProps) {
  const t = useT();
  return (
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
          error={errors.monthlySessions}
        />
        <Checkbox
          label={t("settings.sessions.unknown")}
          checked={values.sessionsUnknown}
          onChange={set("sessionsUnknown")}
        />
      </BlockStack>
    </Card>
  );
}

function SettingsFields(props: SectionProps) {
  return (
    <>
      <NumberGroupSection name="lapse" {...props}>
        <LapseModeChoice {...props} />
      </NumberGroupSection>
      {props.values.lapseMode === "cadence" && <NumberGroupSection name="cadence" {...props} />}
      <NumberGroupSection name="winback" {...props} />
      <NumberGroupSection name="regular" {...props} />
      <OrdersSection />
      <TagsSection {...props} />
      <FlowSection {...props} />
      <SessionsSection {...props} />
    </>
  );
}
