import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { parseRowId } from "../domain/ids";
import { readDataRequest } from "../models/data-request.server";
import { dataRequestCsv, dataRequestJson } from "../privacy/export";
import { resolveLocale } from "../i18n/locale";
import { translate } from "../i18n/translate";

/** A customer data request's stored rows as a download (resource route): /app/settings/privacy/<id>?format=json|csv */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const format = url.searchParams.get("format") ?? "json";
  const id = parseRowId(params.id ?? "");
  if (id === null || (format !== "json" && format !== "csv")) return new Response("Bad Request", { status: 400 });
  // Scoped by the session's shop: another shop's id is simply not found.
  const found = await readDataRequest(prisma, session.shop, id);
  if (!found) return new Response("Not Found", { status: 404 });

  const file = {
    customerGid: found.customerGid,
    requestId: found.requestId,
    requestedAt: found.createdAt,
    data: found.data,
  };
  const locale = resolveLocale(url.searchParams.get("locale"), request.headers.get("accept-language"));
  const header = (["table", "row", "field", "value"] as const).map((k) => translate(locale, `privacy.csv.${k}`)) as [
    string,
    string,
    string,
    string,
  ];
  const name = `customer-data-${found.customerGid.slice(found.customerGid.lastIndexOf("/") + 1)}-${found.createdAt.toISOString().slice(0, 10)}.${format}`;
  return new Response(format === "json" ? dataRequestJson(file) : dataRequestCsv(file, header), {
    headers: {
      "Content-Type": format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
};
