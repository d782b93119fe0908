/**
 * What a service needs from an Admin API client: a GraphQL request that resolves to `{ data }` or throws. The
 * throttled AdminClient (jobs) fits as it is; a request's `admin` (shopify-app-remix) fits through requesterFromAdmin.
 */
export interface GraphqlRequester {
  request<T>(document: string, variables?: Record<string, unknown>): Promise<{ data: T }>;
}

export function requesterFromAdmin(admin: { graphql: (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response> }): GraphqlRequester {
  return {
    async request<T>(document: string, variables?: Record<string, unknown>) {
      const response = await admin.graphql(document, { variables });
      const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
      if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
      return { data: body.data as T };
    },
  };
}
