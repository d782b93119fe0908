/** How campaigns are placed at stages: found in orders by whom they converted; the app's own activities by tactic. */
import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { STAGE_DEFINITIONS } from "../../domain/stages";
import { stageTitle } from "../../board/ui/labels";
import { useT } from "../../i18n/i18n";
import { MARKETING_TACTICS, defaultStageForTactic } from "../../domain/tactics";

export function PlacementCard() {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("campaigns.mapping.title")}
        </Text>
        <Text as="p">{t("campaigns.mapping.found")}</Text>
        <Text as="p">{t("campaigns.mapping.body")}</Text>
        <DataTable
          columnContentTypes={["text", "text"]}
          headings={[t("campaigns.mapping.tactic"), t("campaigns.mapping.stage")]}
          rows={MARKETING_TACTICS.map((tactic) => {
            const mapping = defaultStageForTactic(tactic);
            const stage = stageTitle(t, STAGE_DEFINITIONS[mapping.stage - 1]);
            return [
              t(`tactic.${tactic}`),
              mapping.stageOneKind ? `${stage} (${t(`kind.${mapping.stageOneKind}`)})` : stage,
            ];
          })}
        />
        <Text as="p" variant="bodySm" tone="subdued">
          {t("campaigns.mapping.discounts")}
        </Text>
      </BlockStack>
    </Card>
  );
}
