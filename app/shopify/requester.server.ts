/**
 * What a service needs from an Admin API client: a GraphQL request that resolves to `{ data }` or throws one of
 * app/shopify/errors.ts's classes. The throttled AdminClient (jobs) fits as it is; a request's `admin`
 * (shopify-app-remix) fits through requesterFromAdmin, which turns that library's failures into the same classes.
 */
import { GraphqlQueryError, HttpMaxRetriesError, HttpRequestError } from "@shopify/shopify-api";
import { AdminApiError, errorForGraphqlErrors, errorForStatus, NetworkError, ThrottledError } from "./errors";
import { operationName } from "./admin-client.server";
import type { AdminResponseData, AdminVariablesOf } from "./operations";

export interface GraphqlRequester {
  request<Stated = never, const Document extends string = string>(
    document: Document,
    variables?: AdminVariablesOf<Document>,
  ): Promise<{ data: AdminResponseData<Stated, Document> }>;
}

type GraphqlErrors = Array<{ message: string; extensions?: { code?: string } }>;

/** shopify-app-remix's failures as app/shopify/errors.ts's classes (anything else is passed on as it is). */
function typedError(error: unknown, operation: string): unknown {
  if (error instanceof AdminApiError) return error;
  if (error instanceof GraphqlQueryError) {
    const errors = (error.body?.errors?.graphQLErrors ?? []) as GraphqlErrors;
    return errorForGraphqlErrors(errors, `${operation}: ${error.message}`, { operation });
  }
  // shopify-app-remix answers an HTTP error from Shopify by throwing a Response with Shopify's status.
  if (error instanceof Response)
    return errorForStatus(error.status, `${operation}: HTTP ${error.status}`, { operation });
  if (error instanceof HttpMaxRetriesError) return new ThrottledError(`${operation}: ${error.message}`, { operation });
  if (error instanceof HttpRequestError) return new NetworkError(`${operation}: ${error.message}`, { operation });
  return error;
}

export function requesterFromAdmin(admin: {
  graphql: (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;
}): GraphqlRequester {
  return {
    async request<Stated = never, const Document extends string = string>(
      document: Document,
      variables?: AdminVariablesOf<Document>,
    ) {
      const operation = operationName(document);
      let body: { data?: AdminResponseData<Stated, Document>; errors?: GraphqlErrors };
      try {
        body = (await (
          await admin.graphql(document, { variables: variables as Record<string, unknown> | undefined })
        ).json()) as typeof body;
      } catch (error) {
        throw typedError(error, operation);
      }
      if (body.errors?.length)
        throw errorForGraphqlErrors(body.errors, `${operation}: ${body.errors.map((e) => e.message).join("; ")}`, {
          operation,
        });
      return { data: body.data as AdminResponseData<Stated, Document> };
    },
  };
}
