import type { ActionFunctionArgs } from "@remix-run/node";
import { SUBSCRIBED_TOPICS } from "../webhooks/topics";
import { receiveWebhook } from "../webhooks/receive.server";

// One route serves every subscription in shopify.app.toml: /webhooks/<topic>, e.g. /webhooks/orders/create.
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const topic = `${params.topic}/${params.action}`;
  if (!(SUBSCRIBED_TOPICS as readonly string[]).includes(topic)) return new Response("Not Found", { status: 404 });
  return receiveWebhook(request, [topic]);
};
