import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { assertNoUserErrors, type AdminClient, type UserError } from "./admin-client.server";
import { BulkOperationRunQueryMutation } from "../graphql/BulkOperationRunQueryMutation";
import { BulkOperationRunMutationMutation } from "../graphql/BulkOperationRunMutationMutation";
import { BulkOperationQuery } from "../graphql/BulkOperationQuery";
import { StagedUploadsCreateMutation } from "../graphql/StagedUploadsCreateMutation";

export interface BulkOperation {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";
  errorCode: string | null;
  objectCount: string | number | null;
  rootObjectCount?: string | number | null;
  url: string | null;
  partialDataUrl: string | null;
}

export class BulkOperationError extends Error {
  constructor(readonly operation: BulkOperation) {
    super(`Bulk operation ${operation.id} ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}`);
    this.name = "BulkOperationError";
  }
}

export async function startBulkQuery(client: AdminClient, query: string): Promise<string> {
  const { data } = await client.request<{
    bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: UserError[] };
  }>(BulkOperationRunQueryMutation, { query });
  assertNoUserErrors("bulkOperationRunQuery", data.bulkOperationRunQuery.userErrors);
  return data.bulkOperationRunQuery.bulkOperation!.id;
}

export interface PollOptions {
  sleep?: (ms: number) => Promise<void>;
  intervalMs?: number;
  onProgress?: (operation: BulkOperation) => void | Promise<void>;
}

/** Polls until the operation finishes; Shopify's bulk_operations/finish webhook only shortens the wait. */
export async function waitForBulkOperation(client: AdminClient, id: string, options: PollOptions = {}): Promise<BulkOperation> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let interval = options.intervalMs ?? 250;
  for (;;) {
    const { data } = await client.request<{ bulkOperation: BulkOperation | null }>(BulkOperationQuery, { id });
    const operation = data.bulkOperation;
    if (!operation) throw new Error(`Bulk operation ${id} not found`);
    await options.onProgress?.(operation);
    if (operation.status === "COMPLETED") return operation;
    if (["FAILED", "CANCELED", "EXPIRED"].includes(operation.status)) throw new BulkOperationError(operation);
    await sleep(interval);
    interval = Math.min(interval * 1.5, 5000);
  }
}

/**
 * Streams a bulk result file line by line, skipping the first `skipLines` (resume after a crash), so memory stays
 * bounded whatever the store size.
 */
export async function* readJsonlLines(url: string, skipLines = 0, fetchImpl: typeof fetch = fetch): AsyncGenerator<{ line: number; value: unknown }> {
  const response = await fetchImpl(url);
  if (!response.ok || !response.body) throw new Error(`Downloading ${url} failed: HTTP ${response.status}`);
  const lines = createInterface({ input: Readable.fromWeb(response.body as WebReadableStream), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    if (text.trim() === "") continue;
    line++;
    if (line <= skipLines) continue;
    yield { line, value: JSON.parse(text) };
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
  const fetchImpl = options.fetch ?? fetch;
  const jsonl = variableLines.map((v) => JSON.stringify(v)).join("\n") + "\n";
  const { data } = await client.request<{
    stagedUploadsCreate: { stagedTargets: Array<{ url: string; parameters: Array<{ name: string; value: string }> }>; userErrors: UserError[] };
  }>(StagedUploadsCreateMutation, {
    input: [{ resource: "BULK_MUTATION_VARIABLES", filename: "variables.jsonl", mimeType: "text/jsonl", httpMethod: "POST" }],
  });
  assertNoUserErrors("stagedUploadsCreate", data.stagedUploadsCreate.userErrors);
  const target = data.stagedUploadsCreate.stagedTargets[0];
  const form = new FormData();
  for (const parameter of target.parameters) form.append(parameter.name, parameter.value);
  form.append("file", new Blob([jsonl], { type: "text/jsonl" }), "variables.jsonl");
  const upload = await fetchImpl(target.url, { method: "POST", body: form });
  if (!upload.ok) throw new Error(`Staged upload failed: HTTP ${upload.status}`);
  const stagedUploadPath = target.parameters.find((p) => p.name === "key")?.value;
  if (!stagedUploadPath) throw new Error("Staged upload target has no key parameter");

  const started = await client.request<{
    bulkOperationRunMutation: { bulkOperation: { id: string } | null; userErrors: UserError[] };
  }>(BulkOperationRunMutationMutation, { mutation, stagedUploadPath });
  assertNoUserErrors("bulkOperationRunMutation", started.data.bulkOperationRunMutation.userErrors);
  const operation = await waitForBulkOperation(client, started.data.bulkOperationRunMutation.bulkOperation!.id, options);

  const results: Array<unknown | null> = variableLines.map(() => null);
  if (!operation.url) return results;
  let index = 0;
  for await (const { value } of readJsonlLines(operation.url, 0, fetchImpl)) {
    // Each result line carries the line number of its input (`__lineNumber`, 0-based) where Shopify provides it.
    const at = typeof (value as { __lineNumber?: number }).__lineNumber === "number" ? (value as { __lineNumber: number }).__lineNumber : index;
    if (at < results.length) results[at] = value;
    index++;
  }
  return results;
}
