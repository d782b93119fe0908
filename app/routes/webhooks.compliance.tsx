import type { ActionFunctionArgs } from "@remix-run/node";
import { COMPLIANCE_TOPICS } from "../webhooks/topics";
import { receiveWebhook } from "../webhooks/receive.server";

// customers/data_request, customers/redact and shop/redact share one address (compliance_topics in the toml).
export const action = async ({ request }: ActionFunctionArgs) => receiveWebhook(request, COMPLIANCE_TOPICS);
