import type { AdminClient, UserError } from "./admin-client.server";
import { buildTagsBatchMutation, type TagEdit } from "../graphql/TagsBatchMutation";
import { CustomerTagsQuery } from "../graphql/CustomerTagsQuery";
import { TagsAddMutation } from "../graphql/TagsAddMutation";
import { TagsRemoveMutation } from "../graphql/TagsRemoveMutation";
import { readBulkMutationResults, runBulkMutation, startBulkMutation, type BulkOperation } from "./bulk.server";
import type { TagWriteOutcome } from "../domain/sync";
import { applyTagPlan, SHOPIFY_MAX_TAGS_PER_CUSTOMER } from "../lifecycle";

/** Shopify's ceiling for one query's calculated cost. */
const MAX_QUERY_COST = 1000;
/** Each mutation field costs 10 points; the estimate is corrected by the first response's real cost. */
const MUTATION_COST = 10;
/** Shopify refuses an input array of more than 250 items (shopify.dev/api/usage/limits), `nodes(ids:)` included. */
export const MAX_INPUT_ARRAY = 250;

export const OVER_TAG_LIMIT_MESSAGE = `This customer already has ${SHOPIFY_MAX_TAGS_PER_CUSTOMER} tags, Shopify's limit: the lifecycle tag could not be added.`;

export interface TagWriterOptions {
  /** At or above this many customers, one bulk mutation per direction instead of aliased requests. */
  bulkThreshold?: number;
  /** Attempts per Admin request (fewer for the inbox, which retries failed writes itself later). */
  maxAttempts?: number;
}

/**
 * Writes tag differences with tagsAdd / tagsRemove only (customerUpdate would overwrite other apps' tags), removals
 * first, waiting for the rate limit as needed: many customers per request with aliases, sized to the query-cost
 * ceiling, or bulk mutations for large batches. A customer whose write failed is re-read and retried once against
 * its real tags.
 */
export async function writeTagEdits(
  client: AdminClient,
  edits: readonly TagEdit[],
  currentTags: ReadonlyMap<string, readonly string[]>,
  options: TagWriterOptions = {},
): Promise<TagWriteOutcome[]> {
  if (edits.length === 0) return [];
  const failures =
    edits.length >= (options.bulkThreshold ?? 1000)
      ? await writeWithBulkMutations(client, edits)
      : await writeWithAliases(client, edits, options);
  const retried =
    failures.size > 0
      ? await retryAfterReread(
          client,
          edits.filter((e) => failures.has(e.id)),
          failures,
          options,
        )
      : new Map<string, string>();
  return edits.map((edit): TagWriteOutcome => {
    const error = failures.has(edit.id) ? retried.get(edit.id) : undefined;
    if (error) return { gid: edit.id, ok: false, error };
    return {
      gid: edit.id,
      ok: true,
      tags: applyTagPlan(currentTags.get(edit.id) ?? [], {
        add: [...edit.add],
        remove: [...edit.remove],
        overLimit: false,
      }),
    };
  });
}

let costPerField = MUTATION_COST;

function fieldsOf(edit: TagEdit): number {
  return (edit.add.length > 0 ? 1 : 0) + (edit.remove.length > 0 ? 1 : 0);
}

/** How many of the edits, from the first, the shop's bucket pays for now without waiting. */
export function affordableTagEdits(client: AdminClient, edits: readonly TagEdit[]): number {
  let fields = 0;
  let count = 0;
  for (const edit of edits) {
    fields += fieldsOf(edit);
    if (!client.canAffordNow(fields * costPerField)) break;
    count++;
  }
  return count;
}

async function writeWithAliases(
  client: AdminClient,
  edits: readonly TagEdit[],
  options: TagWriterOptions,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  let index = 0;
  while (index < edits.length) {
    const maxFields = Math.max(1, Math.floor(MAX_QUERY_COST / costPerField));
    const batch: TagEdit[] = [];
    let fields = 0;
    while (index < edits.length) {
      const needed = fieldsOf(edits[index]);
      if (fields + needed > maxFields && batch.length > 0) break;
      batch.push(edits[index++]);
      fields += needed;
    }
    // Mutation fields run in document order: each customer's tagsRemove before its tagsAdd, so a customer at
    // Shopify's 250-tag limit makes room before the new tag arrives.
    const { document, variables, mutationCount } = buildTagsBatchMutation(batch);
    const { data, cost } = await client.request<Record<string, { userErrors: UserError[] } | null>>(
      document,
      variables,
      {
        estimatedCost: mutationCount * costPerField,
        maxAttempts: options.maxAttempts,
      },
    );
    if (cost && mutationCount > 0)
      costPerField = Math.max(MUTATION_COST, Math.ceil(cost.requestedQueryCost / mutationCount));
    batch.forEach((edit, i) => {
      const errors = [...(data[`r${i}`]?.userErrors ?? []), ...(data[`a${i}`]?.userErrors ?? [])];
      if (errors.length > 0) failures.set(edit.id, errors.map((e) => e.message).join("; "));
    });
  }
  return failures;
}

export type TagBulkPhase = "remove" | "add";

const BULK_PHASES: Record<
  TagBulkPhase,
  { mutation: string; field: string; pick: (edit: TagEdit) => readonly string[] }
> = {
  remove: { mutation: TagsRemoveMutation, field: "tagsRemove", pick: (e) => e.remove },
  add: { mutation: TagsAddMutation, field: "tagsAdd", pick: (e) => e.add },
};

/** The edits a bulk phase sends, in line order. */
export function bulkPhaseLines(phase: TagBulkPhase, edits: readonly TagEdit[]): TagEdit[] {
  return edits.filter((e) => BULK_PHASES[phase].pick(e).length > 0);
}

/** Starts one phase of a bulk tag write (removals are sent before additions); returns the operation id. */
export async function startTagBulkPhase(
  client: AdminClient,
  phase: TagBulkPhase,
  edits: readonly TagEdit[],
  fetchImpl?: typeof fetch,
): Promise<string> {
  const { mutation, pick } = BULK_PHASES[phase];
  return startBulkMutation(
    client,
    mutation,
    bulkPhaseLines(phase, edits).map((e) => ({ id: e.id, tags: pick(e) })),
    fetchImpl,
  );
}

/** The customers whose line of a finished bulk tag phase failed, with why. */
export async function tagBulkPhaseFailures(
  operation: BulkOperation,
  phase: TagBulkPhase,
  edits: readonly TagEdit[],
  fetchImpl?: typeof fetch,
): Promise<Map<string, string>> {
  const lines = bulkPhaseLines(phase, edits);
  const failures = new Map<string, string>();
  if (operation.status !== "COMPLETED") {
    for (const line of lines)
      failures.set(
        line.id,
        `The bulk tag write ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
      );
    return failures;
  }
  const results = await readBulkMutationResults(operation, lines.length, fetchImpl);
  results.forEach((result, i) => failures.set(lines[i].id, bulkLineError(result, BULK_PHASES[phase].field) ?? ""));
  for (const [id, error] of failures) if (error === "") failures.delete(id);
  return failures;
}

function bulkLineError(result: unknown, field: string): string | null {
  if (!result) return "no result from the bulk mutation";
  const line = result as {
    data?: Record<string, { userErrors?: UserError[] } | null>;
    errors?: Array<{ message: string }>;
  };
  const errors = [...(line.data?.[field]?.userErrors ?? []), ...(line.errors ?? [])];
  return errors.length > 0 ? errors.map((e) => e.message).join("; ") : null;
}

async function writeWithBulkMutations(client: AdminClient, edits: readonly TagEdit[]): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  for (const phase of ["remove", "add"] as const) {
    const lines = bulkPhaseLines(phase, edits);
    if (lines.length === 0) continue;
    const { pick, field } = BULK_PHASES[phase];
    const results = await runBulkMutation(
      client,
      BULK_PHASES[phase].mutation,
      lines.map((e) => ({ id: e.id, tags: pick(e) })),
    );
    results.forEach((result, i) => {
      const error = bulkLineError(result, field);
      if (error) failures.set(lines[i].id, error);
    });
  }
  return failures;
}

/**
 * A failed write is retried once against the customer's real current tags (another app may have changed them). The
 * re-read asks for at most 250 customers per request, Shopify's input limit.
 */
export async function retryAfterReread(
  client: AdminClient,
  edits: readonly TagEdit[],
  failures: ReadonlyMap<string, string>,
  options: TagWriterOptions = {},
): Promise<Map<string, string>> {
  const remaining = new Map<string, string>();
  const real = new Map<string, string[]>();
  for (let i = 0; i < edits.length; i += MAX_INPUT_ARRAY) {
    const ids = edits.slice(i, i + MAX_INPUT_ARRAY).map((e) => e.id);
    const { data } = await client.request(CustomerTagsQuery, { ids }, { maxAttempts: options.maxAttempts });
    for (const node of data.nodes) if (node !== null && "tags" in node) real.set(node.id, node.tags);
  }
  const retry: TagEdit[] = [];
  for (const edit of edits) {
    const tags = real.get(edit.id);
    if (!tags) {
      remaining.set(edit.id, "The customer no longer exists in Shopify.");
      continue;
    }
    const have = new Set(tags.map((t) => t.toLowerCase()));
    const add = edit.add.filter((t) => !have.has(t.toLowerCase()));
    const remove = edit.remove.filter((t) => have.has(t.toLowerCase()));
    if (tags.length - remove.length + add.length > SHOPIFY_MAX_TAGS_PER_CUSTOMER) {
      // Still remove what is stale: a missing stage tag is better than a wrong one.
      if (remove.length > 0) retry.push({ id: edit.id, add: [], remove });
      remaining.set(edit.id, OVER_TAG_LIMIT_MESSAGE);
      continue;
    }
    if (add.length > 0 || remove.length > 0) retry.push({ id: edit.id, add, remove });
  }
  if (retry.length > 0) {
    const stillFailing = await writeWithAliases(client, retry, options);
    stillFailing.forEach((message, id) => remaining.set(id, `${failures.get(id) ?? ""} ${message}`.trim()));
  }
  return remaining;
}
