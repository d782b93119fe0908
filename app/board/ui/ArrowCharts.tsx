import { BlockStack, Box, Card, InlineGrid, SkeletonBodyText, Text } from "@shopify/polaris";
import { BarChart, PolarisVizProvider, type DataSeries } from "@shopify/polaris-viz";
import { useLocale, useT } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import { CUSTOMER_LEVELS } from "../stages";
import { formatDate, formatMoney, formatNumber } from "./format";
import { useHydrated } from "./useHydrated";

export interface ArrowLevel {
  level: (typeof CUSTOMER_LEVELS)[number];
  customers: number;
  averageMinor: number | null;
  /** Average predicted value of the next 12 months per buyer at the level (only from an ok fit), minor units. */
  predictedAverageMinor?: number | null;
}

/** The customer-value fit behind the predicted values (BoardData.prediction). */
export interface ArrowPrediction {
  status: "ok" | "insufficient";
  fittedAt: string;
  reason: { key: MessageKey; values: Record<string, number> } | null;
}

/**
 * The two arrows of the model: customers per level (the Man arrow, narrowing at each level) and average revenue per
 * customer per level (the CLV arrow, growing), with the predicted value of the next 12 months beside it when the
 * shop's value fit is ok (else the reason there is none: historical value only). polaris-viz cannot render on the
 * server, so the charts appear after hydration; the server sends a skeleton of the same height.
 */
export function ArrowCharts({
  levels,
  currencyCode,
  lapsed,
  returned,
  prediction = null,
}: {
  levels: ArrowLevel[];
  currencyCode: string | null;
  lapsed: number;
  returned: number;
  prediction?: ArrowPrediction | null;
}) {
  const t = useT();
  const locale = useLocale();
  const hydrated = useHydrated();
  const names = levels.map((l) => t(`stage.${l.level}`));
  const man: DataSeries[] = [{ name: t("board.arrows.series.customers"), data: levels.map((l, i) => ({ key: names[i], value: l.customers })) }];
  const predicted = prediction?.status === "ok" && levels.some((l) => l.predictedAverageMinor != null);
  const clv: DataSeries[] = [
    {
      name: t("board.arrows.series.revenue"),
      data: levels.map((l, i) => ({ key: names[i], value: l.averageMinor == null ? null : Math.round(l.averageMinor) / 100 })),
    },
    ...(predicted
      ? [
          {
            name: t("board.arrows.series.predicted"),
            data: levels.map((l, i) => ({ key: names[i], value: l.predictedAverageMinor == null ? null : Math.round(l.predictedAverageMinor) / 100 })),
          },
        ]
      : []),
  ];
  const chart = (data: DataSeries[], format: (v: number) => string, label: string) =>
    hydrated ? (
      <div style={{ height: 260 }} role="img" aria-label={label}>
        <PolarisVizProvider>
          <BarChart
          data={data}
          direction="horizontal"
          showLegend={data.length > 1}
          theme="Light"
          xAxisOptions={{ labelFormatter: (v) => format(Number(v)) }}
          yAxisOptions={{ labelFormatter: (v) => String(v) }}
          />
        </PolarisVizProvider>
      </div>
    ) : (
      <Box minHeight="260px">
        <Text as="p" tone="subdued">
          {t("board.chartLoading")}
        </Text>
        <SkeletonBodyText lines={6} />
      </Box>
    );
  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
        <Card>
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("board.arrows.man")}
            </Text>
            <Text as="p" tone="subdued">
              {t("board.arrows.manHelp")}
            </Text>
            {chart(man, (v) => formatNumber(locale, v), t("board.arrows.man"))}
            <Text as="p" variant="bodySm" tone="subdued">
              {t("board.arrows.notShown", { lapsed: formatNumber(locale, lapsed), returned: formatNumber(locale, returned) })}
            </Text>
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("board.arrows.clv")}
            </Text>
            <Text as="p" tone="subdued">
              {t("board.arrows.clvHelp")}
            </Text>
            {predicted && prediction && (
              <Text as="p" tone="subdued">
                {t("board.arrows.clvPredictedHelp", { date: formatDate(locale, prediction.fittedAt) })}
              </Text>
            )}
            {chart(clv, (v) => formatMoney(locale, v * 100, currencyCode, { whole: true }), t("board.arrows.clv"))}
            {prediction?.status === "insufficient" && (
              <Text as="p" variant="bodySm" tone="subdued">
                {prediction.reason ? `${t(prediction.reason.key, prediction.reason.values)} ` : ""}
                {t("prediction.fallback")}
              </Text>
            )}
          </BlockStack>
        </Card>
    </InlineGrid>
  );
}
