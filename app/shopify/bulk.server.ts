import { mutationPayload, type AdminClient } from "./admin-client.server";
import { BulkOperationError, errorForStatus } from "./errors";
import { BulkOperationRunQueryMutation } from "../graphql/BulkOperationRunQueryMutation";
import { BulkOperationRunMutationMutation } from "../graphql/BulkOperationRunMutationMutation";
import { BulkOperationQuery } from "../graphql/BulkOperationQuery";
import { StagedUploadsCreateMutation } from "../graphql/StagedUploadsCreateMutation";

import type { BulkOperationQueryQuery } from "../types/admin.generated";
import { JsonlSplitter, type JsonlBatch, type JsonlSplitOptions } from "./jsonl";

export type BulkOperation = NonNullable<BulkOperationQueryQuery["bulkOperation"]>;

export { BulkOperationError };

export async function startBulkQuery(client: AdminClient, query: string): Promise<string> {
  const { data } = await client.request(BulkOperationRunQueryMutation, { query });
  return mutationPayload("bulkOperationRunQuery", data.bulkOperationRunQuery).bulkOperation!.id;
}

export interface PollOptions {
  sleep?: (ms: number) => Promise<void>;
  intervalMs?: number;
  onProgress?: (operation: BulkOperation) => void | Promise<void>;
}

/** Polls until the operation finishes; Shopify's bulk_operations/finish webhook only shortens the wait. */
export async function waitForBulkOperation(
  client: AdminClient,
  id: string,
  options: PollOptions = {},
): Promise<BulkOperation> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let interval = options.intervalMs ?? 250;
  for (;;) {
    const { data } = await client.request(BulkOperationQuery, { id });
    const operation = data.bulkOperation;
    if (!operation) throw new Error(`Bulk operation ${id} not found`);
    await options.onProgress?.(operation);
    if (operation.status === "COMPLETED") return operation;
    if (["FAILED", "CANCELED", "EXPIRED"].includes(operation.status)) throw new BulkOperationError(operation);
    await sleep(interval);
    interval = Math.min(interval * 1.5, 5000);
  }
}

export { MAX_JSONL_LINE_CHARS, type JsonlBatch } from "./jsonl";

export interface JsonlReadOptions<Value = unknown> extends JsonlSplitOptions<Value> {
  fetch?: typeof fetch;
}

/** A bulk result file's response, its body there, or the download's failure as the sync's errors classify it. */
export async function openBulkResult(url: string, fetchImpl: typeof fetch = fetch): Promise<Response> {
  const response = await fetchImpl(url);
  if (!response.ok || !response.body)
    throw errorForStatus(response.status, `Downloading ${url} failed: HTTP ${response.status}`, {
      operation: "bulk result download",
    });
  return response;
}

/**
 * Streams a bulk result file as batches of parsed lines, so memory stays bounded by one batch and one network chunk
 * whatever the store's size; a line that is not JSON or grows past MAX_JSONL_LINE_CHARS fails with its number.
 */
export async function* readJsonlBatches<Value = unknown>(
  url: string,
  options: JsonlReadOptions<Value> = {},
): AsyncGenerator<JsonlBatch<Value>> {
  yield* splitJsonl((await openBulkResult(url, options.fetch)).body!, url, options);
}

/** readJsonlBatches on a body already opened; `name` (the URL) names the file in errors. */
export async function* splitJsonl<Value = unknown>(
  body: ReadableStream<Uint8Array>,
  name: string,
  options: JsonlSplitOptions<Value> = {},
): AsyncGenerator<JsonlBatch<Value>> {
  const reader = body.getReader();
  const splitter = new JsonlSplitter<Value>(name, options);
  try {
    for (let ended = false; !ended;) {
      const chunk = await reader.read();
      ended = chunk.done;
      yield* splitter.push(ended ? null : chunk.value!);
    }
  } finally {
    // A reader that stops early (an error, a break) lets go of the download.
    await reader.cancel().catch(() => undefined);
  }
}

/** The same stream one line at a time (small files: bulk mutation results). */
export async function* readJsonlLines(
  url: string,
  skipLines = 0,
  fetchImpl: typeof fetch = fetch,
): AsyncGenerator<{ line: number; value: unknown }> {
  for await (const batch of readJsonlBatches(url, { skipLines, fetch: fetchImpl, batchLines: 500 })) {
    const first = batch.lastLine - batch.values.length + 1;
    for (let i = 0; i < batch.values.length; i++) yield { line: first + i, value: batch.values[i] };
  }
}

/**
 * Runs one mutation once per variables line as a bulk operation: stage the JSONL upload, start, wait, and return
 * each line's result in input order (null where Shopify returned nothing for it).
 */
export async function runBulkMutation(
  client: AdminClient,
  mutation: string,
  variableLines: readonly Record<string, unknown>[],
  options: PollOptions & { fetch?: typeof fetch } = {},
): Promise<Array<unknown | null>> {
  const id = await startBulkMutation(client, mutation, variableLines, options.fetch);
  const operation = await waitForBulkOperation(client, id, options);
  return readBulkMutationResults(operation, variableLines.length, options.fetch);
}

/** Stages the variables as JSONL and starts the bulk mutation; returns the operation's id. */
export async function startBulkMutation(
  client: AdminClient,
  mutation: string,
  variableLines: readonly Record<string, unknown>[],
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const jsonl = variableLines.map((v) => JSON.stringify(v)).join("\n") + "\n";
  const { data } = await client.request(StagedUploadsCreateMutation, {
    input: [
      { resource: "BULK_MUTATION_VARIABLES", filename: "variables.jsonl", mimeType: "text/jsonl", httpMethod: "POST" },
    ],
  });
  const target = mutationPayload("stagedUploadsCreate", data.stagedUploadsCreate).stagedTargets?.[0];
  if (!target?.url) throw new Error("stagedUploadsCreate returned no upload target");
  const form = new FormData();
  for (const parameter of target.parameters) form.append(parameter.name, parameter.value);
  form.append("file", new Blob([jsonl], { type: "text/jsonl" }), "variables.jsonl");
  const upload = await fetchImpl(target.url, { method: "POST", body: form });
  if (!upload.ok)
    throw errorForStatus(upload.status, `Staged upload failed: HTTP ${upload.status}`, { operation: "staged upload" });
  const stagedUploadPath = target.parameters.find((p) => p.name === "key")?.value;
  if (!stagedUploadPath) throw new Error("Staged upload target has no key parameter");

  const started = await client.request(BulkOperationRunMutationMutation, { mutation, stagedUploadPath });
  return mutationPayload("bulkOperationRunMutation", started.data.bulkOperationRunMutation).bulkOperation!.id;
}

/** The current state of a bulk operation (one cheap query), for callers that poll at their own pace. */
export async function readBulkOperation(client: AdminClient, id: string): Promise<BulkOperation> {
  const { data } = await client.request(BulkOperationQuery, { id });
  if (!data.bulkOperation) throw new Error(`Bulk operation ${id} not found`);
  return data.bulkOperation;
}

/** A finished bulk mutation's result per input line, in input order (null where Shopify returned nothing for it). */
export async function readBulkMutationResults(
  operation: BulkOperation,
  lineCount: number,
  fetchImpl: typeof fetch = fetch,
): Promise<Array<unknown | null>> {
  const results: Array<unknown | null> = Array.from({ length: lineCount }, () => null);
  if (!operation.url) return results;
  let index = 0;
  for await (const { value } of readJsonlLines(operation.url, 0, fetchImpl)) {
    // Each result line carries the line number of its input (`__lineNumber`, 0-based) where Shopify provides it.
    const at =
      typeof (value as { __lineNumber?: number }).__lineNumber === "number"
        ? (value as { __lineNumber: number }).__lineNumber
        : index;
    if (at < results.length) results[at] = value;
    index++;
  }
  return results;
}
