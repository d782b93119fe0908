/**
 * Bulk result files (JSONL) cut into batches of parsed lines, chunk by chunk as they arrive. Pure: no network and no
 * database, so the import's parser thread (app/sync/import-parse-thread.ts) runs the very same code as a read in
 * the calling thread.
 */

/** A line longer than this is refused: Shopify's lines are one object each, a few KB at most (250 tags of 255 characters). */
export const MAX_JSONL_LINE_CHARS = 4 * 1024 * 1024;

export interface JsonlBatch<Value = unknown> {
  values: Value[];
  /** The number of the batch's last line in the file (non-empty lines, from 1): the checkpoint to resume after. */
  lastLine: number;
}

export interface JsonlSplitOptions<Value = unknown> {
  /** Lines already applied (resume after a crash): skipped without being parsed. */
  skipLines?: number;
  /** Lines per batch (the last may be shorter). */
  batchLines?: number;
  /**
   * What a parsed line becomes, as soon as it is parsed: the parsed object is then garbage before the next line, where
   * a whole batch of them outlived the young generation and made the import's GC its largest cost after the writes.
   */
  map?: (parsed: unknown) => Value;
}

/**
 * Takes a file's bytes chunk by chunk and hands back every batch they complete; a line that is not JSON or grows
 * past MAX_JSONL_LINE_CHARS fails with its number and the file's name.
 */
export class JsonlSplitter<Value = unknown> {
  private readonly decoder = new TextDecoder();
  private readonly skipLines: number;
  private readonly batchLines: number;
  private readonly map: (parsed: unknown) => Value;
  // The start of a line that spans chunks, in pieces (joining at every chunk would copy a long line over and over).
  private partial: string[] = [];
  private partialLength = 0;
  private line = 0;
  private values: Value[] = [];

  constructor(
    private readonly name: string,
    options: JsonlSplitOptions<Value> = {},
  ) {
    this.skipLines = options.skipLines ?? 0;
    this.batchLines = options.batchLines ?? 2000;
    this.map = options.map ?? ((parsed: unknown) => parsed as Value);
  }

  /** The batches this chunk completes; `null` ends the file (its last line needs no newline) and flushes the rest. */
  push(bytes: Uint8Array | null): JsonlBatch<Value>[] {
    const ended = bytes === null;
    const text = ended ? `${this.decoder.decode()}\n` : this.decoder.decode(bytes, { stream: true });
    const batches: JsonlBatch<Value>[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      let lineText = text.slice(start, end);
      start = end + 1;
      if (this.partial.length > 0)
        [lineText, this.partial, this.partialLength] = [this.partial.join("") + lineText, [], 0];
      if (lineText.trim() === "" || ++this.line <= this.skipLines) continue;
      this.values.push(this.map(this.parse(lineText)));
      if (this.values.length === this.batchLines) batches.push(this.take());
    }
    if (start < text.length) {
      this.partial.push(text.slice(start));
      this.partialLength += text.length - start;
      if (this.partialLength > MAX_JSONL_LINE_CHARS)
        throw new Error(`${this.name}: line ${this.line + 1} is longer than ${MAX_JSONL_LINE_CHARS} characters`);
    }
    if (ended && this.values.length > 0) batches.push(this.take());
    return batches;
  }

  private take(): JsonlBatch<Value> {
    const batch = { values: this.values, lastLine: this.line };
    this.values = [];
    return batch;
  }

  private parse(text: string): unknown {
    if (text.length > MAX_JSONL_LINE_CHARS)
      throw new Error(`${this.name}: line ${this.line} is longer than ${MAX_JSONL_LINE_CHARS} characters`);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(
        `${this.name}: line ${this.line} is not JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
}
