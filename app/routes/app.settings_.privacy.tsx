import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { useState } from "react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { cursorParam } from "../http/query.server";
import { parseRowId } from "../domain/ids";
import {
  countPendingDataRequests,
  handedOverDataRequests,
  markDataRequestHandedOver,
  pendingDataRequests,
} from "../models/data-request.server";
import { numericCustomerId } from "../models/customer-list.server";
import { useLocale, useT } from "../i18n/i18n";
import { formatDate, formatDateTime } from "../board/ui/format";
import { downloadAuthenticated } from "../board/ui/download";

const PAGE_SIZE = 25;
const HANDED_OVER_SHOWN = 10;

// Settings → Privacy: the customers/data_request exports the merchant has to hand over, and the record of those done.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const after = cursorParam(url, "after", parseRowId);
  const [pending, total, handedOver] = await Promise.all([
    pendingDataRequests(prisma, session.shop, { after, limit: PAGE_SIZE }),
    countPendingDataRequests(prisma, session.shop),
    handedOverDataRequests(prisma, session.shop, HANDED_OVER_SHOWN),
  ]);
  const summary = (r: {
    id: number;
    customerGid: string;
    requestId: string | null;
    createdAt: Date;
    handedOverAt: Date | null;
  }) => ({
    id: r.id,
    customerId: numericCustomerId(r.customerGid),
    requestId: r.requestId || null,
    requestedAt: r.createdAt.toISOString(),
    handedOverAt: r.handedOverAt?.toISOString() ?? null,
  });
  return {
    pending: pending.rows.map(summary),
    nextAfter: pending.more ? pending.rows[pending.rows.length - 1].id : null,
    paged: after !== null,
    total,
    handedOver: handedOver.map(summary),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const id = parseRowId(String(form.get("id") ?? ""));
  if (form.get("intent") !== "handOver" || id === null) return { ok: false as const, id: null };
  const done = await markDataRequestHandedOver(prisma, session.shop, id, new Date());
  return { ok: done, id };
};

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;
type HandOverFetcher = ReturnType<typeof useFetcher<typeof action>>;

function CustomerLink({ customerId }: { customerId: string }) {
  const t = useT();
  return (
    <Link url={`shopify:admin/customers/${customerId}`} target="_top" removeUnderline>
      {t("customers.customerLabel", { id: customerId })}
    </Link>
  );
}

/** Requests waiting to be handed over: download as JSON or CSV, then mark handed over. */
function PendingRequestsCard({
  loaded,
  handOver,
  onPage,
  onDownload,
}: {
  loaded: Loaded;
  handOver: HandOverFetcher;
  onPage: (after: number | null) => void;
  onDownload: (id: number, customerId: string, format: "json" | "csv") => void;
}) {
  const { pending, nextAfter, paged, total } = loaded;
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  return (
    <Card padding="0">
      <BlockStack>
        <div style={{ padding: "var(--p-space-400)" }}>
          <Text as="h2" variant="headingMd">
            {t("privacy.pending.title", { count: total })}
          </Text>
        </div>
        <IndexTable
          resourceName={{ singular: t("privacy.resource.singular"), plural: t("privacy.resource.plural") }}
          itemCount={pending.length}
          selectable={false}
          loading={navigation.state === "loading"}
          emptyState={<EmptyState heading={t("privacy.pending.empty")} image="" />}
          headings={[
            { title: t("privacy.col.requested") },
            { title: t("privacy.col.customer") },
            { title: t("privacy.col.request") },
            { title: t("privacy.col.actions") },
          ]}
          pagination={
            nextAfter !== null || paged
              ? {
                  hasNext: nextAfter !== null,
                  hasPrevious: paged,
                  onNext: () => onPage(nextAfter),
                  onPrevious: () => onPage(null),
                }
              : undefined
          }
        >
          {pending.map((row, index) => (
            <IndexTable.Row id={String(row.id)} key={row.id} position={index}>
              <IndexTable.Cell>{formatDateTime(locale, row.requestedAt)}</IndexTable.Cell>
              <IndexTable.Cell>
                <CustomerLink customerId={row.customerId} />
              </IndexTable.Cell>
              <IndexTable.Cell>{row.requestId ?? "—"}</IndexTable.Cell>
              <IndexTable.Cell>
                <InlineStack gap="200">
                  <Button size="slim" onClick={() => onDownload(row.id, row.customerId, "json")}>
                    {t("privacy.download.json")}
                  </Button>
                  <Button size="slim" onClick={() => onDownload(row.id, row.customerId, "csv")}>
                    {t("privacy.download.csv")}
                  </Button>
                  <handOver.Form method="post">
                    <input type="hidden" name="intent" value="handOver" />
                    <input type="hidden" name="id" value={row.id} />
                    <Button
                      size="slim"
                      variant="primary"
                      submit
                      loading={handOver.state !== "idle" && handOver.formData?.get("id") === String(row.id)}
                    >
                      {t("privacy.handOver")}
                    </Button>
                  </handOver.Form>
                </InlineStack>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </BlockStack>
    </Card>
  );
}

function HandedOverCard({ handedOver }: { handedOver: Loaded["handedOver"] }) {
  const t = useT();
  const locale = useLocale();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("privacy.handedOver.title")}
        </Text>
        {handedOver.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("privacy.handedOver.empty")}
          </Text>
        ) : (
          handedOver.map((row) => (
            <InlineStack key={row.id} gap="300" align="space-between">
              <CustomerLink customerId={row.customerId} />
              <Text as="span" tone="subdued">
                {t("privacy.handedOver.when", {
                  requested: formatDate(locale, row.requestedAt),
                  handedOver: formatDateTime(locale, row.handedOverAt),
                })}
              </Text>
            </InlineStack>
          ))
        )}
      </BlockStack>
    </Card>
  );
}

export default function Privacy() {
  const loaded = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const [searchParams, setSearchParams] = useSearchParams();
  const handOver = useFetcher<typeof action>();
  const [downloadFailed, setDownloadFailed] = useState(false);

  const download = async (id: number, customerId: string, format: "json" | "csv") => {
    setDownloadFailed(false);
    const ok = await downloadAuthenticated(
      `/app/settings/privacy/${id}?${new URLSearchParams({ format, locale })}`,
      `customer-data-${customerId}.${format}`,
    );
    setDownloadFailed(!ok);
  };
  const page = (after: number | null) => {
    const next = new URLSearchParams(searchParams);
    if (after === null) next.delete("after");
    else next.set("after", String(after));
    setSearchParams(next);
  };

  return (
    <Page title={t("privacy.title")} backAction={{ content: t("nav.settings"), url: "/app/settings" }}>
      <BlockStack gap="400">
        {handOver.data && !handOver.data.ok && <Banner tone="warning">{t("privacy.error.notPending")}</Banner>}
        {handOver.data?.ok && <Banner tone="success">{t("privacy.handedOver.done")}</Banner>}
        {downloadFailed && (
          <Banner tone="critical" onDismiss={() => setDownloadFailed(false)}>
            {t("privacy.error.download")}
          </Banner>
        )}
        <Card>
          <BlockStack gap="200">
            <Text as="p">{t("privacy.intro")}</Text>
            <Text as="p" variant="bodySm" tone="subdued">
              {t("privacy.snapshot")}
            </Text>
          </BlockStack>
        </Card>
        <PendingRequestsCard loaded={loaded} handOver={handOver} onPage={page} onDownload={download} />
        <HandedOverCard handedOver={loaded.handedOver} />
      </BlockStack>
    </Page>
  );
}
