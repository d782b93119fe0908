/** The per-shop setting: how long a campaign found in orders counts as active after its last order. */
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useT } from "../../i18n/i18n";
import type { CampaignsActionResult } from "../page.server";

export function ActiveDaysCard({ activeDays, range }: { activeDays: number; range: [number, number] }) {
  const t = useT();
  const result = useActionData<CampaignsActionResult>();
  const navigation = useNavigation();
  const [value, setValue] = useState(String(activeDays));
  useEffect(() => setValue(String(activeDays)), [activeDays]);
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === "activeDays";
  const error = result?.intent === "activeDays" && !result.ok ? t(result.error) : undefined;
  const saved = result?.intent === "activeDays" && result.ok && String(result.value) === value;
  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="activeDays" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("campaigns.activeDays.title")}
          </Text>
          <InlineStack gap="300" blockAlign="end" wrap>
            <div style={{ maxWidth: 220 }}>
              <TextField
                label={t("campaigns.activeDays.label")}
                type="number"
                name="activeDays"
                min={range[0]}
                max={range[1]}
                value={value}
                onChange={setValue}
                autoComplete="off"
                suffix={t("campaigns.activeDays.suffix")}
                error={error}
              />
            </div>
            <Button submit loading={saving} disabled={value === String(activeDays)}>
              {t("campaigns.activeDays.save")}
            </Button>
          </InlineStack>
          <Text as="p" variant="bodySm" tone="subdued">
            {saved ? t("campaigns.activeDays.saved") : t("campaigns.activeDays.help", { min: range[0], max: range[1] })}
          </Text>
        </BlockStack>
      </Form>
    </Card>
  );
}
