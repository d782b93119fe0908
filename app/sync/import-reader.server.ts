/**
 * An import's bulk result file as batches of mapped lines. A large file is parsed and mapped in a thread of its own
 * while the caller writes the batch before: on SQLite the writes and the parsing each took about half of an import,
 * and one core did both (bench/import.bench.ts). A small file, or a build without the thread's entry, is read here.
 */
import { Worker as Thread } from "node:worker_threads";
import { openBulkResult, splitJsonl } from "../shopify/bulk.server";
import type { JsonlBatch } from "../shopify/jsonl";
import { threadEntry, threadExecArgv } from "../threads.server";
import {
  IMPORT_LINES,
  type FromParseThread,
  type ImportKind,
  type ImportedLine,
  type ParseThreadData,
} from "./import-lines";

/** Below this (by Content-Length) a thread's start costs more than it saves. */
export const PARSE_THREAD_MIN_BYTES = 4 * 2 ** 20;
/** Bytes sent to the thread and not yet parsed, at most: memory stays bounded when parsing lags the download. */
const MAX_BYTES_AHEAD = 6 * 2 ** 20;
/**
 * The thread holds a batch being built and the bytes sent ahead of it, a few MB. Its young generation decides its
 * RSS: at 16 MB the import's peak RSS was some 40 MB higher (past 300 MB) and the parse about 8% faster.
 */
const THREAD_HEAP = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 };
/** Batches parsed and not yet taken by the writer, at most: the thread waits for the writes beyond this. */
const MAX_BATCHES_AHEAD = 2;
/**
 * Lines the thread sends at a time, joined into the writer's batches here. What the thread holds between two
 * messages survives its young generation's collections, which copy it each time: sending whole batches of 5,000
 * lines made the collector the thread's largest cost (436 ms of an import of 100,000 orders; 240 ms in messages of
 * 1,000, bench/import.bench.ts).
 */
const THREAD_MESSAGE_LINES = 1000;

export interface ImportReadOptions {
  skipLines: number;
  batchLines: number;
  fetch?: typeof fetch;
  /** Overrides the choice by size: true parses in a thread whenever its entry exists, false never. */
  parseThread?: boolean;
}

export async function* readImportBatches<Kind extends ImportKind>(
  url: string,
  kind: Kind,
  options: ImportReadOptions,
): AsyncGenerator<JsonlBatch<ImportedLine<Kind>>> {
  const response = await openBulkResult(url, options.fetch);
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  const entry = options.parseThread === false ? null : threadEntry(import.meta.url, "import-parse-thread");
  const large = options.parseThread ?? !(length < PARSE_THREAD_MIN_BYTES);
  const split = { skipLines: options.skipLines, batchLines: options.batchLines };
  if (!entry || !large) {
    yield* splitJsonl(response.body!, url, { ...split, map: IMPORT_LINES[kind] as (parsed: unknown) => never });
    return;
  }
  yield* splitInThread(response.body!, entry, { kind, name: url, ...split }) as AsyncGenerator<
    JsonlBatch<ImportedLine<Kind>>
  >;
}

/** Many waiters, woken together whenever anything changes. */
function changes() {
  let waiting: Array<() => void> = [];
  return {
    next: () => new Promise<void>((resolve) => waiting.push(resolve)),
    fire: () => {
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    },
  };
}

function mergedBatches(batches: JsonlBatch<unknown>[]): JsonlBatch<unknown> {
  if (batches.length === 1) return batches[0];
  return { values: batches.flatMap((batch) => batch.values), lastLine: batches[batches.length - 1].lastLine };
}

/**
 * The thread's messages waiting for the writer, handed out as whole batches of the caller's size (several at once
 * when the writer fell behind: it then commits less often), so a checkpoint falls where the calling thread's read
 * would put one; the file's short last batch once it has all been parsed.
 */
class ParsedLines {
  private messages: JsonlBatch<unknown>[] = [];
  lines = 0;

  constructor(private readonly batchLines: number) {}

  add(message: JsonlBatch<unknown>): void {
    this.messages.push(message);
    this.lines += message.values.length;
  }

  take(all: boolean): JsonlBatch<unknown> | undefined {
    const wanted = all ? this.lines : this.lines - (this.lines % this.batchLines);
    if (wanted === 0) return undefined;
    let taken = 0;
    let count = 0;
    while (taken < wanted) taken += this.messages[count++].values.length;
    this.lines -= taken;
    return mergedBatches(this.messages.splice(0, count));
  }
}

async function* splitInThread(
  body: ReadableStream<Uint8Array>,
  entry: string,
  data: ParseThreadData,
): AsyncGenerator<JsonlBatch<unknown>> {
  // Messages that divide the caller's batches, so the batches are joined from whole messages.
  const messageLines = data.batchLines % THREAD_MESSAGE_LINES === 0 ? THREAD_MESSAGE_LINES : data.batchLines;
  const thread = new Thread(entry, {
    execArgv: threadExecArgv(entry),
    workerData: { ...data, batchLines: messageLines } satisfies ParseThreadData,
    resourceLimits: THREAD_HEAP,
  });
  const parsed = new ParsedLines(data.batchLines);
  const changed = changes();
  let failure: Error | null = null;
  let parsedAll = false;
  let bytesAhead = 0;
  const fail = (error: Error) => {
    failure ??= error;
    changed.fire();
  };
  thread.on("message", (message: FromParseThread) => {
    if (message.type === "batch") parsed.add({ values: message.values, lastLine: message.lastLine });
    else if (message.type === "parsed") bytesAhead -= message.bytes;
    else if (message.type === "end") parsedAll = true;
    else fail(new Error(message.message));
    changed.fire();
  });
  thread.on("error", fail);
  thread.on("exit", (code) => {
    if (!parsedAll) fail(new Error(`${data.name}: the import's parser thread stopped (exit code ${code})`));
  });
  const reader = body.getReader();
  // A dropped download fails the import once the thread has parsed every byte that came before it, so the whole
  // batches in those bytes are stored first, as a read in this thread would store them.
  let downloadFailure: Error | null = null;
  const feeding = (async () => {
    try {
      for (;;) {
        while (!failure && (bytesAhead >= MAX_BYTES_AHEAD || parsed.lines >= MAX_BATCHES_AHEAD * data.batchLines))
          await changed.next();
        if (failure) return;
        const chunk = await reader.read();
        if (chunk.done) return thread.postMessage(null);
        bytesAhead += chunk.value.byteLength;
        // Moved, not copied, where the chunk owns its memory: the thread then allocates nothing to receive it.
        const owned = chunk.value.byteOffset === 0 && chunk.value.byteLength === chunk.value.buffer.byteLength;
        thread.postMessage(chunk.value, owned ? [chunk.value.buffer as ArrayBuffer] : []);
      }
    } catch (error) {
      downloadFailure = error instanceof Error ? error : new Error(String(error));
      changed.fire();
    }
  })();
  try {
    for (;;) {
      const batch = parsed.take(parsedAll);
      if (batch) {
        changed.fire();
        yield batch;
      } else if (failure) throw failure;
      else if (parsedAll) break;
      else if (downloadFailure && bytesAhead === 0) throw downloadFailure;
      else await changed.next();
    }
  } finally {
    failure ??= new Error("stopped reading"); // lets the feeder end
    changed.fire();
    await reader.cancel().catch(() => undefined);
    await feeding;
    await thread.terminate();
  }
}
