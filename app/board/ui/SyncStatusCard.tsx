import { Banner, BlockStack, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { Form, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import type { SyncStatus } from "../sync-status.server";
import { formatDateTime, formatNumber } from "./format";
import { FailedJobsBanner, type FailedJobs } from "./FailedJobsBanner";

const PHASE_KEYS: Record<string, MessageKey> = {
  customers: "sync.phase.customers",
  orders: "sync.phase.orders",
  classify: "sync.phase.classify",
  segments: "sync.phase.segments",
  done: "sync.phase.done",
  failed: "sync.phase.failed",
};

/**
 * The import's state: a ProgressBar while it runs, the last import and daily update times, errors in plain words
 * (the technical message beneath), and "Re-import"; background jobs that used their attempts, with Retry.
 * `compact` (the board) shows only what needs attention.
 */
export function SyncStatusCard({
  sync,
  compact = false,
  action,
  failedJobs,
  retried,
}: {
  sync: SyncStatus;
  compact?: boolean;
  action?: string;
  failedJobs?: FailedJobs;
  /** What the last Retry did: queued again, or found nothing to retry (already retried, not this shop's). */
  retried?: boolean;
}) {
  const t = useT();
  const navigation = useNavigation();
  const submitting = navigation.state !== "idle" && navigation.formData?.get("intent") === "reimport";
  const run = sync.current;
  const running = Boolean(run?.running && !run.error);
  const failed = Boolean(run?.error);
  if (compact && !running && !failed && !sync.queued && !failedJobs?.total && retried === undefined) return null;

  const reimport = (
    <Form method="post" action={action}>
      <input type="hidden" name="intent" value="reimport" />
      <Button submit loading={submitting} disabled={sync.queued || running}>
        {sync.queued ? t("sync.reimportQueued") : t("sync.reimport")}
      </Button>
    </Form>
  );

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("sync.title")}
          </Text>
          {reimport}
        </InlineStack>
        {running && run && <ImportProgress run={run} />}
        {failed && run && (
          <Banner tone="critical" title={t("sync.error.title")}>
            <BlockStack gap="100">
              <Text as="p">{t(run.errorKey ?? "sync.error.other")}</Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("sync.error.detail", { message: run.error ?? "" })}
              </Text>
            </BlockStack>
          </Banner>
        )}
        {retried !== undefined && <Text as="p">{t(retried ? "jobs.retry.queued" : "jobs.retry.gone")}</Text>}
        {failedJobs && <FailedJobsBanner failed={failedJobs} action={action} />}
        {sync.queued && !running && <Text as="p">{t("sync.queued")}</Text>}
        {!compact && <LastRuns sync={sync} />}
      </BlockStack>
    </Card>
  );
}

/** The running import's phase and progress. */
function ImportProgress({ run }: { run: NonNullable<SyncStatus["current"]> }) {
  const t = useT();
  const locale = useLocale();
  return (
    <BlockStack gap="200">
      <Text as="p">{t("sync.running", { phase: t(PHASE_KEYS[run.phase] ?? "sync.phase.customers") })}</Text>
      <ProgressBar progress={run.progress} tone="highlight" ariaLabelledBy="sync-progress-label" />
      <Text as="p" variant="bodySm" tone="subdued" id="sync-progress-label">
        {run.phase === "classify" && run.customersTotal
          ? t("sync.progressCustomers", {
              done: formatNumber(locale, run.customersDone),
              total: formatNumber(locale, run.customersTotal),
            })
          : run.linesTotal
            ? t("sync.progressLines", {
                done: formatNumber(locale, run.linesDone),
                total: formatNumber(locale, run.linesTotal),
              })
            : t("sync.progressPercent", { percent: run.progress })}
      </Text>
    </BlockStack>
  );
}

/** When the last import, daily update and campaign refresh happened (the full card only). */
function LastRuns({ sync }: { sync: SyncStatus }) {
  const t = useT();
  const locale = useLocale();
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {sync.lastFinishedAt
          ? t("sync.lastImport", { date: formatDateTime(locale, sync.lastFinishedAt) })
          : t("sync.never")}
      </Text>
      {sync.lastDailyRunAt && (
        <Text as="p" tone="subdued">
          {t("sync.lastDaily", { date: formatDateTime(locale, sync.lastDailyRunAt) })}
        </Text>
      )}
      <Text as="p" tone="subdued">
        {sync.campaignsRefreshedAt
          ? t("sync.campaignsRefreshed", { date: formatDateTime(locale, sync.campaignsRefreshedAt) })
          : t("sync.campaignsNever")}
      </Text>
    </BlockStack>
  );
}
