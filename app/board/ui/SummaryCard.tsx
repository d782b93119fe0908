/**
 * The board's answer, at the top: the weakest stage with its interval and how sure the call is, the stages that
 * could not be measured, and the stages with nothing running. Advice, so a card rather than a banner.
 */
import { BlockStack, Box, Button, Card, Divider, InlineStack, List, Text } from "@shopify/polaris";
import { useLocale, useT } from "../../i18n/i18n";
import type { BoardData, BoardStage } from "../board.server";
import { NOT_WEAK_VERDICTS } from "../conversion";
import { formatChange, formatPercent } from "./format";
import { stageTitle } from "./labels";

type T = ReturnType<typeof useT>;

function stageList(t: T, stages: readonly BoardStage[], numbers: readonly number[]): string {
  return numbers.map((n) => stageTitle(t, stages[n - 1])).join("; ");
}

function WeakestCall({ board }: { board: BoardData }) {
  const t = useT();
  const locale = useLocale();
  const call = board.weakest;
  if (!call || call.assessment.rate == null || !call.assessment.band) {
    return (
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {t("board.weakest.noneTitle")}
        </Text>
        <Text as="p">{t("board.weakest.none")}</Text>
      </BlockStack>
    );
  }
  const a = call.assessment;
  const band = a.band!;
  const stage = board.stages[a.stage - 1];
  const notWeak = NOT_WEAK_VERDICTS.includes(a.verdict);
  const verdict = t(`verdict.${a.verdict}`);
  const body =
    a.stage === 1
      ? t("board.weakest.bodyS1", {
          change: formatChange(locale, a.rate!),
          lower: formatChange(locale, a.lower!),
          upper: formatChange(locale, a.upper!),
          weak: formatPercent(locale, 1 - band.weakBelow),
          verdict,
        })
      : t("board.weakest.body", {
          rate: formatPercent(locale, a.rate!),
          lower: formatPercent(locale, a.lower!),
          upper: formatPercent(locale, a.upper!),
          weak: formatPercent(locale, band.weakBelow),
          strong: formatPercent(locale, band.strongAbove),
          verdict,
        });
  return (
    <div data-testid="weakest-stage" data-certainty={call.certainty}>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {t(notWeak ? "board.weakest.noWeakTitle" : "board.weakest.title", { stage: stageTitle(t, stage) })}
        </Text>
        <Text as="p">{body}</Text>
        <Text as="p" variant="bodySm" tone="subdued">
          <span data-testid="weakest-certainty">
            {call.certainty === "clear"
              ? t("board.weakest.clear")
              : t("board.weakest.likely", { stages: stageList(t, board.stages, call.couldAlsoBe) })}
          </span>
        </Text>
      </BlockStack>
    </div>
  );
}

const UNJUDGED_KEYS = {
  sessionsUnknown: "board.unjudged.sessionsUnknown",
  analyticsShort: "board.unjudged.analyticsShort",
  measuring: "board.unjudged.measuring",
  noCohort: "board.unjudged.noCohort",
} as const;

/** The stages the weakest-stage call could not judge, and why (so "weakest" is read as "weakest of these"). */
function UnjudgedText({ board }: { board: BoardData }) {
  const t = useT();
  if (board.unjudged.length === 0) return null;
  const stages = board.unjudged
    .map((u) => t(UNJUDGED_KEYS[u.reason], { stage: stageTitle(t, board.stages[u.stage - 1]) }))
    .join("; ");
  return (
    <Text as="p" variant="bodySm" tone="subdued">
      <span data-testid="unjudged-stages">{t("board.unjudged", { stages })}</span>
    </Text>
  );
}

function EmptyStages({ board }: { board: BoardData }) {
  const t = useT();
  const empty = board.stages.filter((s) => s.empty);
  if (empty.length === 0) return null;
  return (
    <div data-testid="empty-stages-banner">
      <BlockStack gap="100">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h3" variant="headingSm">
            {t("board.emptyBanner.title", { count: empty.length })}
          </Text>
          <Button url="/app/campaigns">{t("board.emptyBanner.action")}</Button>
        </InlineStack>
        <Text as="p">{t("board.emptyBanner.body")}</Text>
        <List type="bullet">
          {empty.map((s) => (
            <List.Item key={s.number}>{stageTitle(t, s)}</List.Item>
          ))}
        </List>
      </BlockStack>
    </div>
  );
}

export function SummaryCard({ board }: { board: BoardData }) {
  const t = useT();
  const hasEmpty = board.stages.some((s) => s.empty);
  return (
    <Card>
      <div data-testid="board-summary">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("board.summary.title")}
          </Text>
          <WeakestCall board={board} />
          <UnjudgedText board={board} />
          {hasEmpty && (
            <Box>
              <Divider />
            </Box>
          )}
          <EmptyStages board={board} />
        </BlockStack>
      </div>
    </Card>
  );
}
