/**
 * Bulk operation results on disk, as Shopify serves them from storage: a shop of millions of orders is exported page
 * by page into a file instead of one string in memory, and downloads stream from it. The files live in a temporary
 * folder of their own, removed when the dev store closes.
 */
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface BulkResultFile {
  path: string;
  /** JSONL lines written (the operation's objectCount). */
  lines: number;
  bytes: number;
}

export interface BulkResultWriter {
  /** Appends lines, waiting while the disk catches up. */
  add(lines: readonly string[]): Promise<void>;
  /** Closes the file; null (and no file) when nothing was written: Shopify gives an empty result no URL. */
  finish(): Promise<BulkResultFile | null>;
}

export class BulkResultFiles {
  private dir: string | null = null;

  writer(operationId: number): BulkResultWriter {
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "devstore-bulk-"));
    const file = path.join(this.dir, `${operationId}.jsonl`);
    const out = fs.createWriteStream(file);
    let lines = 0;
    let bytes = 0;
    const opened = new Promise<void>((resolve, reject) => out.once("open", () => resolve()).once("error", reject));
    return {
      async add(batch) {
        if (batch.length === 0) return;
        const text = `${batch.join("\n")}\n`;
        lines += batch.length;
        bytes += Buffer.byteLength(text);
        if (!out.write(text)) await once(out, "drain");
      },
      async finish() {
        await opened;
        await new Promise<void>((resolve, reject) =>
          out.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
        if (lines > 0) return { path: file, lines, bytes };
        fs.rmSync(file, { force: true });
        return null;
      },
    };
  }

  removeAll(): void {
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
