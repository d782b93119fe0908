/** Shopify's analytics on the board: visitors, new subscribers and profit per visitor per month; traffic by kind. */
import { Banner, BlockStack, Card, DataTable, InlineStack, List, Text } from "@shopify/polaris";
import { useLocale, useT } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import type { ShopAnalyticsView } from "../../analytics/shop-analytics.server";
import type { KindFigures } from "../../analytics/metrics";
import { formatDateTime, formatMoney, formatMonth, formatNumber, formatPercent } from "./format";

export function kindLabel(
  t: (key: MessageKey, values?: Record<string, string | number>) => string,
  kind: string,
): string {
  return kind === "not-stage-1" || kind === "unattributed"
    ? t(`analytics.kind.${kind}`)
    : t(`kind.${kind}` as MessageKey);
}

/** Visitors of the month by kind of traffic (Stage 1's three kinds, then email and unattributed). */
export function VisitorKinds({ kinds, month }: { kinds: KindFigures[]; month: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div data-testid="stage1-kinds">
      <BlockStack gap="100">
        <Text as="p" variant="bodySm" tone="subdued">
          {t("analytics.kinds.title", { month: formatMonth(locale, month) })}
        </Text>
        <InlineStack gap="300" wrap>
          {kinds.map((k) => (
            <Text as="span" key={k.kind} variant="bodySm">
              {`${kindLabel(t, k.kind)}: ${formatNumber(locale, k.visitors)}${k.share != null ? ` (${formatPercent(locale, k.share)})` : ""}`}
            </Text>
          ))}
        </InlineStack>
      </BlockStack>
    </div>
  );
}

export function AnalyticsErrors({ analytics }: { analytics: ShopAnalyticsView }) {
  const t = useT();
  const e = analytics.errors;
  const lines = (
    [
      ["analytics.error.sessions", e.sessions],
      ["analytics.error.traffic", e.traffic],
      ["analytics.error.sales", e.sales],
      ["analytics.error.firstVisit", e.firstVisit],
    ] as const
  ).filter(([, message]) => message);
  if (lines.length === 0) return null;
  return (
    <div data-testid="analytics-errors">
      <Banner tone="warning" title={t("analytics.error.title")}>
        <List type="bullet">
          {lines.map(([key, message]) => (
            <List.Item key={key}>{t(key, { message: message! })}</List.Item>
          ))}
        </List>
      </Banner>
    </div>
  );
}

/** Profit (or sales) per visitor by the kind of visit that first brought them. */
function ValueByFirstVisit({
  byKind,
  money,
}: {
  byKind: ShopAnalyticsView["summary"]["gpv"]["byFirstVisitKind"];
  money: (minor: number | null) => string;
}) {
  const t = useT();
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="headingSm">
        {t("analytics.byFirstVisit.title")}
      </Text>
      {byKind ? (
        <div data-testid="gpv-by-first-visit">
          <InlineStack gap="400" wrap>
            {byKind.map((k) => (
              <Text as="span" key={k.kind}>
                {`${kindLabel(t, k.kind)}: ${money(k.perVisitorMinor)}`}
              </Text>
            ))}
          </InlineStack>
        </div>
      ) : (
        <Text as="p" tone="subdued">
          {t("analytics.byFirstVisit.none")}
        </Text>
      )}
    </BlockStack>
  );
}

export function AnalyticsCard({
  analytics,
  currencyCode,
}: {
  analytics: ShopAnalyticsView;
  currencyCode: string | null;
}) {
  const t = useT();
  const locale = useLocale();
  const s = analytics.summary;
  const gross = s.profitBasis === "grossProfit";
  const money = (minor: number | null) => (minor == null ? "–" : formatMoney(locale, minor, currencyCode));
  // A month still running has a few days of visitors against whatever sold so far: its rates would mislead
  // (a first week's profit per visitor can be ten times a whole month's), so they wait until it ends.
  const rows = [...s.months]
    .reverse()
    .map((m) => [
      m.complete ? formatMonth(locale, m.month) : t("analytics.soFar", { month: formatMonth(locale, m.month) }),
      m.visitors == null ? "–" : formatNumber(locale, m.visitors),
      m.subscribers == null ? "–" : formatNumber(locale, m.subscribers),
      !m.complete || m.signupRate == null ? "–" : formatPercent(locale, m.signupRate),
      m.complete ? money(m.perVisitorMinor) : "–",
    ]);
  const running = s.months.find((m) => !m.complete);
  return (
    <Card>
      <div data-testid="analytics-card">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("analytics.title")}
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {t("analytics.source", { date: formatDateTime(locale, analytics.fetchedAt) })}
          </Text>
          <AnalyticsErrors analytics={analytics} />
          <Text as="p" tone={gross ? undefined : "caution"}>
            <span data-testid="profit-basis">
              {t(gross ? "analytics.basis.grossProfit" : "analytics.basis.netSales", {
                coverage: formatPercent(locale, s.costCoverage ?? 0),
              })}
            </span>
          </Text>
          {rows.length > 0 && (
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
              headings={[
                t("analytics.col.month"),
                t("analytics.col.visitors"),
                t("analytics.col.subscribers"),
                t("analytics.col.signupRate"),
                t(gross ? "analytics.col.gpv" : "analytics.col.npv"),
              ]}
              rows={rows}
            />
          )}
          {running && (
            <Text as="p" variant="bodySm" tone="subdued">
              <span data-testid="partial-month">
                {t("analytics.partialMonth", { month: formatMonth(locale, running.month) })}
              </span>
            </Text>
          )}
          <ValueByFirstVisit byKind={s.gpv.byFirstVisitKind} money={money} />
          {s.stage1.unmapped.length > 0 && (
            <Text as="p" variant="bodySm" tone="subdued">
              {t("analytics.unmapped", { sources: s.stage1.unmapped.join(", ") })}
            </Text>
          )}
        </BlockStack>
      </div>
    </Card>
  );
}
