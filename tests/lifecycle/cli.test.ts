import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyCli, parseAmount, parseAsOf, parseBoolean, parseInstantWithZone } from "../../app/cli/classify";

const ROOT = path.resolve(import.meta.dirname, "../..");

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "classify-"));
}

async function run(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await classifyCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return {
    code,
    stdout,
    stderr,
    rows: stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",")),
  };
}

const ORDERS = [
  "customer_id,order_id,created_at,total,refunded,cancelled,test",
  "alice,1,2024-01-10T10:00:00Z,20.00,0,false,false",
  "alice,2,2024-02-10T10:00:00+01:00,15.50,0,0,0",
  "alice,3,2024-03-10T10:00:00Z,9.99,,,",
  "bob,4,2023-06-01T00:00:00Z,40,0,false,false",
  "carol,5,2024-03-01T00:00:00Z,10,10,false,false",
  "dave,6,2024-03-01T00:00:00Z,10,0,TRUE,false",
  "erin,7,2024-03-01T00:00:00Z,10,0,false,1",
].join("\n");

describe("classify CLI", () => {
  it("writes one row per customer with stage, tier and next transition, and a summary per stage on stderr", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "orders.csv"), ORDERS);
    fs.writeFileSync(
      path.join(dir, "customers.csv"),
      "customer_id,email_marketing_state\r\ncarol,SUBSCRIBED\r\nfrank,subscribed\r\ngina,PENDING\r\n",
    );
    const r = await run([
      "--orders",
      path.join(dir, "orders.csv"),
      "--customers",
      path.join(dir, "customers.csv"),
      "--as-of",
      "2024-04-01",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("customer_id,stage,winback_tier,next_transition_at");
    expect(r.rows).toEqual([
      // gaps of 31 days − 1 h and 29 days + 1 h (2024 is a leap year) → median 30 → lapses 60 days after 2024-03-10T10:00Z
      ["alice", "regular-buyer", "", "2024-05-09T10:00:00.000Z"],
      // 2023-06-01 + 360 days (tier 360) across 2024-02-29
      ["bob", "lapsed", "180", "2024-05-26T00:00:00.000Z"],
      ["carol", "enquirer", "", ""],
      ["dave", "visitor", "", ""],
      ["erin", "visitor", "", ""],
      ["frank", "enquirer", "", ""],
      ["gina", "visitor", "", ""],
    ]);
    expect(r.stderr).toMatch(/classified 7 customers as of 2024-04-01T00:00:00.000Z/);
    expect(r.stderr).toMatch(/^visitor\s+3$/m);
    expect(r.stderr).toMatch(/^enquirer\s+2$/m);
    expect(r.stderr).toMatch(/^lapsed\s+1$/m);
    expect(r.stderr).toMatch(/small-shop fallback/);
  });

  it("--mode fixed uses 90 days for everyone", async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "orders.csv"),
      "customer_id,order_id,created_at,total\na,1,2024-01-01T00:00:00Z,5\na,2,2024-01-02T00:00:00Z,5\n",
    );
    const cadence = await run(["--orders", path.join(dir, "orders.csv"), "--as-of", "2024-03-01"]);
    const fixed = await run(["--orders", path.join(dir, "orders.csv"), "--as-of", "2024-03-01", "--mode", "fixed"]);
    expect(cadence.rows[0][1]).toBe("repeat-buyer");
    expect(fixed.rows[0]).toEqual(["a", "repeat-buyer", "", "2024-04-01T00:00:00.000Z"]);
  });

  it("reads Shopify's orders export: one order per Name, customer = Email, voided and refunded ignored", async () => {
    const dir = tempDir();
    const csv = [
      "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Cancelled at,Refunded Amount,Id",
      '#1001,Ann@Example.com,paid,2024-01-15 10:22:35 +0100,fulfilled,yes,EUR,20.00,24.00,2024-01-15 10:22:33 +0100,1,"Mug, large",,0.00,1',
      "#1001,Ann@Example.com,,,,,,,,,2,Saucer,,,",
      "#1002,ann@example.com,partially_refunded,,,no,EUR,30.00,30.00,2024-02-20 08:00:00 +0100,1,Teapot,,10.00,2",
      "#1003,ben@example.com,voided,,,no,EUR,5.00,5.00,2024-02-21 08:00:00 -0500,1,Spoon,,,3",
      "#1004,cy@example.com,refunded,,,no,EUR,5.00,5.00,2024-02-22 08:00:00 +0000,1,Spoon,,5.00,4",
      '#1005,dee@example.com,paid,,,no,EUR,5.00,5.00,2024-02-23 08:00:00 +0000,1,"Fork ""Deluxe""",2024-02-23 09:00:00 +0000,,5',
      "#1006,,paid,,,no,EUR,5.00,5.00,2024-02-24 08:00:00 +0000,1,POS sale,,,6",
      "#1007,ed@example.com,paid,,,no,EUR,5.00,5.00,2024-03-20 08:00:00 +0000,1,Knife,,,7",
    ].join("\r\n");
    fs.writeFileSync(path.join(dir, "export.csv"), `\uFEFF${csv}\r\n`);
    fs.writeFileSync(
      path.join(dir, "customers.csv"),
      "customer_id,email_marketing_state\nBEN@example.com,SUBSCRIBED\n",
    );
    const r = await run([
      "--orders",
      path.join(dir, "export.csv"),
      "--customers",
      path.join(dir, "customers.csv"),
      "--as-of",
      "2024-03-25T00:00:00Z",
    ]);
    expect(r.code).toBe(0);
    expect(r.rows.map((row) => row.slice(0, 2))).toEqual([
      ["ann@example.com", "repeat-buyer"],
      ["ben@example.com", "enquirer"],
      ["cy@example.com", "visitor"],
      ["dee@example.com", "visitor"],
      ["ed@example.com", "first-time-buyer"],
    ]);
    expect(r.stderr).toMatch(/Shopify orders export/);
    expect(r.stderr).toMatch(/skipped 1 orders without an email/);
  });

  it("a date-time without a zone stops with file, line and column, exit code 2, and no --out file", async () => {
    const dir = tempDir();
    const orders = path.join(dir, "orders.csv");
    const out = path.join(dir, "out.csv");
    fs.writeFileSync(
      orders,
      "customer_id,order_id,created_at,total\na,1,2024-01-01T00:00:00Z,5\nb,2,2024-01-02 10:00:00,5\n",
    );
    const r = await run(["--orders", orders, "--as-of", "2024-03-01", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${orders}, line 3, column 3 (created_at): expected an ISO 8601 date-time with a time zone`,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(["orders.csv"]);
  });

  it("a failed run leaves an existing --out file as it was", async () => {
    const dir = tempDir();
    const out = path.join(dir, "out.csv");
    fs.writeFileSync(out, "previous\n");
    fs.writeFileSync(
      path.join(dir, "orders.csv"),
      "customer_id,order_id,created_at,total\na,1,2024-01-01T00:00:00Z,five\n",
    );
    const r = await run(["--orders", path.join(dir, "orders.csv"), "--as-of", "2024-03-01", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2, column 4 \(total\): expected a decimal amount/);
    expect(fs.readFileSync(out, "utf8")).toBe("previous\n");
  });

  it("--out receives the whole CSV on success and stdout stays empty", async () => {
    const dir = tempDir();
    const out = path.join(dir, "out.csv");
    fs.writeFileSync(
      path.join(dir, "orders.csv"),
      'customer_id,order_id,created_at,total\n"x, y",1,2024-01-01T00:00:00Z,5\n',
    );
    const r = await run(["--orders", path.join(dir, "orders.csv"), "--as-of", "2024-03-01", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(fs.readFileSync(out, "utf8")).toBe(
      'customer_id,stage,winback_tier,next_transition_at\n"x, y",first-time-buyer,,2024-03-31T00:00:00.000Z\n',
    );
  });

  const badInputs: [string, string, RegExp][] = [
    [
      "a bad boolean",
      "customer_id,order_id,created_at,total,cancelled\na,1,2024-01-01T00:00:00Z,5,maybe\n",
      /line 2, column 5 \(cancelled\): expected true, false, 1 or 0/,
    ],
    [
      "a repeated order id",
      "customer_id,order_id,created_at,total\na,1,2024-01-01T00:00:00Z,5\nb,1,2024-01-01T00:00:00Z,5\n",
      /line 3, column 2 \(order_id\): order 1 already appeared on line 2/,
    ],
    ["an unknown header", "who,when\na,b\n", /line 1: unrecognised orders header/],
    [
      "an empty customer id",
      "customer_id,order_id,created_at,total\n,1,2024-01-01T00:00:00Z,5\n",
      /line 2, column 1 \(customer_id\): customer_id is empty/,
    ],
    [
      "an impossible date",
      "customer_id,order_id,created_at,total\na,1,2024-02-30T00:00:00Z,5\n",
      /line 2, column 3 \(created_at\)/,
    ],
    [
      "a broken quote",
      'customer_id,order_id,created_at,total\na,1,"2024-01-01T00:00:00Z,5\n',
      /line 2, column 3, character 5: a quoted field is never closed/,
    ],
    ["an empty file", "", /line 1: the orders file is empty/],
  ];
  for (const [name, content, message] of badInputs) {
    it(`reports ${name} with exit code 2`, async () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "orders.csv"), content);
      const r = await run(["--orders", path.join(dir, "orders.csv"), "--as-of", "2024-03-01"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    });
  }

  it("reports a bad email marketing state in the customers file", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "orders.csv"), "customer_id,order_id,created_at,total\n");
    fs.writeFileSync(path.join(dir, "customers.csv"), "customer_id,email_marketing_state\na,YES\n");
    const r = await run([
      "--orders",
      path.join(dir, "orders.csv"),
      "--customers",
      path.join(dir, "customers.csv"),
      "--as-of",
      "2024-03-01",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/customers.csv, line 2, column 2 \(email_marketing_state\): expected one of SUBSCRIBED/);
  });

  it("usage errors exit with 2", async () => {
    expect((await run(["--as-of", "2024-01-01"])).code).toBe(2);
    expect((await run(["--orders", "x.csv"])).stderr).toMatch(/--as-of is required/);
    expect((await run(["--orders", "x.csv", "--as-of", "2024-01-01T10:00"])).stderr).toMatch(/is not a date/);
    expect((await run(["--orders", "x.csv", "--as-of", "2024-01-01", "--mode", "weekly"])).stderr).toMatch(
      /--mode must be cadence or fixed/,
    );
    expect((await run(["--orders", "/nonexistent/x.csv", "--as-of", "2024-01-01"])).stderr).toMatch(/no such file/);
    expect((await run(["--bogus"])).code).toBe(2);
  });

  it("runs as `npm run classify` and exits with 2 on bad input", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "orders.csv"), "customer_id,order_id,created_at,total\na,1,2024-01-01,5\n");
    let status = 0;
    let stderr = "";
    try {
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
          "app/cli/classify.ts",
          "--orders",
          path.join(dir, "orders.csv"),
          "--as-of",
          "2024-03-01",
        ],
        {
          cwd: ROOT,
          stdio: "pipe",
        },
      );
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/line 2, column 3 \(created_at\)/);
  });
});

describe("CLI value parsing", () => {
  it("parses ISO date-times with Z, offsets with or without colon, fractions, and Shopify's format", () => {
    expect(parseInstantWithZone("2024-01-15T10:22:33Z")).toBe(Date.UTC(2024, 0, 15, 10, 22, 33));
    expect(parseInstantWithZone("2024-01-15T10:22:33.250+02:00")).toBe(Date.UTC(2024, 0, 15, 8, 22, 33, 250));
    expect(parseInstantWithZone("2024-01-15 10:22:33 +0100")).toBe(Date.UTC(2024, 0, 15, 9, 22, 33));
    expect(parseInstantWithZone("2024-01-15T10:22-05")).toBe(Date.UTC(2024, 0, 15, 15, 22));
  });
  it("rejects date-times without a zone and impossible dates", () => {
    for (const text of [
      "2024-01-15T10:22:33",
      "2024-01-15",
      "2024-13-01T00:00Z",
      "2023-02-29T00:00Z",
      "2024-01-15T24:00Z",
      "yesterday",
    ]) {
      expect(parseInstantWithZone(text)).toBeNull();
    }
  });
  it("--as-of accepts a bare date as midnight UTC", () => {
    expect(parseAsOf("2011-12-10")).toBe(Date.UTC(2011, 11, 10));
    expect(parseAsOf("2011-12-10T00:00:00Z")).toBe(Date.UTC(2011, 11, 10));
    expect(parseAsOf("2011-12-10T00:00:00")).toBeNull();
  });
  it("parses amounts exactly, in millionths", () => {
    expect(parseAmount("12.50")).toBe(12_500_000);
    expect(parseAmount("-0.1")).toBe(-100_000);
    expect(parseAmount(".5")).toBe(500_000);
    expect(parseAmount("1000")).toBe(1_000_000_000);
    expect(parseAmount("0.000001")).toBe(1);
    for (const bad of ["", "1,5", "1.2.3", "abc", "0.0000001", "1e5"]) expect(parseAmount(bad)).toBeNull();
  });
  it("parses booleans true/false/1/0 in any case", () => {
    expect([
      parseBoolean("TRUE"),
      parseBoolean("false"),
      parseBoolean("1"),
      parseBoolean("0"),
      parseBoolean("yes"),
    ]).toEqual([true, false, true, false, null]);
  });
});
