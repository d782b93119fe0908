import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { requesterFromAdmin } from "../shopify/requester.server";
import { campaignsAction, loadCampaignsPage, type CampaignsActionResult } from "../campaigns/page.server";
import { ManualCampaignForm } from "../campaigns/ui/ManualCampaignForm";
import { CampaignTable } from "../campaigns/ui/CampaignTable";
import { ActiveDaysCard } from "../campaigns/ui/ActiveDaysCard";
import { PlacementCard } from "../campaigns/ui/PlacementCard";
import type { CampaignView } from "../models/campaign.server";
import { useLocale, useT } from "../i18n/i18n";
import { formatDateTime, isoDay } from "../board/ui/format";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const now = new Date();
  return { ...(await loadCampaignsPage(prisma, session.shop, now, new URL(request.url))), today: isoDay(now) };
};

export const action = async ({ request }: ActionFunctionArgs): Promise<CampaignsActionResult> => {
  const { admin, session } = await authenticate.admin(request);
  const form = Object.fromEntries([...(await request.formData()).entries()].map(([k, v]) => [k, String(v)]));
  return campaignsAction(prisma, session.shop, requesterFromAdmin(admin), form, new Date());
};

/** What the last action did, when it needs saying (refresh outcome, a deletion). */
function ResultBanner() {
  const t = useT();
  const result = useActionData<typeof action>();
  if (result?.intent === "refresh") {
    return result.ok ? (
      <Banner tone="success">
        {t("campaigns.refreshed", { activities: result.marketingActivities, discounts: result.discounts })}{" "}
        {t("campaigns.refreshedFound", { found: result.found })}
      </Banner>
    ) : (
      <Banner tone="critical">{t("campaigns.refreshFailed", { message: result.message })}</Banner>
    );
  }
  if (result?.intent === "delete" && result.ok)
    return <Banner tone="success">{t("campaigns.deleted", { name: result.name ?? "" })}</Banner>;
  return null;
}

export default function Campaigns() {
  const { campaigns, refreshedAt, today, presetStage, currencyCode, activeDays, activeDaysRange } =
    useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const submit = useSubmit();
  const navigation = useNavigation();
  const refreshing = navigation.state !== "idle" && navigation.formData?.get("intent") === "refresh";
  const [editing, setEditing] = useState<CampaignView | null>(null);

  return (
    <Page
      title={t("campaigns.title")}
      backAction={{ content: t("nav.board"), url: "/app" }}
      primaryAction={{
        content: t("campaigns.refresh"),
        loading: refreshing,
        onAction: () => submit({ intent: "refresh" }, { method: "post" }),
      }}
    >
      <BlockStack gap="500">
        <ResultBanner />
        <Text as="p">{t("campaigns.intro")}</Text>
        <Text as="p" tone="subdued">
          {refreshedAt
            ? t("sync.campaignsRefreshed", { date: formatDateTime(locale, refreshedAt) })
            : t("sync.campaignsNever")}
        </Text>
        <Layout>
          <Layout.Section>
            <ManualCampaignForm
              today={today}
              presetStage={presetStage}
              editing={editing}
              onDone={() => setEditing(null)}
            />
          </Layout.Section>
          <Layout.Section>
            <CampaignTable campaigns={campaigns} currency={currencyCode} onEdit={setEditing} />
          </Layout.Section>
          <Layout.Section>
            <ActiveDaysCard activeDays={activeDays} range={activeDaysRange} />
          </Layout.Section>
          <Layout.Section>
            <PlacementCard />
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}
