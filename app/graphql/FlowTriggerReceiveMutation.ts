export const FlowTriggerReceiveMutation = `#graphql
  mutation FlowTriggerReceiveMutation($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;
