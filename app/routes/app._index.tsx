import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Card, Layout, List, Page, Text } from "@shopify/polaris";
import { useEffect } from "react";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { clearShopConversions } from "../models/board.server";
import { loadBoard } from "../board/board.server";
import { refreshAnalyticsIfStale } from "../analytics/shop-analytics.server";
import { requestBackfill } from "../sync/backfill.server";
import { listParkedJobs, retryParkedJob } from "../queue/queue.server";
import { refreshCampaignsIfStale } from "../campaigns/refresh.server";
import { requesterFromAdmin } from "../shopify/requester.server";
import { useLocale, useT } from "../i18n/i18n";
import { ArrowCharts } from "../board/ui/ArrowCharts";
import { SyncStatusCard } from "../board/ui/SyncStatusCard";
import { StageCard } from "../board/ui/StageCard";
import { BandText } from "../board/ui/ConversionText";
import { SummaryCard } from "../board/ui/SummaryCard";
import { ParkedDeliveries, RETRY_DELIVERIES_INTENT } from "../board/ui/ParkedDeliveries";
import { parkedDeliveries, retryParkedDeliveries } from "../models/inbox.server";
import { wakeWorker } from "../queue/wake.server";
import { stageTitle } from "../board/ui/labels";
import { formatDateTime } from "../board/ui/format";
import { AnalyticsCard } from "../board/ui/AnalyticsCard";
import { AccessCard } from "../board/ui/AccessCard";
import { loadAccessView } from "../board/access.server";
import { CUSTOMER_LEVELS } from "../domain/stages";

export const links = () => [{ rel: "stylesheet", href: polarisVizStyles }];

/** While a reclassification runs, the board reloads itself this often so it shows the new counts when it ends. */
const UPDATING_POLL_MS = 5_000;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  await refreshAnalyticsIfStale(prisma, session.shop, requesterFromAdmin(admin));
  const [board, failedJobs] = await Promise.all([
    loadBoard(prisma, session.shop, new Date()),
    listParkedJobs(prisma, session.shop),
  ]);
  refreshCampaignsIfStale(prisma, session.shop, requesterFromAdmin(admin), board.sync.campaignsRefreshedAt);
  return {
    ...board,
    failedJobs,
    access: await loadAccessView(prisma, session.shop),
    parkedDeliveries: await parkedDeliveries(prisma, session.shop),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") === "reimport") {
    await requestBackfill(session.shop);
    await clearShopConversions(prisma, session.shop);
    return { queued: true };
  }
  if (form.get("intent") === "retry-job") {
    // The session decides the shop: an id of another shop's job is refused like an unknown one.
    return { retried: await retryParkedJob(prisma, session.shop, String(form.get("jobId") ?? "").slice(0, 64)) };
  }
  if (form.get("intent") === RETRY_DELIVERIES_INTENT) {
    await retryParkedDeliveries(prisma, session.shop);
    wakeWorker();
    return { queued: true };
  }
  return { queued: false };
};

/** After Settings → Save: the board says it is updating, and reloads until the reclassification is in. */
function UpdatingBanner({ since }: { since: string | null }) {
  const t = useT();
  const locale = useLocale();
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!since) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, UPDATING_POLL_MS);
    return () => clearInterval(timer);
  }, [since, revalidator]);
  if (!since) return null;
  return (
    <div data-testid="board-updating">
      <Banner tone="info" title={t("board.updating.title")}>
        <Text as="p">{t("board.updating.body", { time: formatDateTime(locale, since) })}</Text>
      </Banner>
    </div>
  );
}

export default function Board() {
  const board = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const t = useT();

  return (
    <Page
      title={t("board.title")}
      secondaryActions={[
        { content: t("board.viewCustomers"), url: "/app/customers" },
        { content: t("nav.campaigns"), url: "/app/campaigns" },
      ]}
    >
      <BlockStack gap="500">
        <UpdatingBanner since={board.updatingSince} />
        <SyncStatusCard
          sync={board.sync}
          failedJobs={board.failedJobs}
          retried={acted && "retried" in acted ? acted.retried : undefined}
          compact
        />
        <AccessCard access={board.access} />
        <ParkedDeliveries parked={board.parkedDeliveries} />
        {board.totalCustomers === 0 && !board.sync.current?.running && <Banner tone="info">{t("board.noData")}</Banner>}
        {board.analytics?.simulated && (
          <Text as="p" tone="caution">
            <span data-testid="analytics-simulated">{`${t("analytics.simulated.title")}. ${t("analytics.simulated.body")}`}</span>
          </Text>
        )}

        {board.totalCustomers > 0 && <SummaryCard board={board} />}

        <Layout>
          {board.stages.map((stage) => (
            <Layout.Section key={stage.number}>
              <StageCard
                stage={stage}
                isWeakest={stage.weakest}
                winbackTierDays={board.winbackTierDays}
                visitorKinds={
                  stage.number === 1 &&
                  board.analytics?.hasVisitors &&
                  board.analytics.summary.stage1.byKind &&
                  board.analytics.summary.month
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
            man={board.manArrow}
            levels={CUSTOMER_LEVELS.map((level) => ({ level, ...board.levels[level] }))}
            currencyCode={board.currencyCode}
            lapsed={board.levels.lapsed.customers}
            returned={board.levels.returned.customers}
            prediction={board.prediction}
            visitorsMonth={board.analytics?.summary.month ?? null}
          />
        </BlockStack>

        <MethodCard board={board} />
      </BlockStack>
    </Page>
  );
}

function MethodCard({ board }: { board: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const t = useT();
  const locale = useLocale();
  return (
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
          <List.Item>{t("board.method.interval")}</List.Item>
          <List.Item>{t("board.method.weakest")}</List.Item>
          <List.Item>{t("board.method.active")}</List.Item>
        </List>
        {board.conversionsMeasuredAt && (
          <Text as="p" variant="bodySm" tone="subdued">
            <span data-testid="conversions-measured-at">
              {t("board.method.measuredAt", { date: formatDateTime(locale, board.conversionsMeasuredAt) })}
            </span>
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
  );
}
