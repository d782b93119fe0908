import { BlockStack, Box, Card, InlineGrid, InlineStack, SkeletonBodyText, Text } from "@shopify/polaris";
import { PolarisVizProvider, SimpleBarChart, type DataSeries } from "@shopify/polaris-viz";
import { useLocale, useT } from "../../i18n/i18n";
import type { ManArrow } from "../arrows";
import type { MessageKey } from "../../i18n/messages";
import { CUSTOMER_LEVELS } from "../../domain/stages";
import { formatDate, formatMoney, formatMonth, formatNumber } from "./format";
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
 * The two arrows of the model: the Man arrow (a month's visitors, then the customers at each level, with what the
 * shape means for this shop) and the CLV arrow (average revenue per customer per level, growing), with the
 * predicted value of the next 12 months beside it when the shop's value fit is ok (else the reason there is none:
 * historical value only). The CLV chart labels each bar with its amount instead of drawing a money axis, whose tick
 * labels polaris-viz cuts to "€…" in Dutch and on a phone. polaris-viz cannot render on the server, so the chart
 * appears after hydration; the server sends a skeleton of the same height. The Man arrow is plain rows.
 */
export function ArrowCharts({
  man,
  levels,
  currencyCode,
  lapsed,
  returned,
  prediction = null,
  visitorsMonth = null,
}: {
  man: ManArrow;
  levels: ArrowLevel[];
  currencyCode: string | null;
  lapsed: number;
  returned: number;
  prediction?: ArrowPrediction | null;
  /** The month the analytics' visitors are of ("YYYY-MM"). */
  visitorsMonth?: string | null;
}) {
  const t = useT();
  const locale = useLocale();
  const names = levels.map((l) => t(`stage.${l.level}`));
  const predicted = prediction?.status === "ok" && levels.some((l) => l.predictedAverageMinor != null);
  const clv: DataSeries[] = [
    {
      name: t("board.arrows.series.revenue"),
      data: levels.map((l, i) => ({
        key: names[i],
        value: l.averageMinor == null ? null : Math.round(l.averageMinor) / 100,
      })),
    },
    ...(predicted
      ? [
          {
            name: t("board.arrows.series.predicted"),
            data: levels.map((l, i) => ({
              key: names[i],
              value: l.predictedAverageMinor == null ? null : Math.round(l.predictedAverageMinor) / 100,
            })),
          },
        ]
      : []),
  ];
  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
      <Card>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            {t("board.arrows.man")}
          </Text>
          <ManArrowRows man={man} />
          <ManCaption man={man} visitorsMonth={visitorsMonth} />
          <Text as="p" variant="bodySm" tone="subdued">
            {t("board.arrows.notShown", {
              lapsed: formatNumber(locale, lapsed),
              returned: formatNumber(locale, returned),
            })}
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
          <ClvChart data={clv} currencyCode={currencyCode} />
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

/** Polaris Viz cannot render on the server: a skeleton until the page has hydrated. */
function ClvChart({ data, currencyCode }: { data: DataSeries[]; currencyCode: string | null }) {
  const t = useT();
  const locale = useLocale();
  const hydrated = useHydrated();
  if (!hydrated) {
    return (
      <Box minHeight="260px">
        <Text as="p" tone="subdued">
          {t("board.chartLoading")}
        </Text>
        <SkeletonBodyText lines={6} />
      </Box>
    );
  }
  return (
    <div style={{ height: 260 }} role="img" aria-label={t("board.arrows.clv")} data-testid="clv-chart">
      <PolarisVizProvider>
        <SimpleBarChart
          data={data}
          showLegend={data.length > 1}
          theme="Light"
          xAxisOptions={{ labelFormatter: (v) => formatMoney(locale, Number(v) * 100, currencyCode, { whole: true }) }}
        />
      </PolarisVizProvider>
    </div>
  );
}

/** Bar widths on a log scale: a month's visitors (tens of thousands) and a level of a hundred customers both show. */
function logWidth(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(0.02, Math.log10(count + 1) / Math.log10(max + 1));
}

function ManArrowRows({ man }: { man: ManArrow }) {
  const t = useT();
  const locale = useLocale();
  const max = Math.max(0, ...man.levels.map((l) => l.count ?? 0));
  return (
    <div data-testid="man-arrow" role="img" aria-label={t("board.arrows.man")}>
      <BlockStack gap="150">
        {man.levels.map((l) => (
          <div key={l.level} data-level={l.level} data-count={l.count ?? ""}>
            <InlineStack align="space-between" gap="200" wrap={false}>
              <Text as="span" variant="bodySm">
                {t(`stage.${l.level}`)}
              </Text>
              <Text as="span" variant="bodySm" fontWeight="semibold">
                {l.count == null
                  ? "–"
                  : l.level === "visitor"
                    ? t(man.visitorsFrom === "analytics" ? "board.visitorsPerMonth" : "board.sessionsPerMonth", {
                        count: formatNumber(locale, l.count),
                      })
                    : formatNumber(locale, l.count)}
              </Text>
            </InlineStack>
            <div style={{ height: 10, borderRadius: 5, background: "var(--p-color-bg-fill-secondary)" }}>
              <div
                style={{
                  height: 10,
                  borderRadius: 5,
                  width: `${(100 * logWidth(l.count ?? 0, max)).toFixed(1)}%`,
                  background: "var(--p-color-bg-fill-info)",
                }}
              />
            </div>
          </div>
        ))}
      </BlockStack>
    </div>
  );
}

const INVERSION_KEYS = {
  enquirer: "board.arrows.inversion.enquirer",
  "first-time-buyer": "board.arrows.inversion.first-time-buyer",
  "repeat-buyer": "board.arrows.inversion.repeat-buyer",
  "regular-buyer": "board.arrows.inversion.regular-buyer",
} as const;

/** What the arrow shows for this shop: the units, and each level larger than the one below it, explained. */
function ManCaption({ man, visitorsMonth }: { man: ManArrow; visitorsMonth: string | null }) {
  const t = useT();
  const locale = useLocale();
  const units =
    man.visitorsFrom === "analytics"
      ? t("board.arrows.man.unitsAnalytics", { month: formatMonth(locale, visitorsMonth) })
      : man.visitorsFrom === "manual"
        ? t("board.arrows.man.unitsManual")
        : t("board.arrows.man.unitsNone");
  return (
    <BlockStack gap="100">
      <div data-testid="man-caption">
        <BlockStack gap="100">
          {man.narrowing ? (
            <Text as="p">{t("board.arrows.man.narrowing")}</Text>
          ) : (
            man.inversions.map((inv) => (
              <Text as="p" key={inv.level}>
                {t(INVERSION_KEYS[inv.level as keyof typeof INVERSION_KEYS], {
                  count: formatNumber(locale, inv.count),
                  below: formatNumber(locale, inv.belowCount),
                })}
              </Text>
            ))
          )}
        </BlockStack>
      </div>
      <Text as="p" variant="bodySm" tone="subdued">
        {`${units} ${t("board.arrows.man.logScale")}`}
      </Text>
    </BlockStack>
  );
}
