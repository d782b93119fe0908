/**
 * Several Flow triggers in one request, one aliased flowTriggerReceive each (10 points apiece), so a day on which
 * thousands of customers lapse costs round trips in the tens, not the thousands.
 */
export function buildFlowTriggerBatchMutation(handle: string, payloads: readonly Record<string, unknown>[]) {
  const declarations = ["$handle: String!", ...payloads.map((_, i) => `$p${i}: JSON!`)];
  const fields = payloads.map(
    (_, i) => `f${i}: flowTriggerReceive(handle: $handle, payload: $p${i}) { userErrors { field message } }`,
  );
  const variables: Record<string, unknown> = { handle };
  payloads.forEach((payload, i) => (variables[`p${i}`] = payload));
  return {
    document: `mutation FlowTriggerBatchMutation(${declarations.join(", ")}) {\n  ${fields.join("\n  ")}\n}`,
    variables,
  };
}
