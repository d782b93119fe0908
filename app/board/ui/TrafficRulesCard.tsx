/**
 * Settings: the merchant's traffic-source → Stage 1 kind rules (before the app's table, app/analytics/traffic-kinds.ts).
 * Part of the Settings page's one form: saved with everything else from the contextual save bar.
 */
import { BlockStack, Card, Text, TextField } from "@shopify/polaris";
import { useT } from "../../i18n/i18n";

export function TrafficRulesCard({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const t = useT();
  return (
    <Card>
      <div data-testid="traffic-rules">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("settings.traffic.title")}
          </Text>
          <Text as="p">{t("settings.traffic.help")}</Text>
          <TextField
            label={t("settings.traffic.label")}
            name="trafficRules"
            value={value}
            onChange={onChange}
            multiline={4}
            autoComplete="off"
            monospaced
            error={error}
          />
        </BlockStack>
      </div>
    </Card>
  );
}
