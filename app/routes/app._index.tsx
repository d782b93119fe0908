import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, Layout, List, Page, Text } from "@shopify/polaris";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { clearShopConversions, loadBoard } from "../models/board.server";
import { refreshAnalyticsIfStale } from "../models/analytics.server";
import { requestBackfill } from "../sync/backfill.server";
import { refreshCampaignsIfStale } from "../campaigns/refresh.server";
import { requesterFromAdmin } from "../shopify/requester.server";
import { useLocale, useT } from "../i18n/i18n";
import { ArrowCharts } from "../board/ui/ArrowCharts";
import { SyncStatusCard } from "../board/ui/SyncStatusCard";
import { BandText, ConversionText, StageCard } from "../board/ui/StageCard";
import { stageTitle } from "../board/ui/labels";
import { formatChange, formatDateTime, formatPercent } from "../board/ui/format";
import { AnalyticsCard } from "../board/ui/AnalyticsCard";
import { AccessCard } from "../board/ui/AccessCard";
import { loadAccessView } from "../board/access.server";
import { CUSTOMER_LEVELS } from "../board/stages";

export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  await refreshAnalyticsIfStale(prisma, session.shop, requesterFromAdmin(admin));
  const board = await loadBoard(prisma, session.shop, new Date());
  refreshCampaignsIfStale(prisma, session.shop, requesterFromAdmin(admin), board.sync.campaignsRefreshedAt);
  return { ...board, access: await loadAccessView(prisma, session.shop) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") === "reimport") {
    await requestBackfill(session.shop);
    await clearShopConversions(prisma, session.shop);
    return { queued: true };
  }
  return { queued: false };
};

export default function Board() {
  const board = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const weakest = board.weakest ? board.stages.find((s) => s.number === board.weakest!.stage) : undefined;
  const emptyStages = board.stages.filter((s) => s.empty);

  return (
    <Page title={t("board.title")} secondaryActions={[{ content: t("board.viewCustomers"), url: "/app/customers" }, { content: t("nav.campaigns"), url: "/app/campaigns" }]}>
      <BlockStack gap="500">
        <SyncStatusCard sync={board.sync} compact />
        <AccessCard access={board.access} />
        {board.analytics?.simulated && (
          <div data-testid="analytics-simulated">
            <Banner tone="warning" title={t("analytics.simulated.title")}>
              <Text as="p">{t("analytics.simulated.body")}</Text>
            </Banner>
          </div>
        )}
        {board.totalCustomers === 0 && !board.sync.current?.running && <Banner tone="info">{t("board.noData")}</Banner>}

        {emptyStages.length > 0 && (
          <div data-testid="empty-stages-banner">
            <Banner
              tone="critical"
              title={t("board.emptyBanner.title", { count: emptyStages.length })}
              action={{ content: t("board.emptyBanner.action"), url: "/app/campaigns" }}
            >
              <BlockStack gap="100">
                <Text as="p">{t("board.emptyBanner.body")}</Text>
                <List type="bullet">
                  {emptyStages.map((s) => (
                    <List.Item key={s.number}>{stageTitle(t, s)}</List.Item>
                  ))}
                </List>
              </BlockStack>
            </Banner>
          </div>
        )}

        {weakest && board.weakest?.rate != null && board.weakest.band ? (
          <div data-testid="weakest-stage">
            <Banner
              tone={board.weakest.verdict === "weak" ? "warning" : "info"}
              title={t(board.weakest.verdict === "weak" ? "board.weakest.title" : "board.weakest.noWeakTitle", { stage: stageTitle(t, weakest) })}
            >
              <BlockStack gap="100">
                <Text as="p">
                  {board.weakest.stage === 1
                    ? t("board.weakest.bodyS1", {
                        change: formatChange(locale, board.weakest.rate),
                        weak: formatPercent(locale, 1 - board.weakest.band.weakBelow),
                        verdict: t(`verdict.${board.weakest.verdict}`),
                      })
                    : t("board.weakest.body", {
                        rate: formatPercent(locale, board.weakest.rate),
                        weak: formatPercent(locale, board.weakest.band.weakBelow),
                        strong: formatPercent(locale, board.weakest.band.strongAbove),
                        verdict: t(`verdict.${board.weakest.verdict}`),
                      })}
                </Text>
                <ConversionText stage={weakest} />
                <UnjudgedText board={board} />
              </BlockStack>
            </Banner>
          </div>
        ) : (
          board.totalCustomers > 0 && (
            <Banner tone="info" title={t("board.weakest.noneTitle")}>
              <Text as="p">{t("board.weakest.none")}</Text>
              <UnjudgedText board={board} />
            </Banner>
          )
        )}

        <Layout>
          {board.stages.map((stage) => (
            <Layout.Section key={stage.number}>
              <StageCard
                stage={stage}
                isWeakest={board.weakest?.stage === stage.number && board.weakest.verdict !== "strong"}
                winbackTierDays={board.winbackTierDays}
                visitorKinds={
                  stage.number === 1 && board.analytics?.hasVisitors && board.analytics.summary.stage1.byKind && board.analytics.summary.month
                    ? { month: board.analytics.summary.month, kinds: board.analytics.summary.stage1.byKind }
                    : null
                }
              />
            </Layout.Section>
          ))}
        </Layout>

        {board.analytics && <AnalyticsCard analytics={board.analytics} currencyCode={board.currencyCode} />}

        <BlockStack gap="300">
          <Text as="h2" variant="headingLg">
            {t("board.arrows.title")}
          </Text>
          <ArrowCharts
            levels={CUSTOMER_LEVELS.map((level) => ({ level, ...board.levels[level] }))}
            currencyCode={board.currencyCode}
            lapsed={board.levels.lapsed.customers}
            returned={board.levels.returned.customers}
            prediction={board.prediction}
          />
        </BlockStack>

        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              {t("board.method.title")}
            </Text>
            <List type="bullet">
              <List.Item>{t("board.method.s1")}</List.Item>
              <List.Item>{t("board.method.s2")}</List.Item>
              <List.Item>{t("board.method.analytics")}</List.Item>
              <List.Item>{t("board.method.s3")}</List.Item>
              <List.Item>{t("board.method.s4")}</List.Item>
              <List.Item>{t("board.method.s5")}</List.Item>
              <List.Item>{t("board.method.weakest")}</List.Item>
              <List.Item>{t("board.method.active")}</List.Item>
            </List>
            {board.conversionsMeasuredAt && (
              <Text as="p" variant="bodySm" tone="subdued">
                <span data-testid="conversions-measured-at">{t("board.method.measuredAt", { date: formatDateTime(locale, board.conversionsMeasuredAt) })}</span>
              </Text>
            )}
            {([2, 3, 4, 5] as const).map((n) => (
              <div key={n}>
                <Text as="span" variant="bodySm">
                  {stageTitle(t, board.stages[n - 1])}
                </Text>
                <BandText stageNumber={n} />
              </div>
            ))}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

/** The stages the weakest-stage call could not judge, and why (so "weakest" is read as "weakest of these"). */
function UnjudgedText({ board }: { board: { unjudged: Array<{ stage: number; reason: string }>; stages: Array<{ number: number; source: string; target: string }> } }) {
  const t = useT();
  if (board.unjudged.length === 0) return null;
  const keyFor = (reason: string) =>
    reason === "sessionsUnknown"
      ? "board.unjudged.sessionsUnknown"
      : reason === "analyticsShort"
        ? "board.unjudged.analyticsShort"
        : reason === "measuring"
          ? "board.unjudged.measuring"
          : reason === "tooFew"
            ? "board.unjudged.tooFew"
            : "board.unjudged.noCohort";
  const stages = board.unjudged.map((u) => t(keyFor(u.reason), { stage: stageTitle(t, board.stages[u.stage - 1] as Parameters<typeof stageTitle>[1]) })).join("; ");
  return (
    <Text as="p" variant="bodySm">
      <span data-testid="unjudged-stages">{t("board.unjudged", { stages })}</span>
    </Text>
  );
}
