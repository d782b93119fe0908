import type { AdminClient, UserError } from "./admin-client.server";
import { buildFlowTriggerBatchMutation } from "../graphql/FlowTriggerBatchMutation";
import type { StageChangeEvent } from "../domain/sync";

/** The handle of extensions/lifecycle-stage-changed (Flow allows 30 characters). */
export const STAGE_CHANGED_TRIGGER_HANDLE = "lifecycle-stage-changed";

/** The trigger payload: Flow field keys are the toml's keys (letters and spaces), the customer is a reference. */
export function stageChangedPayload(event: StageChangeEvent): Record<string, string | number> {
  const numericId = event.customerGid.split("/").pop()!;
  return {
    customer_id: Number.isSafeInteger(Number(numericId)) ? Number(numericId) : numericId,
    "Previous stage": event.fromStage ?? "",
    "New stage": event.toStage,
    "Winback tier": event.winbackTier == null ? "" : String(event.winbackTier),
    "Days since last order": event.daysSinceLastOrder == null ? 0 : Math.floor(event.daysSinceLastOrder),
  };
}

/** Mutation fields per request: 90 × 10 points stays under Shopify's 1,000-point single-query ceiling. */
export const FLOW_TRIGGERS_PER_REQUEST = 90;

/** Sends a batch of stage changes; returns, per event, null when sent or the error message. */
export async function sendStageChangedBatch(
  client: AdminClient,
  events: readonly StageChangeEvent[],
  requestOptions: { maxAttempts?: number } = {},
): Promise<Array<string | null>> {
  const { document, variables } = buildFlowTriggerBatchMutation(
    STAGE_CHANGED_TRIGGER_HANDLE,
    events.map(stageChangedPayload),
  );
  const { data } = await client.request<Record<string, { userErrors: UserError[] } | null>>(document, variables, {
    estimatedCost: 10 * events.length,
    maxAttempts: requestOptions.maxAttempts,
  });
  return events.map((_, i) => {
    const errors = data[`f${i}`]?.userErrors ?? [];
    return errors.length > 0 ? errors.map((e) => e.message).join("; ") : null;
  });
}
