import type { LoaderFunctionArgs, SerializeFrom } from "@remix-run/node";
import { useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Select,
  Text,
  type IndexTableProps,
} from "@shopify/polaris";
import { useState, type ReactNode } from "react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { cursorParam } from "../http/query.server";
import {
  listCustomers,
  parseCursorFor,
  parseCustomerSort,
  parseStageFilter,
  readShopCurrency,
  type CustomerListRow,
  type CustomerSort,
} from "../models/customer-list.server";
import { readShopPrediction } from "../models/prediction.server";
import { predictionReason } from "../board/prediction-reason";
import { STAGES } from "../lifecycle";
import { explain } from "../i18n/explain";
import { useLocale, useT } from "../i18n/i18n";
import type { Locale } from "../i18n/locale";
import type { MessageKey } from "../i18n/messages";
import type { MessageValues } from "../i18n/translate";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../board/ui/format";
import { downloadAuthenticated } from "../board/ui/download";
import { CUSTOMER_COLUMNS, PREDICTED_COLUMN_INDEX, type CustomerColumnId } from "../customers/columns";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const stage = parseStageFilter(url.searchParams.get("stage"));
  const prediction = await readShopPrediction(prisma, session.shop);
  // Sorting by predicted value only while there are predictions the app stands behind.
  const sort: CustomerSort = prediction?.status === "ok" ? parseCustomerSort(url.searchParams.get("sort")) : "stage";
  const [page, currencyCode] = await Promise.all([
    listCustomers(prisma, session.shop, {
      stage,
      sort,
      after: cursorParam(url, "after", (value) => parseCursorFor(sort, value)),
      before: cursorParam(url, "before", (value) => parseCursorFor(sort, value)),
      now: new Date(),
    }),
    readShopCurrency(prisma, session.shop),
  ]);
  return {
    stage,
    sort,
    page,
    currencyCode,
    prediction: prediction && {
      status: prediction.status,
      fittedAt: prediction.fittedAt,
      buyers: prediction.buyers,
      reason: predictionReason(prediction),
    },
  };
};

type LoaderData = SerializeFrom<typeof loader>;
type T = (key: MessageKey, values?: MessageValues) => string;

/** Headings wrap (long ones in Dutch and Japanese) instead of widening the table past the page. */
const HEADING_WIDTH = 104;
const EXPLANATION_MIN_WIDTH = 200;

function Numeric({ children, missing = false }: { children: ReactNode; missing?: boolean }) {
  return (
    <Text as="p" alignment="end" numeric tone={missing ? "subdued" : undefined}>
      {children}
    </Text>
  );
}

/** One renderer per column of app/customers/columns.ts (the CSV export has the same columns). */
function cellRenderers(
  t: T,
  locale: Locale,
  currencyCode: string | null,
): Record<CustomerColumnId, (row: CustomerListRow) => ReactNode> {
  return {
    customer: (row) => (
      <Link
        url={`shopify:admin/customers/${row.customerId}`}
        target="_top"
        removeUnderline
        accessibilityLabel={t("customers.customerLabel", { id: row.customerId })}
      >
        {row.customerId}
      </Link>
    ),
    stage: (row) => (
      <div style={{ whiteSpace: "normal", minWidth: EXPLANATION_MIN_WIDTH }}>
        <BlockStack gap="100">
          <InlineStack gap="100">
            {row.stage && <Badge>{t(`stage.${row.stage}`)}</Badge>}
            {row.winbackTier != null && (
              <Badge tone="attention">{t("customers.winbackTier", { tier: row.winbackTier })}</Badge>
            )}
          </InlineStack>
          <Text as="p" variant="bodySm" tone="subdued">
            {explain(row.explanation, locale)}
          </Text>
        </BlockStack>
      </div>
    ),
    daysSince: (row) => (
      <Numeric missing={row.daysSinceLastOrder == null}>
        {row.daysSinceLastOrder == null ? "—" : formatNumber(locale, row.daysSinceLastOrder)}
      </Numeric>
    ),
    orders: (row) => <Numeric>{formatNumber(locale, row.qualifyingOrders)}</Numeric>,
    netSpent: (row) => <Numeric>{formatMoney(locale, Number(row.netSpentMinor), currencyCode)}</Numeric>,
    predicted: (row) => (
      <Numeric missing={row.predictedValueMinor == null}>
        {row.predictedValueMinor == null ? "—" : formatMoney(locale, Number(row.predictedValueMinor), currencyCode)}
      </Numeric>
    ),
    alive: (row) => (
      <Numeric missing={row.probabilityAlive == null}>
        {row.probabilityAlive == null ? "—" : formatPercent(locale, row.probabilityAlive)}
      </Numeric>
    ),
  };
}

function CustomerTable({ data, go }: { data: LoaderData; go: (changes: Record<string, string | null>) => void }) {
  const { page, sort, currencyCode, prediction } = data;
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const cells = cellRenderers(t, locale, currencyCode);
  const headings = CUSTOMER_COLUMNS.map((column) => ({
    id: column.id,
    title: (
      <span
        data-heading={column.id}
        style={{
          display: "inline-block",
          whiteSpace: "normal",
          maxWidth: column.id === "stage" ? undefined : HEADING_WIDTH,
        }}
      >
        {t(column.title)}
      </span>
    ),
    alignment: column.numeric ? ("end" as const) : ("start" as const),
    tooltipContent: "help" in column ? t(column.help) : undefined,
  })) as IndexTableProps["headings"];
  return (
    <IndexTable
      resourceName={{ singular: t("customers.resource.singular"), plural: t("customers.resource.plural") }}
      itemCount={page.rows.length}
      selectable={false}
      loading={navigation.state === "loading"}
      emptyState={
        <EmptyState heading={t("customers.empty.title")} image="">
          {t("customers.empty.body")}
        </EmptyState>
      }
      headings={headings}
      sortable={CUSTOMER_COLUMNS.map((_, index) => index === PREDICTED_COLUMN_INDEX && prediction?.status === "ok")}
      sortColumnIndex={sort === "stage" ? undefined : PREDICTED_COLUMN_INDEX}
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
      {page.rows.map((row, index) => (
        <IndexTable.Row id={String(row.id)} key={row.id} position={index}>
          {CUSTOMER_COLUMNS.map((column) => (
            <IndexTable.Cell key={column.id}>{cells[column.id](row)}</IndexTable.Cell>
          ))}
        </IndexTable.Row>
      ))}
    </IndexTable>
  );
}

function CustomerFilters({ data, go }: { data: LoaderData; go: (changes: Record<string, string | null>) => void }) {
  const { stage, sort, page, prediction } = data;
  const t = useT();
  const locale = useLocale();
  const predicting = prediction?.status === "ok";
  const sortOptions = [
    { label: t("customers.sort.stage"), value: "stage" },
    { label: t("customers.sort.value-desc"), value: "value-desc", disabled: !predicting },
    { label: t("customers.sort.value-asc"), value: "value-asc", disabled: !predicting },
  ];
  const stageOptions = [
    { label: t("customers.filter.all"), value: "all" },
    ...STAGES.map((s) => ({ label: t(`stage.${s}`), value: s })),
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="end" gap="400">
          <InlineStack gap="300" blockAlign="end">
            <div style={{ minWidth: 260 }}>
              <Select
                label={t("customers.filter.label")}
                options={stageOptions}
                value={stage}
                onChange={(value) => go({ stage: value === "all" ? null : value })}
              />
            </div>
            <div style={{ minWidth: 240 }}>
              <Select
                label={t("customers.sort.label")}
                options={sortOptions}
                value={sort}
                onChange={(value) => go({ sort: value === "stage" ? null : value })}
              />
            </div>
          </InlineStack>
          <Text as="p" tone="subdued">
            {t("customers.total", { count: page.total })}
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
            {t("customers.prediction.ok", { buyers: prediction.buyers, date: formatDate(locale, prediction.fittedAt) })}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

export default function Customers() {
  const data = useLoaderData<typeof loader>();
  const { stage, page, prediction } = data;
  const t = useT();
  const locale = useLocale();
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
    const ok = await downloadAuthenticated(
      `/app/customers/export?${new URLSearchParams({ stage, locale })}`,
      `customers-${stage}-${new Date().toISOString().slice(0, 10)}.csv`,
    );
    setExporting(false);
    setExportFailed(!ok);
  };

  return (
    <Page
      title={t("customers.title")}
      backAction={{ content: t("nav.board"), url: "/app" }}
      primaryAction={{
        content: t("customers.export"),
        onAction: exportCsv,
        loading: exporting,
        disabled: page.total === 0,
      }}
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
        <CustomerFilters data={data} go={go} />
        <Card padding="0">
          <CustomerTable data={data} go={go} />
        </Card>
      </BlockStack>
    </Page>
  );
}
