import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { parseStageFilter } from "../models/customer-list.server";
import { customerCsvStream } from "../customers/csv.server";
import { resolveLocale } from "../i18n/locale";

/** CSV of the customers of one stage (or all): a resource route, streamed. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const stage = parseStageFilter(url.searchParams.get("stage"));
  const locale = resolveLocale(url.searchParams.get("locale"), request.headers.get("accept-language"));
  const now = new Date();
  return new Response(customerCsvStream(prisma, session.shop, stage, now, locale), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="customers-${stage}-${now.toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
