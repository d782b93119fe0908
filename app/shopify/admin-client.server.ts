import { ClientError, GraphQLClient } from "graphql-request";
import {
  errorForGraphqlErrors,
  errorForStatus,
  NetworkError,
  ShopifyUserError,
  ThrottledError,
  type UserError,
} from "./errors";
import type { AdminResponseData, AdminVariablesOf } from "./operations";

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface AdminResult<T> {
  data: T;
  cost: QueryCost | null;
}

export { AdminApiError, ShopifyUserError, type UserError } from "./errors";

/** Throws ShopifyUserError when a mutation payload reports userErrors. */
export function assertNoUserErrors(operation: string, userErrors: readonly UserError[] | null | undefined): void {
  if (userErrors && userErrors.length > 0) throw new ShopifyUserError(operation, userErrors);
}

/** A mutation's payload (nullable in the schema) without userErrors: a missing payload is a stated failure, not a crash on one of its fields. */
export function mutationPayload<Payload extends { userErrors: readonly UserError[] }>(
  operation: string,
  payload: Payload | null | undefined,
): Payload {
  if (!payload) throw new Error(`${operation}: Shopify returned no payload`);
  assertNoUserErrors(operation, payload.userErrors);
  return payload;
}

export interface AdminClientOptions {
  shop: string;
  endpoint: string;
  /** Returns a valid offline token; `refresh` asks for a new one after a 401. */
  accessToken: (refresh: boolean) => Promise<string>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  maxAttempts?: number;
  timeoutMs?: number;
  log?: (entry: {
    shop: string;
    operation: string;
    requested: number;
    actual: number | null;
    available: number;
    waitedMs: number;
  }) => void;
}

export interface AdminRequestOptions {
  /** What the operation will cost, when known before the first call (e.g. n aliased mutations × 10). */
  estimatedCost?: number;
  /** Fewer attempts than the client's default, for work that is retried later anyway and must not hold others up. */
  maxAttempts?: number;
}

const DEFAULT_BUCKET: ThrottleStatus = { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 };

/**
 * The Admin GraphQL client for work outside a request (jobs, backfill). It keeps a model of the shop's leaky
 * bucket from every response's throttleStatus and waits before a request the bucket could not pay for, so normal
 * operation never meets THROTTLED; THROTTLED, 5xx, timeouts and network errors are retried with backoff and jitter.
 * Requests are serialized per client: one bucket, one queue.
 */
export class AdminClient {
  private bucket: ThrottleStatus = { ...DEFAULT_BUCKET };
  private bucketAt = 0;
  private readonly costByOperation = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private token: string | null = null;
  readonly stats = { requests: 0, throttled: 0, retries: 0, pointsUsed: 0, waitedMs: 0 };

  constructor(private readonly options: AdminClientOptions) {}

  request<Stated = never, const Document extends string = string>(
    document: Document,
    variables?: AdminVariablesOf<Document>,
    requestOptions: AdminRequestOptions = {},
  ): Promise<AdminResult<AdminResponseData<Stated, Document>>> {
    const run = this.queue.then(() =>
      this.send<AdminResponseData<Stated, Document>>(
        document,
        variables as Record<string, unknown> | undefined,
        requestOptions,
      ),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Points available now according to the last throttleStatus and the restore rate. */
  availableAt(now: number): number {
    const elapsedSeconds = Math.max(0, now - this.bucketAt) / 1000;
    return Math.min(
      this.bucket.maximumAvailable,
      this.bucket.currentlyAvailable + elapsedSeconds * this.bucket.restoreRate,
    );
  }

  /** What a request of this document is expected to cost: the last one's real cost, or the estimate given. */
  expectedCost(document: string, estimatedCost?: number): number {
    return estimatedCost ?? this.costByOperation.get(operationName(document)) ?? 50;
  }

  /** Whether the bucket pays for `points` now, without waiting. */
  canAffordNow(points: number): boolean {
    return this.availableAt((this.options.now ?? Date.now)()) >= Math.min(points, this.bucket.maximumAvailable);
  }

  get throttleStatus(): ThrottleStatus {
    return { ...this.bucket };
  }

  private async send<T>(
    document: string,
    variables: Record<string, unknown> | undefined,
    requestOptions: AdminRequestOptions,
  ): Promise<AdminResult<T>> {
    const operation = operationName(document);
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const random = this.options.random ?? Math.random;
    const maxAttempts = Math.min(requestOptions.maxAttempts ?? Infinity, this.options.maxAttempts ?? 8);
    let refreshedToken = false;
    // After THROTTLED, Shopify has told us what this request costs: wait for at least that much.
    let knownCost = 0;

    for (let attempt = 1; ; attempt++) {
      const expected = Math.max(knownCost, requestOptions.estimatedCost ?? this.costByOperation.get(operation) ?? 50);
      const waitedMs = await this.waitForBucket(expected, now, sleep);

      const response = await this.exchange<T>(document, variables);
      if ("networkError" in response) {
        // Network failure or timeout: nothing was charged that we can know of; retry with backoff.
        if (attempt >= maxAttempts) {
          throw new NetworkError(`${operation}: ${describe(response.networkError)} (after ${attempt} attempts)`, {
            shop: this.options.shop,
            operation,
          });
        }
        this.stats.retries++;
        await sleep(backoffMs(attempt, random));
        continue;
      }

      const cost = this.recordCost(operation, response.extensions, waitedMs, now);

      if (response.status === 401 && !refreshedToken) {
        refreshedToken = true;
        this.token = await this.options.accessToken(true);
        continue;
      }
      const throttled = response.errors?.some((e) => e.extensions?.code === "THROTTLED");
      if (throttled) {
        this.stats.throttled++;
        if (cost) knownCost = cost.requestedQueryCost;
        if (attempt >= maxAttempts)
          throw new ThrottledError(`${operation}: still throttled after ${attempt} attempts`, {
            shop: this.options.shop,
            operation,
            errors: response.errors,
          });
        continue; // the next loop waits for the bucket the response described
      }
      if (response.status >= 500 || response.status === 429) {
        if (attempt >= maxAttempts) {
          throw errorForStatus(response.status, `${operation}: HTTP ${response.status} after ${attempt} attempts`, {
            shop: this.options.shop,
            operation,
          });
        }
        this.stats.retries++;
        await sleep(backoffMs(attempt, random));
        continue;
      }
      if (response.status >= 400) {
        throw errorForStatus(response.status, `${operation}: HTTP ${response.status}`, {
          shop: this.options.shop,
          operation,
          errors: response.errors,
        });
      }
      if (response.errors && response.errors.length > 0) {
        throw errorForGraphqlErrors(
          response.errors,
          `${operation}: ${response.errors.map((e) => e.message).join("; ")}`,
          {
            shop: this.options.shop,
            operation,
            status: response.status,
          },
        );
      }
      return { data: response.data as T, cost };
    }
  }

  /** Waits until the bucket (as last reported, refilled since) can pay `expected` points; returns the wait in ms. */
  private async waitForBucket(
    expected: number,
    now: () => number,
    sleep: (ms: number) => Promise<void>,
  ): Promise<number> {
    const needed = Math.min(expected, this.bucket.maximumAvailable);
    const shortfall = needed - this.availableAt(now());
    if (shortfall <= 0) return 0;
    const waitedMs = Math.ceil((shortfall / this.bucket.restoreRate) * 1000);
    this.stats.waitedMs += waitedMs;
    await sleep(waitedMs);
    return waitedMs;
  }

  /** One HTTP exchange: Shopify's answer whatever its status, or the network failure that left none. */
  private async exchange<T>(
    document: string,
    variables: Record<string, unknown> | undefined,
  ): Promise<RawResponse<T> | { networkError: unknown }> {
    try {
      this.token ??= await this.options.accessToken(false);
      this.stats.requests++;
      const client = new GraphQLClient(this.options.endpoint, {
        headers: { "X-Shopify-Access-Token": this.token, "Content-Type": "application/json" },
        fetch: this.options.fetch,
        errorPolicy: "all",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      const raw = await client.rawRequest<T>(document, variables);
      return { status: raw.status, data: raw.data, errors: raw.errors as never, extensions: raw.extensions };
    } catch (error) {
      if (!(error instanceof ClientError)) return { networkError: error };
      return {
        status: error.response.status,
        data: error.response.data as T | undefined,
        errors: error.response.errors as never,
        extensions: error.response.extensions,
      };
    }
  }

  /** The bucket and the operation's cost as the response reports them (and the cost log line); null without a cost. */
  private recordCost(operation: string, extensions: unknown, waitedMs: number, now: () => number): QueryCost | null {
    const cost = readCost(extensions);
    if (!cost) return null;
    this.bucket = { ...cost.throttleStatus };
    this.bucketAt = now();
    this.costByOperation.set(operation, Math.max(cost.requestedQueryCost, cost.actualQueryCost ?? 0));
    if (cost.actualQueryCost !== null) this.stats.pointsUsed += cost.actualQueryCost;
    this.options.log?.({
      shop: this.options.shop,
      operation,
      requested: cost.requestedQueryCost,
      actual: cost.actualQueryCost,
      available: cost.throttleStatus.currentlyAvailable,
      waitedMs,
    });
    return cost;
  }
}

interface RawResponse<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  extensions?: unknown;
}

function readCost(extensions: unknown): QueryCost | null {
  const cost = (extensions as { cost?: QueryCost } | undefined)?.cost;
  return cost && cost.throttleStatus ? cost : null;
}

export function operationName(document: string): string {
  return /\b(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? "anonymous";
}

/** Exponential backoff with full jitter, capped at 30 s. */
export function backoffMs(attempt: number, random: () => number): number {
  const cap = Math.min(30_000, 500 * 2 ** (attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.name === "TimeoutError" ? "request timed out" : error.message;
  return String(error);
}
