/**
 * One GraphQL Admin API request: parse → validate (graphql-js errors as they are) →
 * requested cost (MAX_COST_EXCEEDED over 1000) → leaky bucket (THROTTLED) → execute →
 * actual cost, refund of requested − actual → response with `extensions.cost`.
 */
import {
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from "graphql";
import {
  calculateActualCost,
  calculateQueryCost,
  MAX_QUERY_COST,
  stripTypenameMarkers,
  withTypenameMarkers,
} from "./cost";
import type { BulkWindow, ExecCtx, StoreApi } from "./graphql";
import type { BucketState, ShopState } from "./state";
import { inputArrayErrors } from "./limits";

export const THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits";

export interface GraphQLBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** Refills the bucket up to `now` (leaky bucket: restoreRate points per second, capped). */
export function refill(b: BucketState, now: number): void {
  if (now > b.updatedAt) {
    b.available = Math.min(b.maximumAvailable, b.available + ((now - b.updatedAt) / 1000) * b.restoreRate);
    b.updatedAt = now;
  }
}

export function throttleStatus(b: BucketState): ThrottleStatus {
  return {
    maximumAvailable: b.maximumAvailable,
    currentlyAvailable: Math.floor(b.available),
    restoreRate: b.restoreRate,
  };
}

const docCache = new Map<string, { doc?: DocumentNode; marked?: DocumentNode; errors?: readonly GraphQLError[] }>();

function parseAndValidate(schema: GraphQLSchema, source: string) {
  let hit = docCache.get(source);
  if (hit) return hit;
  try {
    const doc = parse(source);
    const errors = validate(schema, doc);
    hit = errors.length ? { errors } : { doc, marked: withTypenameMarkers(doc) };
  } catch (e) {
    hit = { errors: [e instanceof GraphQLError ? e : new GraphQLError(String(e))] };
  }
  if (docCache.size > 500) docCache.clear();
  docCache.set(source, hit);
  return hit;
}

export interface GraphQLOutcome {
  status: number;
  body: Record<string, unknown>;
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttled: boolean;
}

export async function runGraphQLRequest(
  schema: GraphQLSchema,
  store: StoreApi,
  shop: ShopState,
  body: GraphQLBody,
): Promise<GraphQLOutcome> {
  const now = store.now();
  const bucket = shop.bucket;
  refill(bucket, now);
  shop.stats.requests++;

  if (typeof body.query !== "string" || !body.query.trim()) {
    return {
      status: 400,
      body: { errors: { query: ["Required parameter missing or invalid"] } },
      requestedQueryCost: null,
      actualQueryCost: null,
      throttled: false,
    };
  }
  const variables = (body.variables && typeof body.variables === "object" ? body.variables : {}) as Record<
    string,
    unknown
  >;
  const operationName = typeof body.operationName === "string" ? body.operationName : undefined;

  const parsed = parseAndValidate(schema, body.query);
  if (parsed.errors) {
    return {
      status: 200,
      body: {
        errors: parsed.errors.map((e) => e.toJSON()),
        extensions: { cost: { requestedQueryCost: 0, actualQueryCost: 0, throttleStatus: throttleStatus(bucket) } },
      },
      requestedQueryCost: 0,
      actualQueryCost: 0,
      throttled: false,
    };
  }
  const doc = parsed.doc!;
  const tooLarge = inputArrayErrors(schema, doc, variables);
  if (tooLarge.length) {
    return {
      status: 200,
      body: {
        errors: tooLarge.map((e) => e.toJSON()),
        extensions: { cost: { requestedQueryCost: 0, actualQueryCost: 0, throttleStatus: throttleStatus(bucket) } },
      },
      requestedQueryCost: 0,
      actualQueryCost: 0,
      throttled: false,
    };
  }
  const requested = calculateQueryCost(schema, doc, variables, operationName);

  if (requested > MAX_QUERY_COST) {
    shop.stats.maxCostExceeded++;
    return {
      status: 200,
      body: {
        errors: [
          {
            message:
              `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\n` +
              "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n" +
              "cost of a query is calculated.\n\n" +
              "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
              "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
            extensions: {
              code: "MAX_COST_EXCEEDED",
              cost: requested,
              maxCost: MAX_QUERY_COST,
              documentation: THROTTLE_DOCS,
            },
          },
        ],
        extensions: {
          cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus(bucket) },
        },
      },
      requestedQueryCost: requested,
      actualQueryCost: null,
      throttled: false,
    };
  }

  if (requested > bucket.available) {
    shop.stats.throttled++;
    return {
      status: 200,
      body: {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: THROTTLE_DOCS } }],
        extensions: {
          cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus(bucket) },
        },
      },
      requestedQueryCost: requested,
      actualQueryCost: null,
      throttled: true,
    };
  }

  bucket.available -= requested;
  const ctx: ExecCtx = { store, shop, bulk: false, now, search: [] };
  const result = (await execute({
    schema,
    document: parsed.marked!,
    variableValues: variables,
    operationName,
    contextValue: ctx,
  })) as ExecutionResult;

  // the actual cost walks what was returned (nothing ran when there is no data)
  const actual = result.data
    ? Math.min(
        requested,
        calculateActualCost(schema, doc, variables, result.data as Record<string, unknown>, operationName),
      )
    : 0;
  refill(bucket, store.now());
  bucket.available = Math.min(bucket.maximumAvailable, bucket.available + (requested - actual));
  shop.stats.pointsUsed += actual;

  const out: Record<string, unknown> = {};
  if (result.errors?.length) out.errors = result.errors.map((e) => e.toJSON());
  if ("data" in result) out.data = result.data ? stripTypenameMarkers(result.data) : result.data;
  const extensions: Record<string, unknown> = {
    cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus(bucket) },
  };
  if (ctx.search.length) extensions.search = ctx.search;
  out.extensions = extensions;
  return { status: 200, body: out, requestedQueryCost: requested, actualQueryCost: actual, throttled: false };
}

/** Executes a document with a context, for bulk operations (no cost accounting). */
export async function executeForBulk(
  schema: GraphQLSchema,
  store: StoreApi,
  shop: ShopState,
  doc: DocumentNode,
  variables: Record<string, unknown> | undefined,
  bulk: boolean,
  bulkWindow?: BulkWindow,
): Promise<ExecutionResult> {
  const tooLarge = inputArrayErrors(schema, doc, variables ?? {});
  if (tooLarge.length) return { errors: tooLarge };
  const ctx: ExecCtx = { store, shop, bulk, bulkWindow, now: store.now(), search: [] };
  return (await execute({ schema, document: doc, variableValues: variables, contextValue: ctx })) as ExecutionResult;
}
