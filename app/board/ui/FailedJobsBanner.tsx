import { Banner, BlockStack, Button, InlineStack, Text } from "@shopify/polaris";
import { Form, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import type { JobName, ParkedJob } from "../../queue/kinds";
import { jobErrorKey } from "../sync-status";
import { formatDateTime } from "./format";

const JOB_NAME_KEYS: Record<JobName, MessageKey> = {
  backfill: "jobs.name.backfill",
  daily: "jobs.name.daily",
  reclassify: "jobs.name.reclassify",
  segments: "jobs.name.segments",
  campaigns: "jobs.name.campaigns",
};

export interface FailedJobs {
  jobs: ParkedJob[];
  total: number;
}

/**
 * Background jobs that used all their attempts: what each was, when it stopped and why (in plain words, the stored
 * reason beneath), with Retry (the route's "retry-job" action: one more attempt).
 */
export function FailedJobsBanner({ failed, action }: { failed: FailedJobs; action?: string }) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  if (failed.total === 0) return null;
  const retrying =
    navigation.state !== "idle" && navigation.formData?.get("intent") === "retry-job"
      ? navigation.formData.get("jobId")
      : null;
  return (
    <div data-testid="failed-jobs">
      <Banner tone="critical" title={t("jobs.failed.title", { count: failed.total })}>
        <BlockStack gap="300">
          <Text as="p">{t("jobs.failed.body")}</Text>
          {failed.jobs.map((job) => (
            <InlineStack key={job.id} align="space-between" blockAlign="start" gap="300" wrap={false}>
              <BlockStack gap="100">
                <Text as="p" fontWeight="semibold">
                  {t("jobs.failed.line", {
                    name: t(JOB_NAME_KEYS[job.name] ?? "jobs.name.other"),
                    date: formatDateTime(locale, job.failedAt),
                    attempts: job.attempts,
                  })}
                </Text>
                <Text as="p">{t(jobErrorKey(job.errorKind))}</Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("sync.error.detail", { message: job.error })}
                </Text>
              </BlockStack>
              <Form method="post" action={action}>
                <input type="hidden" name="intent" value="retry-job" />
                <input type="hidden" name="jobId" value={job.id} />
                <Button submit loading={retrying === job.id}>
                  {t("jobs.retry")}
                </Button>
              </Form>
            </InlineStack>
          ))}
          {failed.total > failed.jobs.length && (
            <Text as="p">{t("jobs.failed.more", { count: failed.total - failed.jobs.length })}</Text>
          )}
        </BlockStack>
      </Banner>
    </div>
  );
}
