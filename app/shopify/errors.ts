/**
 * What can go wrong talking to Shopify, as classes thrown where it happens (the Admin client, the request-time
 * requester, bulk operations) and told apart with instanceof, never by reading message text. The message stays
 * technical (operation, status, Shopify's words) for logs and the "details" line; what the merchant reads comes from
 * the class.
 */

export interface ShopifyErrorDetails {
  shop?: string;
  /** The GraphQL operation name, or what was being done ("bulk result download"). */
  operation?: string;
  status?: number;
  /** Shopify's top-level GraphQL errors, as sent. */
  errors?: unknown;
  /** Worth trying again later: throttling, Shopify being unavailable, the network. */
  retryable: boolean;
}

/** Any failed call to Shopify's Admin API. */
export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly details: ShopifyErrorDetails,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

/** Shopify refused the app: an invalid or revoked token (401 after a refresh), 403, or ACCESS_DENIED for a scope. */
export class AccessDeniedError extends AdminApiError {
  constructor(message: string, details: Omit<ShopifyErrorDetails, "retryable">) {
    super(message, { ...details, retryable: false });
    this.name = "AccessDeniedError";
  }
}

/** Shopify kept answering THROTTLED (or 429) until the retries ran out. */
export class ThrottledError extends AdminApiError {
  constructor(message: string, details: Omit<ShopifyErrorDetails, "retryable">) {
    super(message, { ...details, retryable: true });
    this.name = "ThrottledError";
  }
}

/** Shopify answered 5xx until the retries ran out. */
export class TransientHttpError extends AdminApiError {
  constructor(message: string, details: Omit<ShopifyErrorDetails, "retryable">) {
    super(message, { ...details, retryable: true });
    this.name = "TransientHttpError";
  }
}

/** No answer at all: the connection failed or timed out, until the retries ran out. */
export class NetworkError extends AdminApiError {
  constructor(message: string, details: Omit<ShopifyErrorDetails, "retryable">) {
    super(message, { ...details, retryable: true });
    this.name = "NetworkError";
  }
}

export interface UserError {
  field?: readonly string[] | null;
  message: string;
  code?: string | null;
}

/** A mutation answered with userErrors: Shopify understood the request and refused what it asked. */
export class ShopifyUserError extends Error {
  constructor(
    readonly operation: string,
    readonly userErrors: readonly UserError[],
  ) {
    super(
      `${operation}: ${userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ` : "") + e.message).join("; ")}`,
    );
    this.name = "ShopifyUserError";
  }
}

export interface FailedBulkOperation {
  id: string;
  status: string;
  errorCode?: string | null;
}

/** A bulk operation that ended FAILED, CANCELED or EXPIRED. */
export class BulkOperationError extends Error {
  constructor(readonly operation: FailedBulkOperation) {
    super(
      `Bulk operation ${operation.id} ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
    );
    this.name = "BulkOperationError";
  }
}

/** The error class for an HTTP status Shopify answered with (after any retries). */
export function errorForStatus(
  status: number,
  message: string,
  details: Omit<ShopifyErrorDetails, "retryable">,
): AdminApiError {
  if (status === 401 || status === 403) return new AccessDeniedError(message, { ...details, status });
  if (status === 429) return new ThrottledError(message, { ...details, status });
  if (status >= 500) return new TransientHttpError(message, { ...details, status });
  return new AdminApiError(message, { ...details, status, retryable: false });
}

/** The error class for top-level GraphQL errors: ACCESS_DENIED and THROTTLED have their own. */
export function errorForGraphqlErrors(
  errors: ReadonlyArray<{ message?: string; extensions?: { code?: string } }>,
  message: string,
  details: Omit<ShopifyErrorDetails, "retryable" | "errors">,
): AdminApiError {
  const codes = errors.map((e) => e.extensions?.code);
  if (codes.includes("ACCESS_DENIED")) return new AccessDeniedError(message, { ...details, errors });
  if (codes.includes("THROTTLED")) return new ThrottledError(message, { ...details, errors });
  return new AdminApiError(message, { ...details, errors, retryable: false });
}

/** Why an import stopped, in the words the board uses (sync.error.<kind>). */
export const SYNC_ERROR_KINDS = ["access", "throttled", "unavailable", "network", "bulk", "other"] as const;
export type SyncErrorKind = (typeof SYNC_ERROR_KINDS)[number];

export function syncErrorKind(error: unknown): SyncErrorKind {
  if (error instanceof AccessDeniedError) return "access";
  if (error instanceof ThrottledError) return "throttled";
  if (error instanceof TransientHttpError) return "unavailable";
  if (error instanceof NetworkError) return "network";
  if (error instanceof BulkOperationError) return "bulk";
  return "other";
}
