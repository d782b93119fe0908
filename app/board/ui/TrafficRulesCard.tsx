/** Settings: the merchant's traffic-source → Stage 1 kind rules (before the app's table, app/analytics/traffic-kinds.ts). */
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useT } from "../../i18n/i18n";

export type TrafficRulesResult = { intent: "trafficRules"; ok: true; rules: string } | { intent: "trafficRules"; ok: false; message: string };

export function TrafficRulesCard({ initial }: { initial: string }) {
  const t = useT();
  const fetcher = useFetcher<TrafficRulesResult>();
  const [text, setText] = useState(initial);
  const result = fetcher.data?.intent === "trafficRules" ? fetcher.data : null;
  return (
    <Card>
      <div data-testid="traffic-rules">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("settings.traffic.title")}
          </Text>
          <Text as="p">{t("settings.traffic.help")}</Text>
          {result && !result.ok && (
            <Banner tone="critical">
              <Text as="p">{t("settings.traffic.error", { message: result.message })}</Text>
            </Banner>
          )}
          <TextField label={t("settings.traffic.label")} value={text} onChange={setText} multiline={4} autoComplete="off" monospaced />
          <InlineStack>
            <Button loading={fetcher.state !== "idle"} onClick={() => fetcher.submit({ intent: "trafficRules", trafficRules: text }, { method: "post" })}>
              {t("settings.save")}
            </Button>
          </InlineStack>
        </BlockStack>
      </div>
    </Card>
  );
}
