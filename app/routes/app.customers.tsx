import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, EmptyState, IndexTable, InlineStack, Link, Page, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { cursorParam } from "../http/query.server";
import { listCustomers, parseCursorFor, parseCustomerSort, parseStageFilter, type CustomerSort } from "../models/customer-list.server";
import { predictionReason, readShopPrediction } from "../models/prediction.server";
import { explain, STAGES } from "../lifecycle";
import { useLocale, useT } from "../i18n/i18n";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../board/ui/format";
import { downloadAuthenticated } from "../board/ui/download";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const stage = parseStageFilter(url.searchParams.get("stage"));
  const prediction = await readShopPrediction(prisma, session.shop);
  // Sorting by predicted value only while there are predictions the app stands behind.
  const sort: CustomerSort = prediction?.status === "ok" ? parseCustomerSort(url.searchParams.get("sort")) : "stage";
  const [page, shop] = await Promise.all([
    listCustomers(prisma, session.shop, {
      stage,
      sort,
      after: cursorParam(url, "after", (value) => parseCursorFor(sort, value)),
      before: cursorParam(url, "before", (value) => parseCursorFor(sort, value)),
      now: new Date(),
    }),
    prisma.shop.findUnique({ where: { domain: session.shop }, select: { currencyCode: true } }),
  ]);
  return {
    stage,
    sort,
    page,
    currencyCode: shop?.currencyCode ?? null,
    prediction: prediction && { status: prediction.status, fittedAt: prediction.fittedAt, buyers: prediction.buyers, reason: predictionReason(prediction) },
  };
};

export default function Customers() {
  const { stage, sort, page, currencyCode, prediction } = useLoaderData<typeof loader>();
  const predicting = prediction?.status === "ok";
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const [searchParams, setSearchParams] = useSearchParams();
  const [exporting, setExporting] = useState(false);
  const [exportFailed, setExportFailed] = useState(false);

  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(searchParams);
    for (const name of ["after", "before"]) next.delete(name);
    for (const [name, value] of Object.entries(changes)) {
      if (value == null) next.delete(name);
      else next.set(name, value);
    }
    setSearchParams(next);
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportFailed(false);
    const ok = await downloadAuthenticated(`/app/customers/export?${new URLSearchParams({ stage, locale })}`, `customers-${stage}-${new Date().toISOString().slice(0, 10)}.csv`);
    setExporting(false);
    setExportFailed(!ok);
  };

  const sortOptions = [
    { label: t("customers.sort.stage"), value: "stage" },
    { label: t("customers.sort.value-desc"), value: "value-desc", disabled: !predicting },
    { label: t("customers.sort.value-asc"), value: "value-asc", disabled: !predicting },
  ];
  const PREDICTED_COLUMN = 6;

  const stageOptions = [
    { label: t("customers.filter.all"), value: "all" },
    ...STAGES.map((s) => ({ label: t(`stage.${s}`), value: s })),
  ];

  const rows = page.rows.map((row, index) => (
    <IndexTable.Row id={String(row.id)} key={row.id} position={index}>
      <IndexTable.Cell>
        <Link url={`shopify:admin/customers/${row.customerId}`} target="_top" removeUnderline>
          {t("customers.customerLabel", { id: row.customerId })}
        </Link>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <InlineStack gap="100">
          {row.stage && <Badge>{t(`stage.${row.stage}`)}</Badge>}
          {row.winbackTier != null && <Badge tone="attention">{t("customers.winbackTier", { tier: row.winbackTier })}</Badge>}
        </InlineStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div style={{ whiteSpace: "normal", minWidth: 280 }}>
          <Text as="span" variant="bodySm">
            {explain(row.explanation, locale)}
          </Text>
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" numeric>
          {row.daysSinceLastOrder == null ? t("customers.noOrders") : formatNumber(locale, row.daysSinceLastOrder)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" numeric>
          {formatNumber(locale, row.qualifyingOrders)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" numeric>
          {formatMoney(locale, Number(row.netSpentMinor), currencyCode)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" numeric tone={row.predictedValueMinor == null ? "subdued" : undefined}>
          {row.predictedValueMinor == null ? "—" : formatMoney(locale, Number(row.predictedValueMinor), currencyCode)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" numeric tone={row.probabilityAlive == null ? "subdued" : undefined}>
          {row.probabilityAlive == null ? "—" : formatPercent(locale, row.probabilityAlive)}
        </Text>
      </IndexTable.Cell>
    </IndexTable.Row>
  ));

  return (
    <Page
      title={t("customers.title")}
      backAction={{ content: t("nav.board"), url: "/app" }}
      primaryAction={{ content: t("customers.export"), onAction: exportCsv, loading: exporting, disabled: page.total === 0 }}
    >
      <BlockStack gap="400">
        {prediction?.status === "insufficient" && (
          <Banner tone="info" title={t("prediction.insufficient.title")}>
            <BlockStack gap="100">
              {prediction.reason && <Text as="p">{t(prediction.reason.key, prediction.reason.values)}</Text>}
              <Text as="p">{t("prediction.fallback")}</Text>
            </BlockStack>
          </Banner>
        )}
        {exportFailed && (
          <Banner tone="critical" onDismiss={() => setExportFailed(false)}>
            {t("customers.exportFailed")}
          </Banner>
        )}
        <Card>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="end" gap="400">
              <InlineStack gap="300" blockAlign="end">
                <div style={{ minWidth: 260 }}>
                  <Select label={t("customers.filter.label")} options={stageOptions} value={stage} onChange={(value) => go({ stage: value === "all" ? null : value })} />
                </div>
                <div style={{ minWidth: 240 }}>
                  <Select label={t("customers.sort.label")} options={sortOptions} value={sort} onChange={(value) => go({ sort: value === "stage" ? null : value })} />
                </div>
              </InlineStack>
              <Text as="p" tone="subdued">
                {t("customers.total", { count: formatNumber(locale, page.total) })}
              </Text>
            </InlineStack>
            <Text as="p" variant="bodySm" tone="subdued">
              {t("customers.privacy")}
            </Text>
            {prediction == null && (
              <Text as="p" variant="bodySm" tone="subdued">
                {t("customers.prediction.pending")}
              </Text>
            )}
            {prediction?.status === "ok" && (
              <Text as="p" variant="bodySm" tone="subdued">
                {t("customers.prediction.ok", { buyers: formatNumber(locale, prediction.buyers), date: formatDate(locale, prediction.fittedAt) })}
              </Text>
            )}
          </BlockStack>
        </Card>
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: t("customers.resource.singular"), plural: t("customers.resource.plural") }}
            itemCount={page.rows.length}
            selectable={false}
            loading={navigation.state === "loading"}
            emptyState={<EmptyState heading={t("customers.empty.title")} image="">{t("customers.empty.body")}</EmptyState>}
            headings={[
              { title: t("customers.col.customer") },
              { title: t("customers.col.stage") },
              { title: t("customers.col.explanation") },
              { title: t("customers.col.daysSince"), alignment: "end" },
              { title: t("customers.col.orders"), alignment: "end" },
              { title: t("customers.col.netSpent"), alignment: "end" },
              { title: t("customers.col.predicted"), alignment: "end" },
              { title: t("customers.col.alive"), alignment: "end" },
            ]}
            sortable={[false, false, false, false, false, false, predicting, false]}
            sortColumnIndex={sort === "stage" ? undefined : PREDICTED_COLUMN}
            sortDirection={sort === "value-asc" ? "ascending" : "descending"}
            defaultSortDirection="descending"
            onSort={(_index, direction) => go({ sort: direction === "ascending" ? "value-asc" : "value-desc" })}
            pagination={{
              hasNext: page.nextAfter != null,
              hasPrevious: page.previousBefore != null,
              onNext: () => go({ after: page.nextAfter }),
              onPrevious: () => go({ before: page.previousBefore }),
              nextTooltip: t("customers.next"),
              previousTooltip: t("customers.previous"),
            }}
          >
            {rows}
          </IndexTable>
        </Card>
      </BlockStack>
    </Page>
  );
}
