import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvError, CsvHeader, parseCsv, readCsv, readCsvFile } from "../../app/cli/csv.server";

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe("CSV parsing", () => {
  it("splits plain fields and keeps empty ones, including a trailing one", () => {
    expect(fields("a,b,c\n1,,3\nx,y,\n")).toEqual([
      ["a", "b", "c"],
      ["1", "", "3"],
      ["x", "y", ""],
    ]);
  });
  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    expect(fields('id,text\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n')).toEqual([
      ["id", "text"],
      ["1", "a, b"],
      ["2", 'say "hi"'],
      ["3", "two\nlines"],
    ]);
  });
  it("counts physical lines across quoted line breaks", () => {
    const records = parseCsv('h\n"a\nb\nc"\nnext\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });
  it("accepts CRLF, LF and lone CR line ends, and a last line without one", () => {
    expect(fields("a,b\r\n1,2\r\n3,4")).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(fields("a\r1\r")).toEqual([["a"], ["1"]]);
    expect(fields('a\r\n"x\r\ny"\r\n')).toEqual([["a"], ["x\r\ny"]]);
  });
  it("drops a UTF-8 byte order mark", () => {
    expect(fields("\uFEFFcustomer_id,x\n1,2\n")[0]).toEqual(["customer_id", "x"]);
  });
  it("skips blank lines but keeps a quoted empty field", () => {
    expect(fields('a\n\n1\n""\n\n')).toEqual([["a"], ["1"], [""]]);
  });
  it("reports an unclosed quote with its line and column", () => {
    try {
      parseCsv('a,b\n1,"open\n2,3\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CsvError);
      const e = error as CsvError;
      expect([e.line, e.column, e.character]).toEqual([2, 2, 3]);
      expect(e.message).toMatch(/line 2, column 2, character 3: a quoted field is never closed/);
    }
  });
  it("rejects a quote inside an unquoted field rather than shifting columns", () => {
    expect(() => parseCsv('a,b\n1,5" screen\n')).toThrow(
      /line 2, column 2, character 4: a quote inside an unquoted field/,
    );
  });
  it("rejects text after a closing quote", () => {
    expect(() => parseCsv('a,b\n"x"y,2\n')).toThrow(
      /line 2, column 1, character 4: unexpected character "y" after a closing quote/,
    );
  });
  it("gives the same records, on the same lines, however the bytes are split into chunks", async () => {
    const text = '\uFEFFa,b,c\r\n1,"x, ""y""\r\nz",3\r\n\r\n4,,\n"",5,"6"\r7,8,é';
    const whole = parseCsv(text);
    // Written out by hand: the records and the physical lines they start on (a CRLF, LF or lone CR ends a line).
    expect(whole.map((r) => [r.fields, r.line, r.fieldLines])).toEqual([
      [["a", "b", "c"], 1, [1, 1, 1]],
      [["1", 'x, "y"\r\nz', "3"], 2, [2, 2, 3]],
      [["4", "", ""], 5, [5, 5, 5]],
      [["", "5", "6"], 6, [6, 6, 6]],
      [["7", "8", "é"], 7, [7, 7, 7]],
    ]);
    const bytes = Buffer.from(text, "utf8");
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 8 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const chunks = async function* () {
            for (let i = 0; i < points.length - 1; i++) yield bytes.subarray(points[i], points[i + 1]);
          };
          expect(await collect(readCsv(chunks()))).toEqual(whole);
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });
  it("points a syntax error at the same line and character whether read whole or streamed", async () => {
    const text = 'a,b\r\n"x\r\ny",2\r\n3,"4\r\n';
    const streamed = collect(
      readCsv(
        (async function* () {
          yield text;
        })(),
      ),
    );
    await expect(streamed).rejects.toThrow(/line 4, column 2, character 3: a quoted field is never closed/);
    expect(() => parseCsv(text)).toThrow(/line 4, column 2, character 3: a quoted field is never closed/);
  });
  it("decodes UTF-8 split across byte chunks, and refuses invalid UTF-8", async () => {
    const bytes = Buffer.from("name\nコーヒー,é\n", "utf8");
    const chunks = async function* () {
      for (let i = 0; i < bytes.length; i += 2) yield bytes.subarray(i, i + 2);
    };
    expect((await collect(readCsv(chunks()))).map((r) => r.fields)).toEqual([["name"], ["コーヒー", "é"]]);
    const bad = async function* () {
      yield Buffer.from([0x61, 0x0a, 0xff, 0x0a]);
    };
    await expect(collect(readCsv(bad()))).rejects.toThrow(/not valid UTF-8/);
  });
  it("reads gzip files and names the file in errors", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "csv-"));
    const file = path.join(dir, "x.csv.gz");
    fs.writeFileSync(file, zlib.gzipSync('a,b\n1,"2\n'));
    await expect(collect(readCsvFile(file))).rejects.toThrow(`${file}, line 2, column 2, character 3`);
    fs.writeFileSync(file, zlib.gzipSync("a,b\n1,2\n"));
    expect((await collect(readCsvFile(file))).map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });
  it("the header helper finds columns by name, case-insensitively, and points errors at them", () => {
    const [head, row] = parseCsv("Customer_ID , Total\nc1,abc\n");
    const header = new CsvHeader(head);
    expect(header.get(row, "customer_id")).toBe("c1");
    expect(header.error(row, "total", "not a number", "o.csv").message).toBe(
      "o.csv, line 2, column 2 (Total): not a number",
    );
    expect(() => new CsvHeader(parseCsv("a,A\n")[0])).toThrow(/appears twice/);
  });
});
