/**
 * The Campaigns page's form for campaigns the merchant types in: adds one (set to a stage when the page was opened
 * from a stage card's "Add a campaign"), or edits one chosen in the list.
 */
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { STAGE_DEFINITIONS, STAGE_ONE_KINDS, type StageNumber } from "../../domain/stages";
import { stageTitle } from "../../board/ui/labels";
import { useT } from "../../i18n/i18n";
import { MANUAL_CHANNELS, type ManualCampaignField } from "../manual";
import type { CampaignView } from "../../models/campaign.server";
import type { CampaignsActionResult } from "../page.server";

interface FormValues {
  name: string;
  stage: string;
  kind: string;
  channel: string;
  startsOn: string;
  endsOn: string;
}

/** The last day a campaign runs (endsAt is exclusive), as the form's yyyy-mm-dd. */
function lastDayOf(endsAt: string | null): string {
  return endsAt ? new Date(new Date(endsAt).getTime() - 1).toISOString().slice(0, 10) : "";
}

function initialValues(editing: CampaignView | null, presetStage: StageNumber | null, today: string): FormValues {
  if (editing) {
    return {
      name: editing.name,
      stage: String(editing.stage),
      kind: editing.stageOneKind ?? STAGE_ONE_KINDS[0],
      channel: editing.channel ?? "EMAIL",
      startsOn: editing.startsAt?.slice(0, 10) ?? today,
      endsOn: lastDayOf(editing.endsAt),
    };
  }
  return {
    name: "",
    stage: String(presetStage ?? 1),
    kind: STAGE_ONE_KINDS[0],
    channel: "EMAIL",
    startsOn: today,
    endsOn: "",
  };
}

function useFormValues(editing: CampaignView | null, presetStage: StageNumber | null, today: string) {
  const [values, setValues] = useState<FormValues>(() => initialValues(editing, presetStage, today));
  useEffect(() => setValues(initialValues(editing, presetStage, today)), [editing, presetStage, today]);
  const set = (field: keyof FormValues) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  return { values, set, reset: () => setValues(initialValues(null, presetStage, today)) };
}

function CampaignFields({
  values,
  set,
  error,
  nameField,
}: {
  values: FormValues;
  set: (field: keyof FormValues) => (value: string) => void;
  error: (field: ManualCampaignField) => string | undefined;
  nameField: React.RefObject<HTMLDivElement>;
}) {
  const t = useT();
  return (
    <FormLayout>
      <div ref={nameField}>
        <TextField
          label={t("campaigns.form.name")}
          name="name"
          value={values.name}
          onChange={set("name")}
          autoComplete="off"
          error={error("name")}
        />
      </div>
      <FormLayout.Group>
        <Select
          label={t("campaigns.form.stage")}
          name="stage"
          options={STAGE_DEFINITIONS.map((d) => ({ label: stageTitle(t, d), value: String(d.number) }))}
          value={values.stage}
          onChange={set("stage")}
          error={error("stage")}
        />
        {values.stage === "1" ? (
          <Select
            label={t("campaigns.form.kind")}
            name="stageOneKind"
            options={STAGE_ONE_KINDS.map((k) => ({ label: t(`kind.${k}`), value: k }))}
            value={values.kind}
            onChange={set("kind")}
            error={error("stageOneKind")}
            helpText={t(`kind.${values.kind as (typeof STAGE_ONE_KINDS)[number]}.help`)}
          />
        ) : (
          <></>
        )}
        <Select
          label={t("campaigns.form.channel")}
          name="channel"
          options={MANUAL_CHANNELS.map((c) => ({ label: t(`channel.${c}`), value: c }))}
          value={values.channel}
          onChange={set("channel")}
          error={error("channel")}
        />
      </FormLayout.Group>
      <FormLayout.Group>
        <TextField
          label={t("campaigns.form.start")}
          type="date"
          name="startsOn"
          value={values.startsOn}
          onChange={set("startsOn")}
          autoComplete="off"
          error={error("startsOn")}
        />
        <TextField
          label={t("campaigns.form.end")}
          type="date"
          name="endsOn"
          value={values.endsOn}
          onChange={set("endsOn")}
          autoComplete="off"
          helpText={t("campaigns.form.endHelp")}
          error={error("endsOn")}
        />
      </FormLayout.Group>
    </FormLayout>
  );
}

export function ManualCampaignForm({
  today,
  presetStage,
  editing,
  onDone,
}: {
  today: string;
  presetStage: StageNumber | null;
  editing: CampaignView | null;
  onDone: () => void;
}) {
  const t = useT();
  const result = useActionData<CampaignsActionResult>();
  const navigation = useNavigation();
  const intent = editing ? "update" : "create";
  const submitting = navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  const { values, set, reset } = useFormValues(editing, presetStage, today);
  const nameField = useRef<HTMLDivElement>(null);
  const errors = (result?.intent === "create" || result?.intent === "update") && !result.ok ? result.errors : {};
  const saved = (result?.intent === "create" || result?.intent === "update") && result.ok ? result.intent : null;
  useEffect(() => {
    if (saved === "create") reset();
    if (saved === "update") onDone();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);
  useEffect(() => {
    // Opened from a stage card or for editing: bring the form into view and start at the name.
    if (presetStage || editing) nameField.current?.querySelector("input")?.focus();
  }, [presetStage, editing]);
  const error = (field: ManualCampaignField) => (errors[field] ? t(errors[field]!) : undefined);

  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value={intent} />
        {editing && <input type="hidden" name="id" value={editing.id} />}
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {editing ? t("campaigns.form.editTitle", { name: editing.name }) : t("campaigns.form.title")}
          </Text>
          <Text as="p" tone="subdued">
            {t("campaigns.form.help")}
          </Text>
          {saved && (
            <Banner tone="success">{t(saved === "create" ? "campaigns.form.added" : "campaigns.form.updated")}</Banner>
          )}
          <CampaignFields values={values} set={set} error={error} nameField={nameField} />
          <InlineStack align="end" gap="200">
            {editing && <Button onClick={onDone}>{t("campaigns.form.cancel")}</Button>}
            <Button submit variant="primary" loading={submitting}>
              {editing ? t("campaigns.form.save") : t("campaigns.form.submit")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}
