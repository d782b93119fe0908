import type { AdminClient, UserError } from "./admin-client.server";
import { buildTagsBatchMutation, type TagEdit } from "../graphql/TagsBatchMutation";
import { CustomerTagsQuery } from "../graphql/CustomerTagsQuery";
import { TagsAddMutation } from "../graphql/TagsAddMutation";
import { TagsRemoveMutation } from "../graphql/TagsRemoveMutation";
import { runBulkMutation } from "./bulk.server";
import type { TagWriteOutcome } from "../domain/sync";
import { applyTagPlan } from "../lifecycle";

/** Shopify's ceiling for one query's calculated cost. */
const MAX_QUERY_COST = 1000;
/** Each mutation field costs 10 points; the estimate is corrected by the first response's real cost. */
const MUTATION_COST = 10;

export interface TagWriterOptions {
  /** At or above this many customers, one bulk mutation per direction instead of aliased requests. */
  bulkThreshold?: number;
}

/**
 * Writes tag differences with tagsAdd / tagsRemove only (customerUpdate would overwrite other apps' tags), many
 * customers per request with aliases, sized to the query-cost ceiling. A customer whose write failed is re-read
 * and retried once against its real tags.
 */
export async function writeTagEdits(
  client: AdminClient,
  edits: readonly TagEdit[],
  currentTags: ReadonlyMap<string, readonly string[]>,
  options: TagWriterOptions = {},
): Promise<TagWriteOutcome[]> {
  if (edits.length === 0) return [];
  const failures = edits.length >= (options.bulkThreshold ?? 1000) ? await writeWithBulkMutations(client, edits) : await writeWithAliases(client, edits);
  const retried = failures.size > 0 ? await retryAfterReread(client, edits.filter((e) => failures.has(e.id)), failures) : new Map<string, string>();
  return edits.map((edit): TagWriteOutcome => {
    const error = failures.has(edit.id) ? retried.get(edit.id) : undefined;
    if (error) return { gid: edit.id, ok: false, error };
    return { gid: edit.id, ok: true, tags: applyTagPlan(currentTags.get(edit.id) ?? [], { add: [...edit.add], remove: [...edit.remove], overLimit: false }) };
  });
}

let costPerField = MUTATION_COST;

async function writeWithAliases(client: AdminClient, edits: readonly TagEdit[]): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  let index = 0;
  while (index < edits.length) {
    const maxFields = Math.max(1, Math.floor(MAX_QUERY_COST / costPerField));
    const batch: TagEdit[] = [];
    let fields = 0;
    while (index < edits.length) {
      const needed = (edits[index].add.length > 0 ? 1 : 0) + (edits[index].remove.length > 0 ? 1 : 0);
      if (fields + needed > maxFields && batch.length > 0) break;
      batch.push(edits[index++]);
      fields += needed;
    }
    const { document, variables, mutationCount } = buildTagsBatchMutation(batch);
    const { data, cost } = await client.request<Record<string, { userErrors: UserError[] } | null>>(document, variables, {
      estimatedCost: mutationCount * costPerField,
    });
    if (cost && mutationCount > 0) costPerField = Math.max(MUTATION_COST, Math.ceil(cost.requestedQueryCost / mutationCount));
    batch.forEach((edit, i) => {
      const errors = [...(data[`r${i}`]?.userErrors ?? []), ...(data[`a${i}`]?.userErrors ?? [])];
      if (errors.length > 0) failures.set(edit.id, errors.map((e) => e.message).join("; "));
    });
  }
  return failures;
}

async function writeWithBulkMutations(client: AdminClient, edits: readonly TagEdit[]): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  for (const [mutation, pick, field] of [
    [TagsRemoveMutation, (e: TagEdit) => e.remove, "tagsRemove"],
    [TagsAddMutation, (e: TagEdit) => e.add, "tagsAdd"],
  ] as const) {
    const lines = edits.filter((e) => pick(e).length > 0).map((e) => ({ id: e.id, tags: pick(e) }));
    if (lines.length === 0) continue;
    const results = await runBulkMutation(client, mutation, lines);
    results.forEach((result, i) => {
      const payload = (result as { data?: Record<string, { userErrors?: UserError[] }> } | null)?.data?.[field];
      const errors = payload?.userErrors ?? [];
      if (!result || errors.length > 0) {
        failures.set(lines[i].id, errors.length > 0 ? errors.map((e) => e.message).join("; ") : "no result from the bulk mutation");
      }
    });
  }
  return failures;
}

/** A failed write is retried once against the customer's real current tags (another app may have changed them). */
async function retryAfterReread(client: AdminClient, edits: readonly TagEdit[], failures: Map<string, string>): Promise<Map<string, string>> {
  const remaining = new Map<string, string>();
  const { data } = await client.request<{ nodes: Array<{ id: string; tags: string[] } | null> }>(CustomerTagsQuery, { ids: edits.map((e) => e.id) });
  const real = new Map(data.nodes.filter((n): n is { id: string; tags: string[] } => n !== null && "tags" in n).map((n) => [n.id, n.tags]));
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
    if (tags.length - remove.length + add.length > 250) {
      remaining.set(edit.id, "This customer already has 250 tags, Shopify's limit: the lifecycle tag could not be added.");
      continue;
    }
    if (add.length > 0 || remove.length > 0) retry.push({ id: edit.id, add, remove });
  }
  if (retry.length > 0) {
    const stillFailing = await writeWithAliases(client, retry);
    stillFailing.forEach((message, id) => remaining.set(id, `${failures.get(id) ?? ""} ${message}`.trim()));
  }
  return remaining;
}
