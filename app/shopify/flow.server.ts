import { assertNoUserErrors, type AdminClient, type UserError } from "./admin-client.server";
import { FlowTriggerReceiveMutation } from "../graphql/FlowTriggerReceiveMutation";
import type { StageChangeEvent } from "../sync/reconcile.server";

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

export async function sendStageChanged(client: AdminClient, event: StageChangeEvent): Promise<void> {
  const { data } = await client.request<{ flowTriggerReceive: { userErrors: UserError[] } }>(FlowTriggerReceiveMutation, {
    handle: STAGE_CHANGED_TRIGGER_HANDLE,
    payload: stageChangedPayload(event),
  });
  assertNoUserErrors("flowTriggerReceive", data.flowTriggerReceive.userErrors);
}
