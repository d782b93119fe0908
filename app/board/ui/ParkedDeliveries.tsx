import { Banner, BlockStack, List, Text } from "@shopify/polaris";
import { useNavigation, useSubmit } from "@remix-run/react";
import { useT } from "../../i18n/i18n";
import type { ParkedDeliveries as Parked } from "../../models/inbox.server";

export const RETRY_DELIVERIES_INTENT = "retry-deliveries";

/**
 * Webhook deliveries the inbox gave up on (attempts exhausted, or a payload that can never apply), next to the
 * import's status: how many, the most frequent reasons (Shopify's topic and the technical message), and Retry.
 */
export function ParkedDeliveries({ parked, action }: { parked: Parked; action?: string }) {
  const t = useT();
  const submit = useSubmit();
  const navigation = useNavigation();
  if (parked.count === 0) return null;
  const retrying = navigation.state !== "idle" && navigation.formData?.get("intent") === RETRY_DELIVERIES_INTENT;
  return (
    <div data-testid="parked-deliveries">
      <Banner
        tone="warning"
        title={t("inbox.parked.title", { count: parked.count })}
        action={{
          content: t("inbox.parked.retry"),
          loading: retrying,
          onAction: () => submit({ intent: RETRY_DELIVERIES_INTENT }, { method: "post", action }),
        }}
      >
        <BlockStack gap="200">
          <Text as="p">{t("inbox.parked.body")}</Text>
          <List type="bullet">
            {parked.reasons.map((r) => (
              <List.Item key={`${r.topic}:${r.reason}`}>
                <Text as="span" variant="bodySm" tone="subdued">
                  {t("inbox.parked.reason", { topic: r.topic, count: r.count, reason: r.reason })}
                </Text>
              </List.Item>
            ))}
          </List>
        </BlockStack>
      </Banner>
    </div>
  );
}
