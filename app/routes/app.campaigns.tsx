import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, FormLayout, IndexTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { createManualCampaign, deleteManualCampaign, listCampaigns, overrideCampaignStage, resetCampaignStage } from "../models/campaign.server";
import { loadSyncStatus } from "../board/sync-status.server";
import { parseManualCampaign, MANUAL_CHANNELS, type ManualCampaignErrorKey, type ManualCampaignField } from "../campaigns/manual";
import { requesterFromAdmin } from "../shopify/requester.server";
import { refreshShopCampaigns } from "../campaigns/refresh.server";
import { MARKETING_TACTICS, defaultStageForTactic } from "../domain/tactics";
import { STAGE_DEFINITIONS, STAGE_ONE_KINDS, isStageNumber } from "../domain/stages";
import { useLocale, useT } from "../i18n/i18n";
import { CampaignDates } from "../board/ui/StageCard";
import { labelFor, stageTitle } from "../board/ui/labels";
import { formatDateTime, isoDay } from "../board/ui/format";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const now = new Date();
  const [campaigns, sync] = await Promise.all([listCampaigns(prisma, session.shop, now), loadSyncStatus(prisma, session.shop)]);
  return { campaigns, refreshedAt: sync.campaignsRefreshedAt, today: isoDay(now) };
};

type ActionResult =
  | { intent: "create"; ok: true }
  | { intent: "create"; ok: false; errors: Partial<Record<ManualCampaignField, ManualCampaignErrorKey>> }
  | { intent: "refresh"; ok: true; marketingActivities: number; discounts: number }
  | { intent: "refresh"; ok: false; message: string }
  | { intent: "override" | "reset" | "delete"; ok: boolean };

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const { admin, session } = await authenticate.admin(request);
  const shop = session.shop;
  const form = Object.fromEntries([...(await request.formData()).entries()].map(([k, v]) => [k, String(v)]));
  const id = Number(form.id);
  switch (form.intent) {
    case "create": {
      const parsed = parseManualCampaign(form);
      if (!parsed.ok) return { intent: "create", ok: false, errors: parsed.errors };
      await createManualCampaign(prisma, shop, parsed.value, new Date());
      return { intent: "create", ok: true };
    }
    case "refresh":
      try {
        const summary = await refreshShopCampaigns(prisma, shop, requesterFromAdmin(admin));
        return { intent: "refresh", ok: true, ...summary };
      } catch (error) {
        return { intent: "refresh", ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    case "override": {
      const stage = Number(form.stage);
      if (!isStageNumber(stage)) return { intent: "override", ok: false };
      return { intent: "override", ok: await overrideCampaignStage(prisma, shop, id, stage, form.stageOneKind ?? null) };
    }
    case "reset":
      return { intent: "reset", ok: await resetCampaignStage(prisma, shop, id) };
    case "delete":
      return { intent: "delete", ok: await deleteManualCampaign(prisma, shop, id) };
    default:
      return { intent: "delete", ok: false };
  }
};

function ManualCampaignForm({ today }: { today: string }) {
  const t = useT();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state !== "idle" && navigation.formData?.get("intent") === "create";
  const [name, setName] = useState("");
  const [stage, setStage] = useState("1");
  const [kind, setKind] = useState<string>(STAGE_ONE_KINDS[0]);
  const [channel, setChannel] = useState<string>("EMAIL");
  const [startsOn, setStartsOn] = useState(today);
  const [endsOn, setEndsOn] = useState("");
  const errors = result?.intent === "create" && !result.ok ? result.errors : {};
  const added = result?.intent === "create" && result.ok;
  useEffect(() => {
    if (added) {
      setName("");
      setEndsOn("");
    }
  }, [added]);
  const error = (field: ManualCampaignField) => (errors[field] ? t(errors[field]!) : undefined);

  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="create" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("campaigns.form.title")}
          </Text>
          <Text as="p" tone="subdued">
            {t("campaigns.form.help")}
          </Text>
          {added && <Banner tone="success">{t("campaigns.form.added")}</Banner>}
          <FormLayout>
            <TextField label={t("campaigns.form.name")} name="name" value={name} onChange={setName} autoComplete="off" error={error("name")} />
            <FormLayout.Group>
              <Select
                label={t("campaigns.form.stage")}
                name="stage"
                options={STAGE_DEFINITIONS.map((d) => ({ label: stageTitle(t, d), value: String(d.number) }))}
                value={stage}
                onChange={setStage}
                error={error("stage")}
              />
              {stage === "1" ? (
                <Select
                  label={t("campaigns.form.kind")}
                  name="stageOneKind"
                  options={STAGE_ONE_KINDS.map((k) => ({ label: t(`kind.${k}`), value: k }))}
                  value={kind}
                  onChange={setKind}
                  error={error("stageOneKind")}
                  helpText={t(`kind.${kind as (typeof STAGE_ONE_KINDS)[number]}.help`)}
                />
              ) : (
                <></>
              )}
              <Select
                label={t("campaigns.form.channel")}
                name="channel"
                options={MANUAL_CHANNELS.map((c) => ({ label: t(`channel.${c}`), value: c }))}
                value={channel}
                onChange={setChannel}
                error={error("channel")}
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField label={t("campaigns.form.start")} type="date" name="startsOn" value={startsOn} onChange={setStartsOn} autoComplete="off" error={error("startsOn")} />
              <TextField
                label={t("campaigns.form.end")}
                type="date"
                name="endsOn"
                value={endsOn}
                onChange={setEndsOn}
                autoComplete="off"
                helpText={t("campaigns.form.endHelp")}
                error={error("endsOn")}
              />
            </FormLayout.Group>
          </FormLayout>
          <InlineStack align="end">
            <Button submit variant="primary" loading={submitting}>
              {t("campaigns.form.submit")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

export default function Campaigns() {
  const { campaigns, refreshedAt, today } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const submit = useSubmit();
  const navigation = useNavigation();
  const refreshing = navigation.state !== "idle" && navigation.formData?.get("intent") === "refresh";

  const post = (data: Record<string, string>) => submit(data, { method: "post" });
  const stageOptions = STAGE_DEFINITIONS.map((d) => ({ label: stageTitle(t, d), value: String(d.number) }));
  const stateTone = { active: "success", scheduled: "info", ended: undefined } as const;

  return (
    <Page
      title={t("campaigns.title")}
      backAction={{ content: t("nav.board"), url: "/app" }}
      primaryAction={{ content: t("campaigns.refresh"), loading: refreshing, onAction: () => post({ intent: "refresh" }) }}
    >
      <BlockStack gap="500">
        {result?.intent === "refresh" &&
          (result.ok ? (
            <Banner tone="success">{t("campaigns.refreshed", { activities: result.marketingActivities, discounts: result.discounts })}</Banner>
          ) : (
            <Banner tone="critical">{t("campaigns.refreshFailed", { message: result.message })}</Banner>
          ))}
        <Text as="p">{t("campaigns.intro")}</Text>
        <Text as="p" tone="subdued">
          {refreshedAt ? t("sync.campaignsRefreshed", { date: formatDateTime(locale, refreshedAt) }) : t("sync.campaignsNever")}
        </Text>
        <Layout>
          <Layout.Section>
            <ManualCampaignForm today={today} />
          </Layout.Section>
          <Layout.Section>
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: t("campaigns.resource.singular"), plural: t("campaigns.resource.plural") }}
                itemCount={campaigns.length}
                selectable={false}
                emptyState={
                  <div style={{ padding: 16 }}>
                    <Text as="p" tone="subdued">
                      {t("campaigns.empty")}
                    </Text>
                  </div>
                }
                headings={[
                  { title: t("campaigns.col.name") },
                  { title: t("campaigns.col.source") },
                  { title: t("campaigns.col.stage") },
                  { title: t("campaigns.col.channel") },
                  { title: t("campaigns.col.dates") },
                  { title: t("campaigns.col.state") },
                  { title: t("campaigns.col.actions") },
                ]}
              >
                {campaigns.map((c, index) => (
                  <IndexTable.Row id={String(c.id)} key={c.id} position={index}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {c.name}
                      </Text>
                      {c.tactic && (
                        <Text as="p" variant="bodySm" tone="subdued">
                          {labelFor(t, "tactic", c.tactic)}
                        </Text>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge>{labelFor(t, "source", c.source)}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {c.source === "manual" ? (
                        <Text as="span">{stageTitle(t, STAGE_DEFINITIONS[c.stage - 1])}</Text>
                      ) : (
                        <BlockStack gap="100">
                          <Select
                            label={t("campaigns.stageFor", { name: c.name })}
                            labelHidden
                            options={stageOptions}
                            value={String(c.stage)}
                            onChange={(value) => post({ intent: "override", id: String(c.id), stage: value, stageOneKind: c.stageOneKind ?? "" })}
                          />
                          {c.stage === 1 && (
                            <Select
                              label={t("campaigns.kindFor", { name: c.name })}
                              labelHidden
                              options={STAGE_ONE_KINDS.map((k) => ({ label: t(`kind.${k}`), value: k }))}
                              value={c.stageOneKind ?? STAGE_ONE_KINDS[0]}
                              onChange={(value) => post({ intent: "override", id: String(c.id), stage: "1", stageOneKind: value })}
                            />
                          )}
                          {c.stageOverridden && (
                            <Text as="span" variant="bodySm" tone="subdued">
                              {t("campaigns.overridden")}
                            </Text>
                          )}
                        </BlockStack>
                      )}
                      {c.source === "manual" && c.stageOneKind && (
                        <Text as="p" variant="bodySm" tone="subdued">
                          {labelFor(t, "kind", c.stageOneKind)}
                        </Text>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>{labelFor(t, "channel", c.channel)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <CampaignDates campaign={c} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={stateTone[c.state]}>{t(`state.${c.state}`)}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {c.source === "manual" ? (
                        <Button variant="plain" tone="critical" onClick={() => post({ intent: "delete", id: String(c.id) })}>
                          {t("campaigns.delete")}
                        </Button>
                      ) : c.stageOverridden ? (
                        <Button variant="plain" onClick={() => post({ intent: "reset", id: String(c.id) })}>
                          {t("campaigns.reset")}
                        </Button>
                      ) : null}
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("campaigns.mapping.title")}
                </Text>
                <Text as="p">{t("campaigns.mapping.body")}</Text>
                <DataTable
                  columnContentTypes={["text", "text"]}
                  headings={[t("campaigns.mapping.tactic"), t("campaigns.mapping.stage")]}
                  rows={MARKETING_TACTICS.map((tactic) => {
                    const mapping = defaultStageForTactic(tactic);
                    const stage = stageTitle(t, STAGE_DEFINITIONS[mapping.stage - 1]);
                    return [t(`tactic.${tactic}`), mapping.stageOneKind ? `${stage} (${t(`kind.${mapping.stageOneKind}`)})` : stage];
                  })}
                />
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("campaigns.mapping.discounts")}
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}
