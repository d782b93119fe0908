import { Badge, BlockStack, Box, Button, Card, Divider, InlineStack, List, Text } from "@shopify/polaris";
import { useLocale, useT } from "../../i18n/i18n";
import type { BoardStage } from "../board.server";
import type { CampaignView } from "../../models/campaign.server";
import type { Verdict } from "../conversion";
import type { KindFigures } from "../../analytics/metrics";
import { VisitorKinds } from "./AnalyticsCard";
import { BandText, ConversionText, VerdictWhy } from "./ConversionText";
import { STAGE_ONE_KINDS } from "../../domain/stages";
import { formatDate, formatNumber } from "./format";
import { labelFor, levelLabel, stageTitle } from "./labels";

/** Badge tones: a verdict is a finding, not an error — no critical tone for advice. */
const VERDICT_TONE: Record<Verdict, "warning" | "info" | "success" | undefined> = {
  weak: "warning",
  notStrong: undefined,
  typical: "info",
  notWeak: "info",
  strong: "success",
  unsure: undefined,
  unknown: undefined,
};

export function CampaignDates({ campaign }: { campaign: Pick<CampaignView, "startsAt" | "endsAt"> }) {
  const t = useT();
  const locale = useLocale();
  const { startsAt, endsAt } = campaign;
  // endsAt is exclusive; show the last day it runs.
  const lastDay = endsAt ? new Date(new Date(endsAt).getTime() - 1).toISOString() : null;
  if (startsAt && lastDay)
    return <>{t("campaign.dates", { start: formatDate(locale, startsAt), end: formatDate(locale, lastDay) })}</>;
  if (startsAt) return <>{t("campaign.noEnd", { start: formatDate(locale, startsAt) })}</>;
  if (lastDay) return <>{t("campaign.until", { end: formatDate(locale, lastDay) })}</>;
  return <>{t("campaign.noDates")}</>;
}

/** The count at a level: visitors are a month's (analytics or the sessions entered); the world has none. */
function LevelCount({
  level,
  count,
  visitorsFrom,
}: {
  level: string;
  count: number | null;
  visitorsFrom: BoardStage["visitorsFrom"];
}) {
  const t = useT();
  const locale = useLocale();
  if (level !== "visitor") return <>{formatNumber(locale, count ?? 0)}</>;
  if (count == null) return <>{t("board.sessionsUnknownShort")}</>;
  const key = visitorsFrom === "analytics" ? "board.visitorsPerMonth" : "board.sessionsPerMonth";
  return <>{t(key, { count: formatNumber(locale, count) })}</>;
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
  const verdict = stage.assessment.verdict;
  return (
    <Card>
      <div data-stage={stage.number} data-empty={stage.empty ? "true" : "false"} data-verdict={verdict}>
        <BlockStack gap="300">
          <StageHeading stage={stage} isWeakest={isWeakest} />

          <StageCounts stage={stage} />

          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              {t("board.conversion")}
            </Text>
            <ConversionText stage={stage} />
            {stage.number === 1 && visitorKinds && (
              <VisitorKinds kinds={visitorKinds.kinds} month={visitorKinds.month} />
            )}
            <VerdictWhy verdict={verdict} />
            <BandText stageNumber={stage.number} />
          </BlockStack>

          <Divider />
          <StageCampaigns stage={stage} />

          <StageIdeas stage={stage} winbackTierDays={winbackTierDays} />
        </BlockStack>
      </div>
    </Card>
  );
}

/** The stage's title and its badges: weakest, verdict, campaigns or none. */
function StageHeading({ stage, isWeakest }: { stage: BoardStage; isWeakest: boolean }) {
  const t = useT();
  const verdict = stage.assessment.verdict;
  return (
    <InlineStack align="space-between" blockAlign="center" gap="200">
      <Text as="h2" variant="headingMd">
        {stageTitle(t, stage)}
      </Text>
      <InlineStack gap="200">
        {isWeakest && <Badge tone="warning">{t("board.badge.weakest")}</Badge>}
        {verdict !== "unknown" && <Badge tone={VERDICT_TONE[verdict]}>{t(`verdict.${verdict}`)}</Badge>}
        {stage.empty ? (
          <Badge tone="attention">{t("board.badge.noCampaign")}</Badge>
        ) : (
          <Badge tone="success">{t("board.badge.campaigns", { count: stage.campaigns.length })}</Badge>
        )}
      </InlineStack>
    </InlineStack>
  );
}

/** Customers at the stage's source and target levels (and, for Stage 4, the win-back audience). */
function StageCounts({ stage }: { stage: BoardStage }) {
  const t = useT();
  const locale = useLocale();
  return (
    <InlineStack gap="800" wrap>
      {stage.source !== "world" && (
        <BlockStack gap="050">
          <Text as="span" variant="bodySm" tone="subdued">
            {t("board.from", { level: levelLabel(t, stage.source) })}
          </Text>
          <Text as="span" variant="headingLg">
            <LevelCount level={stage.source} count={stage.sourceCustomers} visitorsFrom={stage.visitorsFrom} />
          </Text>
        </BlockStack>
      )}
      <BlockStack gap="050">
        <Text as="span" variant="bodySm" tone="subdued">
          {t("board.to", { level: levelLabel(t, stage.target) })}
        </Text>
        <Text as="span" variant="headingLg">
          <LevelCount level={stage.target} count={stage.targetCustomers} visitorsFrom={stage.visitorsFrom} />
        </Text>
      </BlockStack>
      {stage.lapsed != null && (
        <BlockStack gap="050">
          <Text as="span" variant="bodySm" tone="subdued">
            {t("board.winbackAudience")}
          </Text>
          <Text as="span" variant="bodyMd">
            {t("board.winbackCounts", {
              lapsed: formatNumber(locale, stage.lapsed),
              returned: formatNumber(locale, stage.returned ?? 0),
            })}
          </Text>
        </BlockStack>
      )}
    </InlineStack>
  );
}

/** Ideas for an empty or weak stage. */
function StageIdeas({
  stage,
  winbackTierDays,
}: {
  stage: BoardStage;
  winbackTierDays: readonly [number, number, number];
}) {
  const t = useT();
  if (stage.ideas.length === 0) return null;
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="headingSm">
        {stage.empty ? t("board.ideasEmpty") : t("board.ideasWeak")}
      </Text>
      <List type="bullet">
        {stage.ideas.map((idea) => (
          <List.Item key={idea}>
            {t(idea, { first: winbackTierDays[0], second: winbackTierDays[1], third: winbackTierDays[2] })}
          </List.Item>
        ))}
      </List>
    </BlockStack>
  );
}

/** The campaigns running in the stage (Stage 1 by kind of reach), and the way to add one preset to this stage. */
function StageCampaigns({ stage }: { stage: BoardStage }) {
  const t = useT();
  const kindsCovered = (kind: string) => stage.campaigns.filter((c) => c.stageOneKind === kind).length;
  return (
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="center" gap="200">
        <Text as="h3" variant="headingSm">
          {t("board.campaigns")}
        </Text>
        <Button
          url={`/app/campaigns?new=${stage.number}`}
          size="slim"
          accessibilityLabel={`${t("board.addCampaign")}: ${stageTitle(t, stage)}`}
        >
          {t("board.addCampaign")}
        </Button>
      </InlineStack>
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
  );
}
