import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyCli } from "../../app/cli/classify";
import { CsvError, parseCsv } from "../../app/cli/csv.server";

let dir: string;
let n = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "classify-fuzz-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(content: string | Buffer): string {
  const name = path.join(dir, `in-${n++}.csv`);
  fs.writeFileSync(name, content);
  return name;
}

async function classify(orders: string | Buffer, customers?: string) {
  const out = path.join(dir, `out-${n++}.csv`);
  const args = ["--orders", file(orders), "--as-of", "2024-04-01", "--out", out];
  if (customers !== undefined) args.push("--customers", file(customers));
  let stderr = "";
  const code = await classifyCli(args, { stdout: () => undefined, stderr: (t) => (stderr += t) });
  const written = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : null;
  return { code, stderr, written };
}

/** Exit 0 with a complete file, or exit 2 with one located error line and no file: never 1 (an unexpected error). */
function expectCleanOutcome(result: Awaited<ReturnType<typeof classify>>): void {
  expect(result.code, result.stderr).not.toBe(1);
  if (result.code === 0) {
    expect(result.written?.startsWith("customer_id,stage,winback_tier,next_transition_at\n")).toBe(true);
  } else {
    expect(result.code).toBe(2);
    expect(result.written, "a failed run left an output file").toBeNull();
    expect(result.stderr).toMatch(/^classify: \S.*\n$/);
    expect(result.stderr).toMatch(/line \d+|empty/);
  }
  expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
}

const HEADER = "customer_id,order_id,created_at,total,refunded,cancelled,test";
const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    "",
    "0",
    "-1",
    "1e400",
    "12.505",
    "NaN",
    "Infinity",
    "true",
    "yes",
    "2024-02-30T00:00:00Z",
    "2024-01-01",
    "2024-01-01T00:00:00Z",
  ),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }).map(String),
  fc.string({ maxLength: 6 }).map((s) => `"${s.replaceAll('"', '""')}"`),
  fc.constantFrom('"unclosed', 'a"b', '"x"y', "\r", "\n", "\u0000", "\uFEFF"),
);
const row = fc.array(cell, { minLength: 0, maxLength: 9 }).map((cells) => cells.join(","));

describe("the classify CLI under malformed CSV", () => {
  it("random text as the orders file: a located error or a result, never a crash or half a file", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
        ),
        async (text) => {
          expectCleanOutcome(await classify(text));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a valid header over rows of wrong types, stray quotes and odd line ends", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 12 }), fc.constantFrom("\n", "\r\n", "\r"), async (rows, eol) => {
        expectCleanOutcome(await classify([HEADER, ...rows].join(eol)));
      }),
      { numRuns: 300 },
    );
  });

  it("a customers file of wrong types next to good orders", async () => {
    const orders = `${HEADER}\na,1,2024-01-10T10:00:00Z,20.00,0,false,false\n`;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 8 }), async (rows) => {
        expectCleanOutcome(await classify(orders, ["customer_id,email_marketing_state", ...rows].join("\n")));
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    ["an empty file", "", /empty/],
    [
      "a header without customer_id",
      "order_id,created_at,total\n1,2024-01-01T00:00:00Z,5\n",
      /unrecognised orders header/,
    ],
    ["a header only", `${HEADER}\n`, null],
    [
      "a date without a zone",
      `${HEADER}\na,1,2024-01-10T10:00:00,5,0,false,false\n`,
      /line 2, column 3 \(created_at\)/,
    ],
    [
      "a total that is not an amount",
      `${HEADER}\na,1,2024-01-10T10:00:00Z,ten,0,false,false\n`,
      /line 2, column 4 \(total\)/,
    ],
    ["an unclosed quote", `${HEADER}\n"a,1,2024-01-10T10:00:00Z,5,0,false,false\n`, /line 2/],
    [
      "a repeated order id",
      `${HEADER}\na,1,2024-01-10T10:00:00Z,5,0,0,0\nb,1,2024-01-11T10:00:00Z,5,0,0,0\n`,
      /already appeared on line 2/,
    ],
  ])("%s is reported where it is", async (_name, orders, message) => {
    const result = await classify(orders);
    expectCleanOutcome(result);
    if (message) expect(result.stderr).toMatch(message);
    else expect(result.code).toBe(0);
  });

  it("customer ids beyond 2^53 come out exactly as they went in", async () => {
    const ids = ["9007199254740993", "123456789012345678901234567890", "-9007199254740993"];
    const orders = [HEADER, ...ids.map((id, i) => `${id},${i + 1},2024-01-${10 + i}T00:00:00Z,5,0,0,0`)].join("\n");
    const result = await classify(orders);
    expect(result.code, result.stderr).toBe(0);
    expect(
      result
        .written!.trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(",")[0]),
    ).toEqual(ids);
  });

  it("a huge file (one 8 MB field, then 200,000 rows) is read without trouble", async () => {
    const giant = `${HEADER}\n"${"x".repeat(8 * 1024 * 1024)}",1,2024-01-10T00:00:00Z,5,0,0,0\n`;
    const first = await classify(giant);
    expect(first.code, first.stderr.slice(0, 300)).toBe(0);

    const lines = [HEADER];
    for (let i = 0; i < 200_000; i++)
      lines.push(
        `c${i % 20_000},${i},2023-${String((i % 12) + 1).padStart(2, "0")}-15T10:00:00Z,${(i % 90) + 5}.99,0,0,0`,
      );
    const big = await classify(lines.join("\n"));
    expect(big.code, big.stderr).toBe(0);
    expect(big.written!.trim().split("\n")).toHaveLength(20_001);
  }, 120_000);

  it("the CSV reader only ever fails with a CsvError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseCsv(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CsvError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
