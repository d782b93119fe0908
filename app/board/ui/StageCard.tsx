import { Badge, BlockStack, Box, Card, Divider, InlineStack, List, Text } from "@shopify/polaris";
import { useLocale, useT } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import type { BoardStage } from "../../models/board.server";
import type { CampaignView } from "../../models/campaign.server";
import { REFERENCE_BANDS } from "../conversion";
import { SIGNUP_POPUP_REFERENCE, type KindFigures } from "../../analytics/metrics";
import { VisitorKinds } from "./AnalyticsCard";
import { STAGE_ONE_KINDS } from "../stages";
import { formatChange, formatDate, formatMonth, formatNumber, formatPercent } from "./format";
import { labelFor, levelLabel, stageTitle } from "./labels";

const VERDICT_TONE = { weak: "critical", typical: "info", strong: "success", tooFew: undefined, unknown: undefined } as const;

export function CampaignDates({ campaign }: { campaign: Pick<CampaignView, "startsAt" | "endsAt"> }) {
  const t = useT();
  const locale = useLocale();
  const { startsAt, endsAt } = campaign;
  // endsAt is exclusive; show the last day it runs.
  const lastDay = endsAt ? new Date(new Date(endsAt).getTime() - 1).toISOString() : null;
  if (startsAt && lastDay) return <>{t("campaign.dates", { start: formatDate(locale, startsAt), end: formatDate(locale, lastDay) })}</>;
  if (startsAt) return <>{t("campaign.noEnd", { start: formatDate(locale, startsAt) })}</>;
  if (lastDay) return <>{t("campaign.until", { end: formatDate(locale, lastDay) })}</>;
  return <>{t("campaign.noDates")}</>;
}

export function ConversionText({ stage }: { stage: BoardStage }) {
  const t = useT();
  const locale = useLocale();
  const c = stage.conversion;
  const rate = stage.assessment.rate;
  if (c.fromAnalytics) return <AnalyticsConversionText stage={stage} />;
  if (c.unmeasured === "sessionsUnknown") return <Text as="p">{t("conversion.sessionsUnknown")}</Text>;
  if (c.unmeasured === "measuring") return <Text as="p">{t("conversion.measuring")}</Text>;
  if (stage.number === 1) return <Text as="p">{t("conversion.s1", { sessions: formatNumber(locale, c.base ?? 0) })}</Text>;
  const range = { from: formatDate(locale, c.cohortFrom), to: formatDate(locale, c.cohortTo) };
  if (c.unmeasured === "noCohort" || rate == null) return <Text as="p">{t("conversion.noCohort", range)}</Text>;
  const values = {
    rate: formatPercent(locale, rate),
    converted: formatNumber(locale, c.converted ?? 0),
    base: formatNumber(locale, c.base ?? 0),
    days: c.windowDays,
    ...range,
  };
  const key: MessageKey = stage.number === 2 ? "conversion.s2" : stage.number === 3 ? "conversion.s3" : stage.number === 4 ? "conversion.s4" : "conversion.s5";
  return <Text as="p">{t(key, values)}</Text>;
}

/** Stages 1–2 measured from Shopify's analytics (the visitors trend; new subscribers ÷ visitors, with the reference). */
function AnalyticsConversionText({ stage }: { stage: BoardStage }) {
  const t = useT();
  const locale = useLocale();
  const c = stage.conversion;
  // cohortTo is the start of the month after the last complete month.
  const lastDay = c.cohortTo ? new Date(new Date(c.cohortTo).getTime() - 1).toISOString() : null;
  const month = formatMonth(locale, lastDay);
  if (stage.number === 1) {
    const visitors = formatNumber(locale, stage.sourceCustomers ?? 0);
    if (c.base == null || c.converted == null) return <Text as="p">{t("conversion.s1.short", { visitors, month })}</Text>;
    return (
      <Text as="p">
        {t("conversion.s1.analytics", {
          visitors,
          month,
          months: Math.round(c.windowDays / 30),
          recent: formatNumber(locale, c.converted),
          previous: formatNumber(locale, c.base),
          change: formatChange(locale, stage.assessment.rate ?? 1),
        })}
      </Text>
    );
  }
  return (
    <BlockStack gap="050">
      <Text as="p">
        {t("conversion.s2.analytics", {
          rate: formatPercent(locale, stage.assessment.rate ?? 0),
          converted: formatNumber(locale, c.converted ?? 0),
          base: formatNumber(locale, c.base ?? 0),
          month: formatMonth(locale, c.cohortFrom),
        })}
      </Text>
      <Text as="p" variant="bodySm" tone="subdued">
        {t("conversion.s2.reference", { reference: formatPercent(locale, SIGNUP_POPUP_REFERENCE) })}
      </Text>
    </BlockStack>
  );
}

export function BandText({ stageNumber }: { stageNumber: BoardStage["number"] }) {
  const t = useT();
  const locale = useLocale();
  const band = REFERENCE_BANDS[stageNumber];
  if (!band) return null;
  if (stageNumber === 1) {
    return (
      <Text as="p" variant="bodySm" tone="subdued">
        {t("board.band.s1", { weak: formatPercent(locale, 1 - band.weakBelow), strong: formatPercent(locale, band.strongAbove - 1) })}
        {` ${t("board.band.ruleOfThumb")}`}
      </Text>
    );
  }
  return (
    <Text as="p" variant="bodySm" tone="subdued">
      {t("board.band", { weak: formatPercent(locale, band.weakBelow), strong: formatPercent(locale, band.strongAbove) })}
      {band.fromModel ? "" : ` ${t("board.band.ruleOfThumb")}`}
    </Text>
  );
}

export function StageCard({
  stage,
  isWeakest,
  winbackTierDays,
  visitorKinds,
}: {
  stage: BoardStage;
  isWeakest: boolean;
  winbackTierDays: readonly [number, number, number];
  /** Stage 1 with Shopify's analytics: the last complete month's visitors by kind of traffic. */
  visitorKinds?: { month: string; kinds: KindFigures[] } | null;
}) {
  const t = useT();
  const locale = useLocale();
  const verdict = stage.assessment.verdict;
  const kindsCovered = (kind: string) => stage.campaigns.filter((c) => c.stageOneKind === kind).length;
  return (
    <Card>
      <div data-stage={stage.number} data-empty={stage.empty ? "true" : "false"}>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <Text as="h2" variant="headingMd">
              {stageTitle(t, stage)}
            </Text>
            <InlineStack gap="200">
              {isWeakest && <Badge tone="warning">{t("board.badge.weakest")}</Badge>}
              {(verdict === "weak" || verdict === "typical" || verdict === "strong") && <Badge tone={VERDICT_TONE[verdict]}>{t(`verdict.${verdict}`)}</Badge>}
              {stage.empty ? (
                <Badge tone="critical">{t("board.badge.noCampaign")}</Badge>
              ) : (
                <Badge tone="success">
                  {t("board.badge.campaigns", { count: stage.campaigns.length })}
                </Badge>
              )}
            </InlineStack>
          </InlineStack>

          <InlineStack gap="800" wrap>
            <BlockStack gap="050">
              <Text as="span" variant="bodySm" tone="subdued">
                {t("board.from", { level: levelLabel(t, stage.source) })}
              </Text>
              <Text as="span" variant="headingLg">
                {stage.source === "world"
                  ? stage.sourceCustomers == null
                    ? t("board.sessionsUnknownShort")
                    : stage.visitorsFrom === "analytics"
                      ? t("board.visitorsPerMonth", { count: formatNumber(locale, stage.sourceCustomers) })
                      : t("board.sessionsPerMonth", { count: formatNumber(locale, stage.sourceCustomers) })
                  : formatNumber(locale, stage.sourceCustomers ?? 0)}
              </Text>
            </BlockStack>
            <BlockStack gap="050">
              <Text as="span" variant="bodySm" tone="subdued">
                {t("board.to", { level: levelLabel(t, stage.target) })}
              </Text>
              <Text as="span" variant="headingLg">
                {formatNumber(locale, stage.targetCustomers)}
              </Text>
            </BlockStack>
            {stage.lapsed != null && (
              <BlockStack gap="050">
                <Text as="span" variant="bodySm" tone="subdued">
                  {t("board.winbackAudience")}
                </Text>
                <Text as="span" variant="bodyMd">
                  {t("board.winbackCounts", { lapsed: formatNumber(locale, stage.lapsed), returned: formatNumber(locale, stage.returned ?? 0) })}
                </Text>
              </BlockStack>
            )}
          </InlineStack>

          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              {t("board.conversion")}
            </Text>
            <ConversionText stage={stage} />
            {stage.number === 1 && visitorKinds && <VisitorKinds kinds={visitorKinds.kinds} month={visitorKinds.month} />}
            {verdict === "tooFew" && (
              <Text as="p" variant="bodySm" tone="subdued">
                {t("verdict.tooFew")}
              </Text>
            )}
            <BandText stageNumber={stage.number} />
          </BlockStack>

          <Divider />
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("board.campaigns")}
            </Text>
            {stage.number === 1 && (
              <InlineStack gap="200">
                {STAGE_ONE_KINDS.map((kind) => {
                  const n = kindsCovered(kind);
                  return (
                    <Badge key={kind} tone={n > 0 ? "success" : undefined}>
                      {`${t(`kind.${kind}`)}: ${n > 0 ? t("board.kindRunning", { count: n }) : t("board.kindNone")}`}
                    </Badge>
                  );
                })}
              </InlineStack>
            )}
            {stage.campaigns.length === 0 ? (
              <Text as="p" tone="subdued">
                {t("board.campaignsNone")}
              </Text>
            ) : (
              <BlockStack gap="150">
                {stage.campaigns.map((c) => (
                  <Box key={c.id}>
                    <InlineStack gap="200" blockAlign="center" wrap>
                      <Text as="span" fontWeight="semibold">
                        {c.name}
                      </Text>
                      <Badge>{labelFor(t, "source", c.source)}</Badge>
                      {c.channel && (
                        <Text as="span" tone="subdued">
                          {labelFor(t, "channel", c.channel)}
                        </Text>
                      )}
                      {c.stageOneKind && (
                        <Text as="span" tone="subdued">
                          {labelFor(t, "kind", c.stageOneKind)}
                        </Text>
                      )}
                      <Text as="span" tone="subdued">
                        <CampaignDates campaign={c} />
                      </Text>
                    </InlineStack>
                  </Box>
                ))}
              </BlockStack>
            )}
          </BlockStack>

          {stage.ideas.length > 0 && (
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">
                {stage.empty ? t("board.ideasEmpty") : t("board.ideasWeak")}
              </Text>
              <List type="bullet">
                {stage.ideas.map((idea) => (
                  <List.Item key={idea}>{t(idea, { first: winbackTierDays[0], second: winbackTierDays[1], third: winbackTierDays[2] })}</List.Item>
                ))}
              </List>
            </BlockStack>
          )}
        </BlockStack>
      </div>
    </Card>
  );
}
