/**
 * The Campaigns page's list: every campaign with its source, stage (movable unless typed in), channel, dates, the
 * orders and revenue it brought per stage (found in orders), its state, and what the merchant can do with it.
 */
import { useSubmit } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import { STAGE_DEFINITIONS, STAGE_ONE_KINDS } from "../../domain/stages";
import { CampaignDates } from "../../board/ui/StageCard";
import { labelFor, stageTitle } from "../../board/ui/labels";
import { formatDate, formatMoney } from "../../board/ui/format";
import { useLocale, useT } from "../../i18n/i18n";
import type { CampaignView } from "../../models/campaign.server";

const FOUND = new Set(["found_campaign", "found_code"]);
const STATE_TONE = { active: "success", scheduled: "info", ended: undefined } as const;

function usePost() {
  const submit = useSubmit();
  return (data: Record<string, string>) => submit(data, { method: "post" });
}

function StageCell({ campaign: c }: { campaign: CampaignView }) {
  const t = useT();
  const post = usePost();
  if (c.source === "manual") {
    return (
      <BlockStack gap="100">
        <Text as="span">{stageTitle(t, STAGE_DEFINITIONS[c.stage - 1])}</Text>
        {c.stageOneKind && (
          <Text as="p" variant="bodySm" tone="subdued">
            {labelFor(t, "kind", c.stageOneKind)}
          </Text>
        )}
      </BlockStack>
    );
  }
  const stageOptions = STAGE_DEFINITIONS.map((d) => ({ label: stageTitle(t, d), value: String(d.number) }));
  return (
    <BlockStack gap="100">
      <Select
        label={t("campaigns.stageFor", { name: c.name })}
        labelHidden
        options={stageOptions}
        value={String(c.stage)}
        onChange={(value) =>
          post({ intent: "override", id: String(c.id), stage: value, stageOneKind: c.stageOneKind ?? "" })
        }
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
      {c.stageOverridden && !c.confirmed && (
        <Text as="span" variant="bodySm" tone="subdued">
          {t("campaigns.overridden")}
        </Text>
      )}
      {c.foundStage != null && c.foundStage !== c.stage && (
        <Text as="span" variant="bodySm" tone="subdued">
          {t("campaigns.foundStage", { stage: stageTitle(t, STAGE_DEFINITIONS[c.foundStage - 1]) })}
        </Text>
      )}
    </BlockStack>
  );
}

/** Orders and net revenue of the last year, in total and per stage (win-backs counted apart). */
function FiguresCell({ campaign: c, currency }: { campaign: CampaignView; currency: string | null }) {
  const t = useT();
  const locale = useLocale();
  if (!FOUND.has(c.source)) return <CampaignDates campaign={c} />;
  return (
    <BlockStack gap="100">
      <Text as="span" numeric>
        {t("campaigns.figures.total", {
          orders: c.orders,
          revenue: formatMoney(locale, Number(c.revenueMinor), currency),
        })}
      </Text>
      {c.perStage.map((s) => (
        <Text as="span" variant="bodySm" tone="subdued" numeric key={s.stage}>
          {t("campaigns.figures.stage", {
            stage: s.stage,
            orders: s.orders,
            revenue: formatMoney(locale, Number(s.revenueMinor), currency),
          })}
          {s.winbackOrders > 0 ? ` ${t("campaigns.figures.winback", { count: s.winbackOrders })}` : ""}
        </Text>
      ))}
      {c.lastOrderAt && (
        <Text as="span" variant="bodySm" tone="subdued">
          {t("campaigns.lastOrder", { date: formatDate(locale, c.lastOrderAt) })}
        </Text>
      )}
    </BlockStack>
  );
}

/** Delete asks first: the row shows the question with Delete and Keep until one is chosen. */
function DeleteButton({ campaign: c }: { campaign: CampaignView }) {
  const t = useT();
  const post = usePost();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button variant="plain" tone="critical" onClick={() => setAsking(true)}>
        {t("campaigns.delete")}
      </Button>
    );
  }
  return (
    <BlockStack gap="100">
      <Text as="span">{t("campaigns.deleteConfirm", { name: c.name })}</Text>
      <InlineStack gap="200">
        <Button
          tone="critical"
          variant="primary"
          onClick={() => post({ intent: "delete", id: String(c.id), name: c.name })}
        >
          {t("campaigns.delete")}
        </Button>
        <Button onClick={() => setAsking(false)}>{t("campaigns.keep")}</Button>
      </InlineStack>
    </BlockStack>
  );
}

function ActionsCell({ campaign: c, onEdit }: { campaign: CampaignView; onEdit: (campaign: CampaignView) => void }) {
  const t = useT();
  const post = usePost();
  const id = String(c.id);
  if (c.source === "manual") {
    return (
      <InlineStack gap="300" blockAlign="start">
        <Button variant="plain" onClick={() => onEdit(c)}>
          {t("campaigns.edit")}
        </Button>
        <DeleteButton campaign={c} />
      </InlineStack>
    );
  }
  const found = FOUND.has(c.source);
  return (
    <InlineStack gap="300">
      {found && !c.confirmed && (
        <Button variant="plain" onClick={() => post({ intent: "confirm", id })}>
          {t("campaigns.confirm")}
        </Button>
      )}
      {found && (
        <Button variant="plain" onClick={() => post({ intent: c.hidden ? "show" : "hide", id })}>
          {c.hidden ? t("campaigns.show") : t("campaigns.hide")}
        </Button>
      )}
      {c.stageOverridden && (
        <Button variant="plain" onClick={() => post({ intent: "reset", id })}>
          {t("campaigns.reset")}
        </Button>
      )}
    </InlineStack>
  );
}

function NameCell({ campaign: c }: { campaign: CampaignView }) {
  const t = useT();
  return (
    <BlockStack gap="100">
      <Text as="span" fontWeight="semibold">
        {c.name}
      </Text>
      {c.tactic && (
        <Text as="p" variant="bodySm" tone="subdued">
          {labelFor(t, "tactic", c.tactic)}
        </Text>
      )}
      <InlineStack gap="100">
        <Badge>{labelFor(t, "source", c.source)}</Badge>
        {c.simulated && <Badge tone="attention">{t("campaigns.simulated")}</Badge>}
        {c.confirmed && <Badge tone="success">{t("campaigns.confirmed")}</Badge>}
        {c.hidden && <Badge>{t("campaigns.hidden")}</Badge>}
      </InlineStack>
    </BlockStack>
  );
}

export function CampaignTable({
  campaigns,
  currency,
  onEdit,
}: {
  campaigns: CampaignView[];
  currency: string | null;
  onEdit: (campaign: CampaignView) => void;
}) {
  const t = useT();
  return (
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
          { title: t("campaigns.col.stage") },
          { title: t("campaigns.col.channel") },
          { title: t("campaigns.col.results") },
          { title: t("campaigns.col.state") },
          { title: t("campaigns.col.actions") },
        ]}
      >
        {campaigns.map((c, index) => (
          <IndexTable.Row id={String(c.id)} key={c.id} position={index}>
            <IndexTable.Cell>
              <NameCell campaign={c} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              <StageCell campaign={c} />
            </IndexTable.Cell>
            <IndexTable.Cell>{labelFor(t, "channel", c.channel)}</IndexTable.Cell>
            <IndexTable.Cell>
              <FiguresCell campaign={c} currency={currency} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Badge tone={STATE_TONE[c.state]}>{t(`state.${c.state}`)}</Badge>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <ActionsCell campaign={c} onEdit={onEdit} />
            </IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
    </Card>
  );
}
