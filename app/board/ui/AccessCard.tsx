/** What access Shopify has not granted, what that means for the board and the tags, and how to grant it. */
import { Banner, BlockStack, List, Text } from "@shopify/polaris";
import { useT } from "../../i18n/i18n";
import type { AccessView } from "../access.server";

export function AccessCard({ access }: { access: AccessView }) {
  const t = useT();
  const analyticsMissing = !access.analyticsScope || access.analyticsProtectedData;
  if (access.fullHistory && !analyticsMissing) return null;
  return (
    <div data-testid="access-card">
      <BlockStack gap="300">
        {!access.fullHistory && (
          <div data-testid="access-full-history">
            <Banner tone="critical" title={t("access.fullHistory.title")}>
              <BlockStack gap="200">
                <Text as="p">{t("access.fullHistory.what")}</Text>
                <Text as="p">{t("access.fullHistory.means")}</Text>
                <Text as="p" fontWeight="semibold">
                  {t("access.howTo")}
                </Text>
                <List type="number">
                  <List.Item>{t("access.fullHistory.step1")}</List.Item>
                  <List.Item>{t("access.fullHistory.step2")}</List.Item>
                  <List.Item>{t("access.fullHistory.step3")}</List.Item>
                </List>
              </BlockStack>
            </Banner>
          </div>
        )}
        {analyticsMissing && (
          <div data-testid="access-analytics">
            <Banner tone="info" title={t("access.analytics.title")}>
              <BlockStack gap="200">
                <Text as="p">
                  {access.analyticsScope ? t("access.analytics.protectedData") : t("access.analytics.scope")}
                </Text>
                <Text as="p">{t("access.analytics.means")}</Text>
              </BlockStack>
            </Banner>
          </div>
        )}
      </BlockStack>
    </div>
  );
}
