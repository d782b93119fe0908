import { BlockStack, Button, Card, Text } from "@shopify/polaris";
import { useT } from "../i18n/i18n";

/** The settings page's way to Settings → Privacy (the customer data requests to hand over). */
export function PrivacyLinkCard() {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("privacy.link.title")}
        </Text>
        <Text as="p" tone="subdued">
          {t("privacy.link.body")}
        </Text>
        <div>
          <Button url="/app/settings/privacy">{t("privacy.link.action")}</Button>
        </div>
      </BlockStack>
    </Card>
  );
}
