/**
 * What each line of an import's bulk result file becomes, by export. Pure (it loads the mappings and nothing else),
 * so the import's parser thread maps lines with the same functions the calling thread would.
 */
import { journeyIsDropped, journeyIsKept } from "../domain/journey";
import { customerFromGraphql, orderFromGraphql } from "../ingest/facts";
import { journeyFromGraphql } from "../ingest/journey";
import { customerValues, journeyValues, orderValues } from "../models/row-values";

type OrderNode = Parameters<typeof orderFromGraphql>[0] & Parameters<typeof journeyFromGraphql>[0];

/**
 * An order line: its row's values, and its journey's values (kept), its gid (the journey's row goes) or null.
 * Arrays of plain values rather than objects: a thread hands them over for a tenth of what objects cost.
 */
export type ImportedOrder = [order: unknown[], journey: unknown[] | string | null];

export const IMPORT_LINES = {
  customers: (node: Parameters<typeof customerFromGraphql>[0]): unknown[] => customerValues(customerFromGraphql(node)),
  orders: (node: OrderNode): ImportedOrder => {
    const journey = journeyFromGraphql(node);
    const order = orderValues(orderFromGraphql(node));
    if (journeyIsKept(journey)) return [order, journeyValues(journey, new Date())];
    return [order, journeyIsDropped(journey) ? journey.orderGid : null];
  },
};

export type ImportKind = keyof typeof IMPORT_LINES;
export type ImportedLine<Kind extends ImportKind> = ReturnType<(typeof IMPORT_LINES)[Kind]>;

/** What the parser thread is started with. */
export interface ParseThreadData {
  kind: ImportKind;
  /** The file's name in error messages (its URL). */
  name: string;
  skipLines: number;
  /** Lines per message sent back (the reader joins them into the writer's batches). */
  batchLines: number;
}

/** The parser thread's messages: each completed batch of lines in order, each chunk's bytes once parsed, then the end. */
export type FromParseThread =
  | { type: "batch"; lastLine: number; values: unknown[] }
  | { type: "parsed"; bytes: number }
  | { type: "end" }
  | { type: "failed"; message: string };
