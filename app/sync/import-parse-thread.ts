/**
 * The entry of an import's parser thread (import-reader.server.ts): it is sent the file's chunks in order (null at
 * the end), and sends back each completed batch of mapped lines, so that parsing and mapping run on the second core
 * while the calling thread writes the batch before.
 */
import { parentPort, workerData } from "node:worker_threads";
import { JsonlSplitter } from "../shopify/jsonl";
import { IMPORT_LINES, type FromParseThread, type ParseThreadData } from "./import-lines";

const port = parentPort!;
const { kind, name, skipLines, batchLines } = workerData as ParseThreadData;
const splitter = new JsonlSplitter(name, {
  skipLines,
  batchLines,
  map: IMPORT_LINES[kind] as (parsed: unknown) => unknown,
});
const send = (message: FromParseThread) => port.postMessage(message);

port.on("message", (chunk: Uint8Array | null) => {
  try {
    for (const { values, lastLine } of splitter.push(chunk)) send({ type: "batch", values, lastLine });
    send(chunk ? { type: "parsed", bytes: chunk.byteLength } : { type: "end" });
  } catch (error) {
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    port.close();
  }
});
