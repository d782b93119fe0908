/**
 * CSV files for the CLIs, read by csv-parse (RFC 4180 plus what spreadsheets and Shopify exports do: quoted fields
 * with doubled quotes, commas and line breaks inside quotes, CRLF / LF / CR line ends, a UTF-8 byte-order mark) and
 * gunzipped when the name ends in .gz. Strict on purpose: a stray quote is an error with its line, column and
 * character, never silently shifted columns, because a shifted column in an order export turns into wrong dates and
 * totals. csv-parse counts a CRLF inside quotes as two lines, so this module counts physical lines itself from the
 * bytes csv-parse reports consuming.
 */
import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { parse, CsvError as ParseError, type Info, type Options } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  /** Per field: the 1-based physical line where it starts (quoted fields can span lines). */
  fieldLines: number[];
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

const PARSE_OPTIONS: Options = {
  bom: true,
  // Blank lines (typically a trailing one) carry no record; a quoted empty field ("") is a record.
  skip_empty_lines: true,
  // Rows shorter or longer than the header are the caller's to judge (CsvHeader.get reads missing fields as "").
  relax_column_count: true,
  info: true,
  record_delimiter: ["\r\n", "\n", "\r"],
};

/** Line breaks in text: CRLF, LF and a lone CR each end one line. `afterCR`: the text before ended in CR. */
function lineBreaks(text: string, afterCR = false): { count: number; endsInCR: boolean } {
  let count = 0;
  let cr = afterCR;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) count++;
    else if (c === 10 && !cr) count++;
    cr = c === 13;
  }
  return { count, endsInCR: cr };
}

/** Where a text position is: its 1-based line and character, counted from `line` at the text's start. */
function positionIn(text: string, index: number, line: number, afterCR: boolean): { line: number; character: number } {
  const before = text.slice(0, index);
  const lastBreak = Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r"));
  return { line: line + lineBreaks(before, afterCR).count, character: index - lastBreak };
}

type QuoteFault = "unclosed" | "quoteInUnquoted" | "afterClosingQuote";

const REASONS: Record<QuoteFault, (text: string, index: number) => string> = {
  unclosed: () => "a quoted field is never closed",
  quoteInUnquoted: () => "a quote inside an unquoted field (quote the whole field and double the quote)",
  afterClosingQuote: (text, index) =>
    `unexpected character ${JSON.stringify(text[index])} after a closing quote (a quote inside a quoted field must be doubled)`,
};

/**
 * Where text that csv-parse refused first breaks the quoting rules, with the 0-based field it is in: the opening
 * quote of a field never closed, a quote inside an unquoted field, or the character after a closing quote. The
 * text before it is valid CSV (csv-parse stops at the first fault), so a walk over fields and line ends finds it.
 */
function firstQuoteFault(text: string): { fault: QuoteFault; index: number; field: number } | null {
  let field = 0;
  for (let i = 0; i < text.length;) {
    if (text[i] === '"') {
      const opening = i;
      for (i++; ; i += 2) {
        i = text.indexOf('"', i);
        if (i === -1) return { fault: "unclosed", index: opening, field };
        if (text[i + 1] !== '"') break;
      }
      i++;
      if (i < text.length && !",\r\n".includes(text[i])) return { fault: "afterClosingQuote", index: i, field };
    } else {
      for (; i < text.length && !",\r\n".includes(text[i]); i++)
        if (text[i] === '"') return { fault: "quoteInUnquoted", index: i, field };
    }
    field = text[i] === "," ? field + 1 : 0;
    i++;
  }
  return null;
}

/**
 * The input's bytes from the last record handed out onwards, and the physical line there: turns csv-parse's byte
 * counts into the lines records start on, and its errors into line, column and character.
 */
class LineTracker {
  private window = Buffer.alloc(0);
  /** Absolute byte offsets: of window[0], and of the end of the last record handed out. */
  private base = 0;
  private handedOut = 0;
  private line = 1;
  private afterCR = false;

  append(chunk: Buffer): void {
    this.window = Buffer.concat([this.window.subarray(this.handedOut - this.base), chunk]);
    this.base = this.handedOut;
  }

  /** The text between two absolute byte offsets (to the end of what has arrived when `to` is left out). */
  private text(from: number, to?: number): string {
    const text = this.window.subarray(from - this.base, to === undefined ? undefined : to - this.base).toString("utf8");
    return from === 0 ? text.replace(/^\uFEFF/, "") : text;
  }

  /** A record csv-parse read, ending at byte `info.bytes`: its fields with the lines they start on. */
  record(fields: string[], info: Info): CsvRecord {
    const text = this.text(this.handedOut, info.bytes);
    const first = text.search(/[^\r\n]/);
    const line = this.line + lineBreaks(text.slice(0, Math.max(first, 0)), this.afterCR).count;
    const fieldLines: number[] = [];
    let fieldLine = line;
    for (const field of fields) {
      fieldLines.push(fieldLine);
      fieldLine += lineBreaks(field).count;
    }
    const consumed = lineBreaks(text, this.afterCR);
    this.line += consumed.count;
    this.afterCR = consumed.endsInCR;
    this.handedOut = info.bytes;
    return { fields, line, fieldLines };
  }

  /** csv-parse's error as a CsvError pointing at the character at fault (after the records handed out so far). */
  error(error: ParseError): CsvError {
    const text = this.text(this.handedOut);
    const found = firstQuoteFault(text);
    if (!found) return new CsvError(error.message, this.line, null);
    const { line, character } = positionIn(text, found.index, this.line, this.afterCR);
    return new CsvError(REASONS[found.fault](text, found.index), line, found.field + 1, null, null, character);
  }
}

function toRecords(rows: { record: string[]; info: Info }[], tracker: LineTracker): CsvRecord[] {
  return rows.map((row) => tracker.record(row.record, row.info));
}

/** Parses a whole string (tests, small inputs). */
export function parseCsv(text: string): CsvRecord[] {
  const tracker = new LineTracker();
  const bytes = Buffer.from(text, "utf8");
  tracker.append(bytes);
  let rows: { record: string[]; info: Info }[];
  try {
    rows = parseSync(bytes, PARSE_OPTIONS) as unknown as { record: string[]; info: Info }[];
  } catch (error) {
    throw error instanceof ParseError ? tracker.error(error) : error;
  }
  return toRecords(rows, tracker);
}

/** Streams records from bytes or text chunks; bytes must be UTF-8 (invalid UTF-8 is an error, not U+FFFD). */
export async function* readCsv(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<CsvRecord> {
  const tracker = new LineTracker();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let lastLine = 1;
  async function* checked(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const bytes =
        typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      try {
        decoder.decode(bytes, { stream: true });
      } catch {
        throw new CsvError(`the file is not valid UTF-8 text (after line ${lastLine})`, lastLine, null);
      }
      tracker.append(bytes);
      yield bytes;
    }
    try {
      decoder.decode();
    } catch {
      throw new CsvError(`the file is not valid UTF-8 text (after line ${lastLine})`, lastLine, null);
    }
  }
  const parser = parse(PARSE_OPTIONS);
  const feeding = pipeline(Readable.from(checked()), parser);
  // The records are read below; an error of either side surfaces there, so this copy of it is not needed.
  feeding.catch(() => {});
  try {
    for await (const row of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const record = tracker.record(row.record, row.info);
      lastLine = record.line;
      yield record;
    }
    await feeding;
  } catch (error) {
    throw error instanceof ParseError ? tracker.error(error) : error;
  } finally {
    parser.destroy();
  }
}

/** Streams a CSV file (gunzipped when the name ends in .gz); errors carry the file name. */
export async function* readCsvFile(file: string): AsyncGenerator<CsvRecord> {
  const raw = fs.createReadStream(file);
  const stream = file.endsWith(".gz") ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on("error", (error) => stream.destroy(error));
  try {
    for await (const record of readCsv(stream as AsyncIterable<Uint8Array>)) yield record;
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
