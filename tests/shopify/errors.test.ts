import { describe, expect, it } from "vitest";
import { GraphqlQueryError, HttpMaxRetriesError, HttpRequestError } from "@shopify/shopify-api";
import { AdminClient } from "../../app/shopify/admin-client.server";
import { requesterFromAdmin } from "../../app/shopify/requester.server";
import {
  AccessDeniedError,
  AdminApiError,
  BulkOperationError,
  NetworkError,
  ShopifyUserError,
  syncErrorKind,
  ThrottledError,
  TransientHttpError,
} from "../../app/shopify/errors";

const QUERY = "query ShopQuery { shop { name } }";

/** An Admin endpoint that answers every request the same way. */
function answering(answer: () => Response | Promise<Response>): typeof fetch {
  return (async () => answer()) as unknown as typeof fetch;
}

function client(fetchImpl: typeof fetch, maxAttempts = 3) {
  return new AdminClient({
    shop: "errors.myshopify.com",
    endpoint: "https://errors.myshopify.com/admin/api/2026-10/graphql.json",
    accessToken: async () => "token",
    fetch: fetchImpl,
    maxAttempts,
    sleep: async () => {},
  });
}

describe("the Admin client throws a class per kind of failure, at the source", () => {
  it("401 after a fresh token, and 403, are AccessDeniedError", async () => {
    await expect(client(answering(() => new Response("{}", { status: 401 }))).request(QUERY)).rejects.toBeInstanceOf(
      AccessDeniedError,
    );
    await expect(client(answering(() => new Response("{}", { status: 403 }))).request(QUERY)).rejects.toBeInstanceOf(
      AccessDeniedError,
    );
  });

  it("a GraphQL ACCESS_DENIED (a missing scope) is AccessDeniedError, and not retried", async () => {
    let calls = 0;
    const denied = answering(() => {
      calls++;
      return Response.json({
        errors: [{ message: "Access denied for shopifyqlQuery field.", extensions: { code: "ACCESS_DENIED" } }],
      });
    });
    const error = await client(denied)
      .request(QUERY)
      .catch((e) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error.details).toMatchObject({ retryable: false, operation: "ShopQuery", shop: "errors.myshopify.com" });
    expect(calls).toBe(1);
  });

  it("THROTTLED until the retries run out is ThrottledError; 5xx is TransientHttpError; no answer is NetworkError", async () => {
    const throttled = answering(() =>
      Response.json({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: {
          cost: {
            requestedQueryCost: 10,
            actualQueryCost: null,
            throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 },
          },
        },
      }),
    );
    await expect(client(throttled).request(QUERY)).rejects.toBeInstanceOf(ThrottledError);
    await expect(client(answering(() => new Response("", { status: 503 }))).request(QUERY)).rejects.toBeInstanceOf(
      TransientHttpError,
    );
    await expect(client(answering(() => new Response("", { status: 429 }))).request(QUERY)).rejects.toBeInstanceOf(
      ThrottledError,
    );
    const offline = (async () => {
      throw new TypeError("fetch failed");
    }) as unknown as typeof fetch;
    await expect(client(offline).request(QUERY)).rejects.toBeInstanceOf(NetworkError);
  });

  it("other GraphQL errors and 4xx are plain AdminApiError, not retryable", async () => {
    const misspelt = answering(() =>
      Response.json({ errors: [{ message: "Field 'nmae' doesn't exist on type 'Shop'" }] }),
    );
    const error = await client(misspelt)
      .request(QUERY)
      .catch((e) => e);
    expect(error.constructor).toBe(AdminApiError);
    expect(error.details.retryable).toBe(false);
    const notFound = await client(answering(() => new Response("", { status: 404 })))
      .request(QUERY)
      .catch((e) => e);
    expect(notFound.constructor).toBe(AdminApiError);
  });
});

describe("a request's admin (shopify-app-remix) fails with the same classes", () => {
  const failing = (error: unknown) => requesterFromAdmin({ graphql: async () => Promise.reject(error) });

  it("shopify-api's GraphqlQueryError with ACCESS_DENIED or THROTTLED", async () => {
    const body = (code: string) => ({ errors: { graphQLErrors: [{ message: "no", extensions: { code } }] } });
    const denied = new GraphqlQueryError({ message: "Access denied", response: {}, body: body("ACCESS_DENIED") });
    await expect(failing(denied).request(QUERY)).rejects.toBeInstanceOf(AccessDeniedError);
    const throttled = new GraphqlQueryError({ message: "Throttled", response: {}, body: body("THROTTLED") });
    await expect(failing(throttled).request(QUERY)).rejects.toBeInstanceOf(ThrottledError);
  });

  it("the Response shopify-app-remix throws for an HTTP error, and shopify-api's network and retry errors", async () => {
    await expect(failing(new Response("{}", { status: 401 })).request(QUERY)).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(failing(new Response("{}", { status: 502 })).request(QUERY)).rejects.toBeInstanceOf(
      TransientHttpError,
    );
    await expect(failing(new HttpRequestError("no response")).request(QUERY)).rejects.toBeInstanceOf(NetworkError);
    await expect(failing(new HttpMaxRetriesError("retries")).request(QUERY)).rejects.toBeInstanceOf(ThrottledError);
  });

  it("errors in a successful response's body", async () => {
    const admin = {
      graphql: async () =>
        Response.json({ errors: [{ message: "Access denied", extensions: { code: "ACCESS_DENIED" } }] }),
    };
    await expect(requesterFromAdmin(admin).request(QUERY)).rejects.toBeInstanceOf(AccessDeniedError);
  });
});

describe("why an import stopped, from the class alone", () => {
  it("each class has its kind, whatever its message says", () => {
    const details = { operation: "CustomersBulkQuery" };
    expect(syncErrorKind(new AccessDeniedError("throttled? no", details))).toBe("access");
    expect(syncErrorKind(new ThrottledError("HTTP 401? no", details))).toBe("throttled");
    expect(syncErrorKind(new TransientHttpError("x", details))).toBe("unavailable");
    expect(syncErrorKind(new NetworkError("x", details))).toBe("network");
    expect(
      syncErrorKind(
        new BulkOperationError({
          id: "gid://shopify/BulkOperation/1",
          status: "FAILED",
          errorCode: "INTERNAL_SERVER_ERROR",
        }),
      ),
    ).toBe("bulk");
    expect(syncErrorKind(new ShopifyUserError("tagsAdd", [{ message: "access denied" }]))).toBe("other");
    // A message that merely mentions access is not an access error.
    expect(syncErrorKind(new Error("HTTP 401 access denied, throttled, timed out"))).toBe("other");
  });
});
