/**
 * A small streaming CSV reader (RFC 4180 plus what spreadsheets and Shopify exports do in practice): quoted fields
 * with doubled quotes, commas and line breaks inside quotes, CRLF / LF / CR line ends, a UTF-8 BOM, gzip files.
 * It is strict on purpose: a stray quote is reported with its line and column instead of silently shifting columns,
 * because a shifted column in an order export turns into wrong dates and totals.
 */
import fs from "node:fs";
import zlib from "node:zlib";

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  /** Per field: 1-based physical line and character column where it starts (quoted fields can span lines). */
  fieldLines: number[];
  fieldColumns: number[];
}

export class CsvError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number | null,
    readonly file: string | null = null,
    readonly columnName: string | null = null,
    /** 1-based character position on the line, for syntax errors. */
    readonly character: number | null = null,
  ) {
    super(formatCsvError(file, line, column, columnName, reason, character));
    this.name = "CsvError";
  }

  withFile(file: string): CsvError {
    return new CsvError(this.reason, this.line, this.column, file, this.columnName, this.character);
  }
}

export function formatCsvError(
  file: string | null,
  line: number,
  column: number | null,
  columnName: string | null,
  reason: string,
  character: number | null = null,
): string {
  const where = [file ?? "<input>", `line ${line}`];
  if (column !== null) where.push(columnName ? `column ${column} (${columnName})` : `column ${column}`);
  if (character !== null) where.push(`character ${character}`);
  return `${where.join(", ")}: ${reason}`;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvParser {
  private buffer = "";
  private line = 1;
  private started = false;
  private readonly delimiter: number;

  constructor(options: { delimiter?: string } = {}) {
    const delimiter = options.delimiter ?? ",";
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
      throw new Error(`Unsupported CSV delimiter ${JSON.stringify(delimiter)}.`);
    }
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds text; returns the records completed by it (an incomplete last record waits for the next chunk). */
  push(chunk: string): CsvRecord[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buffer += chunk;
    return this.drain(false);
  }

  /** Signals the end of input; returns the last record, or throws if it is malformed (e.g. an unclosed quote). */
  end(): CsvRecord[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvRecord[] {
    const records: CsvRecord[] = [];
    let pos = 0;
    while (pos < this.buffer.length) {
      const parsed = this.parseRecord(pos, final);
      if (parsed === null) break;
      pos = parsed.next;
      this.line = parsed.nextLine;
      const r = parsed.record;
      // Blank lines (typically a trailing one) carry no record.
      if (!(r.fields.length === 1 && r.fields[0] === "" && !parsed.quoted)) records.push(r);
    }
    this.buffer = this.buffer.slice(pos);
    return records;
  }

  private parseRecord(
    pos: number,
    final: boolean,
  ): { record: CsvRecord; next: number; nextLine: number; quoted: boolean } | null {
    const buf = this.buffer;
    const len = buf.length;
    const delimiter = this.delimiter;
    const fields: string[] = [];
    const fieldLines: number[] = [];
    const fieldColumns: number[] = [];
    const startLine = this.line;
    let line = this.line;
    let lineStart = pos;
    let i = pos;
    let anyQuoted = false;
    for (;;) {
      fieldLines.push(line);
      fieldColumns.push(i - lineStart + 1);
      let value: string;
      if (i < len && buf.charCodeAt(i) === QUOTE) {
        anyQuoted = true;
        const openLine = line;
        const openColumn = i - lineStart + 1;
        let j = i + 1;
        value = "";
        for (;;) {
          const q = buf.indexOf('"', j);
          if (q === -1) {
            if (final) throw new CsvError("a quoted field is never closed", openLine, fields.length + 1, null, null, openColumn);
            return null;
          }
          if (q + 1 >= len && !final) return null;
          value += buf.slice(j, q);
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            j = q + 2;
            continue;
          }
          // Line breaks inside the quotes still count as physical lines for later error messages.
          for (let k = i + 1; k < q; k++) {
            const c = buf.charCodeAt(k);
            if (c === LF || (c === CR && buf.charCodeAt(k + 1) !== LF)) {
              line++;
              lineStart = k + 1;
            }
          }
          i = q + 1;
          break;
        }
        if (i < len) {
          const c = buf.charCodeAt(i);
          if (c !== delimiter && c !== LF && c !== CR) {
            throw new CsvError(
              `unexpected character ${JSON.stringify(buf[i])} after a closing quote (a quote inside a quoted field must be doubled)`,
              line,
              fields.length + 1,
              null,
              null,
              i - lineStart + 1,
            );
          }
        }
      } else {
        let j = i;
        while (j < len) {
          const c = buf.charCodeAt(j);
          if (c === delimiter || c === LF || c === CR) break;
          if (c === QUOTE) {
            throw new CsvError(
              "a quote inside an unquoted field (quote the whole field and double the quote)",
              line,
              fields.length + 1,
              null,
              null,
              j - lineStart + 1,
            );
          }
          j++;
        }
        if (j >= len && !final) return null;
        value = buf.slice(i, j);
        i = j;
      }
      fields.push(value);

      if (i >= len) {
        if (!final) return null;
        return { record: { fields, line: startLine, fieldLines, fieldColumns }, next: len, nextLine: line, quoted: anyQuoted };
      }
      const c = buf.charCodeAt(i);
      if (c === delimiter) {
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= len && !final) return null;
        const next = buf.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
        return { record: { fields, line: startLine, fieldLines, fieldColumns }, next, nextLine: line + 1, quoted: anyQuoted };
      }
      return { record: { fields, line: startLine, fieldLines, fieldColumns }, next: i + 1, nextLine: line + 1, quoted: anyQuoted };
    }
  }
}

/** Parses a whole string (tests, small inputs). */
export function parseCsv(text: string, options: { delimiter?: string } = {}): CsvRecord[] {
  const parser = new CsvParser(options);
  return [...parser.push(text), ...parser.end()];
}

/** Streams records from bytes or text chunks; bytes must be UTF-8 (invalid UTF-8 is an error, not U+FFFD). */
export async function* readCsv(
  source: AsyncIterable<string | Uint8Array>,
  options: { delimiter?: string } = {},
): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(options);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const decode = (chunk: Uint8Array | undefined, stream: boolean): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream });
    } catch {
      throw new CsvError(`the file is not valid UTF-8 text (after line ${lastLine})`, lastLine, null);
    }
  };
  let lastLine = 1;
  for await (const chunk of source) {
    const text = typeof chunk === "string" ? chunk : decode(chunk, true);
    for (const record of parser.push(text)) {
      lastLine = record.line;
      yield record;
    }
  }
  const rest = decode(undefined, false);
  for (const record of [...parser.push(rest), ...parser.end()]) yield record;
}

/** Streams a CSV file (gunzipped when the name ends in .gz); errors carry the file name. */
export async function* readCsvFile(file: string, options: { delimiter?: string } = {}): AsyncGenerator<CsvRecord> {
  const raw = fs.createReadStream(file);
  const stream = file.endsWith(".gz") ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on("error", (error) => stream.destroy(error));
  try {
    for await (const record of readCsv(stream as AsyncIterable<Uint8Array>, options)) yield record;
  } catch (error) {
    if (error instanceof CsvError) throw error.withFile(file);
    throw error;
  } finally {
    raw.destroy();
  }
}

/**
 * Maps header names (case-insensitive, trimmed) to field indexes, so callers look columns up by name and report
 * errors by name. Duplicate header names are an error: which one is meant would be a guess.
 */
export class CsvHeader {
  readonly names: string[];
  private readonly index = new Map<string, number>();

  constructor(record: CsvRecord, file: string | null = null) {
    this.names = record.fields.map((f) => f.trim());
    this.names.forEach((name, i) => {
      const key = name.toLowerCase();
      if (key === "") return;
      if (this.index.has(key)) {
        throw new CsvError(`the column name "${name}" appears twice in the header`, record.line, i + 1, file);
      }
      this.index.set(key, i);
    });
  }

  has(name: string): boolean {
    return this.index.has(name.toLowerCase());
  }

  indexOf(name: string): number {
    return this.index.get(name.toLowerCase()) ?? -1;
  }

  /** The field's text ("" when the row is shorter than the header). */
  get(record: CsvRecord, name: string): string {
    const i = this.indexOf(name);
    return i >= 0 && i < record.fields.length ? record.fields[i] : "";
  }

  /** An error pointing at one field of one record. */
  error(record: CsvRecord, name: string, reason: string, file: string | null = null): CsvError {
    const i = this.indexOf(name);
    const line = i >= 0 && i < record.fieldLines.length ? record.fieldLines[i] : record.line;
    return new CsvError(reason, line, i >= 0 ? i + 1 : null, file, i >= 0 ? this.names[i] : name);
  }
}
