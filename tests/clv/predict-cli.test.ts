import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { predictCli } from "../../app/cli/predict";
import { buildSummary, fitGammaGamma } from "../../app/lifecycle/clv/index";
import {
  CDNOW_CALIBRATION_END,
  cdnowDate,
  loadCdnowMaster,
  loadCdnowSample,
  PUBLISHED_BGNBD,
  SUMMARY_CSV,
  SUMMARY_WITH_TX_CSV,
} from "./cdnow";

/** MBG/NBD on the CDNOW summary as BTYDplus estimates it (and lifetimes' ModifiedBetaGeoFitter test reproduces). */
const PUBLISHED_MBGNBD = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "predict-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await predictCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("npm run predict -- --summary", () => {
  it("prints exactly one JSON object with the BG/NBD and MBG/NBD estimates (no gammaGamma without zbar)", async () => {
    const { code, stdout } = await run("--summary", SUMMARY_CSV);
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(["bgnbd", "mbgnbd"]);
    expect(Object.keys(out.bgnbd)).toEqual(["r", "alpha", "a", "b", "logLikelihood"]);
    expect(Object.keys(out.mbgnbd)).toEqual(["r", "alpha", "a", "b", "logLikelihood"]);
    for (const k of ["r", "alpha", "a", "b"] as const)
      expect(Math.abs(out.bgnbd[k] - PUBLISHED_BGNBD[k])).toBeLessThan(1e-3);
    expect(Math.abs(out.bgnbd.logLikelihood + 9582.43)).toBeLessThan(0.005);
    for (const k of ["r", "alpha", "a", "b"] as const)
      expect(Math.abs(out.mbgnbd[k] - PUBLISHED_MBGNBD[k])).toBeLessThan(1e-3);
    // MBG/NBD has the same four parameters and fits CDNOW a little better.
    expect(out.mbgnbd.logLikelihood).toBeGreaterThan(out.bgnbd.logLikelihood);
  });

  it("adds gammaGamma when the file has zbar (x, t_x, T, zbar header)", async () => {
    const { code, stdout } = await run("--summary", SUMMARY_WITH_TX_CSV);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(["bgnbd", "mbgnbd", "gammaGamma"]);
    expect(Object.keys(out.gammaGamma)).toEqual(["p", "q", "v"]);
    expect(Math.abs(out.gammaGamma.p - 6.25)).toBeLessThan(0.005);
    expect(Math.abs(out.gammaGamma.q - 3.74)).toBeLessThan(0.005);
    expect(Math.abs(out.gammaGamma.v - 15.45)).toBeLessThan(0.005);
  });

  it("reports bad input with file, line, column and reason, exit code 2, nothing on stdout", async () => {
    const cases: [string, RegExp][] = [
      [
        "ID,frequency,recency,T\n1,2,30.43,38.86\n2,two,1,38.86\n",
        /line 3, column 2 \(frequency\): expected a number, got "two"/,
      ],
      ["ID,frequency,recency,T\n1,2,40,38.86\n", /line 2, column 3 \(recency\): recency 40 exceeds T 38.86/],
      ["ID,frequency,recency,T\n1,1.5,3,38.86\n", /line 2, column 2 \(frequency\): .*whole number/],
      [
        "ID,frequency,recency,T\n1,0,0,38\n1,0,0,38\n",
        /line 3, column 1 \(ID\): customer 1 already appeared on line 2/,
      ],
      ["ID,frequency,T\n1,2,38\n", /line 1: .*missing recency/],
      ["ID,x,t_x,T,zbar\n1,2,30,38,cheap\n", /line 2, column 5 \(zbar\): expected a number, got "cheap"/],
      ["ID,frequency,recency,T\n1,2,30\n", /line 2: expected 4 fields/],
      ["", /empty/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const file = write(`bad-${i}.csv`, text);
      const { code, stdout, stderr } = await run("--summary", file);
      expect(code, text).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(file);
      expect(stderr).toMatch(message);
    }
    const missing = await run("--summary", path.join(dir, "nope.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    expect((await run("--orders", SUMMARY_CSV)).code).toBe(2);
    expect((await run("--summary", SUMMARY_CSV, "--orders", SUMMARY_CSV)).code).toBe(2);
  });
});

describe("npm run predict -- --summary on the CDNOW master file (23,570 customers)", () => {
  // The summary of every master customer as of the calibration end, zbar from all repeat days, $0 ones included:
  // customer 10244's only repeat purchase was worth $0, so its zbar is 0.
  const rows = buildSummary(
    loadCdnowMaster().map((t) => ({ customerId: t.masterId, at: cdnowDate(t.date), value: t.dollars })),
    CDNOW_CALIBRATION_END,
  );
  const csv = (keep: (r: (typeof rows)[number]) => boolean) =>
    `ID,x,t_x,T,zbar\n${rows
      .filter(keep)
      .map((r) => `${r.customerId},${r.x},${r.tx},${r.T},${r.zbar}`)
      .join("\n")}\n`;

  it("leaves the non-positive zbar row out of Gamma-Gamma with a count on stderr, instead of failing the run", async () => {
    expect(rows.filter((r) => r.x > 0 && !(r.zbar > 0)).map((r) => r.customerId)).toEqual(["10244"]);
    const all = await run(
      "--summary",
      write(
        "master.csv",
        csv(() => true),
      ),
    );
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(
      /predict: 1 repeat buyer with a zbar of 0 or less left out of the spend model \(Gamma-Gamma\)/,
    );
    expect(all.stderr).toMatch(/Gamma-Gamma: converged .* 9450 customers/);
    expect(all.stderr).toMatch(/MBG\/NBD: converged .* 23570 customers/);
    // The spend model is the one of the other 9,450 repeat buyers, fitted directly.
    const others = rows.filter((r) => r.x > 0 && r.customerId !== "10244");
    const direct = fitGammaGamma({ x: others.map((r) => r.x), zbar: others.map((r) => r.zbar) }).params;
    const printed = JSON.parse(all.stdout).gammaGamma;
    for (const k of ["p", "q", "v"] as const) expect(printed[k]).toBe(Number(direct[k].toPrecision(10)));
  }, 120_000);
});

describe("npm run predict -- --orders --calibration-end", () => {
  // The CDNOW sample as an orders export, plus orders that must not count. CDNOW has 8 free ($0.00) orders, each
  // the only purchase of its customer; the app ignores unpaid orders, so they are written as 0.01 here to keep the
  // published 2,357-customer base (a first purchase does not enter zbar, so spend is unchanged).
  const sample = loadCdnowSample();
  const ordersCsv = (freeAs: string) => {
    const lines = ["customer_id,order_id,created_at,total,refunded,cancelled,test"];
    sample.forEach((t, i) => {
      // Noon at UTC−05:00 is 17:00 UTC: still the same UTC day.
      const iso = `${t.date.slice(0, 4)}-${t.date.slice(4, 6)}-${t.date.slice(6, 8)}T12:00:00-05:00`;
      const total = t.dollars === 0 ? freeAs : t.dollars.toFixed(2);
      lines.push(`${Number(t.sampleId)},o${i},${iso},${total},0,false,false`);
    });
    // Non-qualifying orders for customer 1 inside the calibration period: would add repeat days if counted.
    lines.push("1,x1,1997-03-03T12:00:00Z,50.00,0,true,false");
    lines.push("1,x2,1997-03-04T12:00:00Z,50.00,0,false,true");
    lines.push("1,x3,1997-03-05T12:00:00Z,50.00,50.00,false,false");
    lines.push("1,x4,1997-03-06T12:00:00Z,0.00,,,");
    return `${lines.join("\n")}\n`;
  };
  const ordersFile = write("orders.csv", ordersCsv("0.01"));

  it("counts only qualifying orders: the 8 free CDNOW orders leave 2,349 customers", async () => {
    const { code, stderr } = await run(
      "--orders",
      write("orders-free.csv", ordersCsv("0.00")),
      "--calibration-end",
      "1997-09-30",
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/2349 customers from 6911 qualifying of 6923 orders/);
  });

  it("builds the summary from qualifying orders and reproduces the CDNOW estimates (v = 15.44 with exact zbar)", async () => {
    const { code, stdout, stderr } = await run("--orders", ordersFile, "--calibration-end", "1997-09-30");
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout);
    for (const k of ["r", "alpha", "a", "b"] as const)
      expect(Math.abs(out.bgnbd[k] - PUBLISHED_BGNBD[k])).toBeLessThan(1e-3);
    expect(Math.abs(out.gammaGamma.p - 6.25)).toBeLessThan(0.005);
    expect(Math.abs(out.gammaGamma.q - 3.74)).toBeLessThan(0.005);
    expect(Math.abs(out.gammaGamma.v - 15.44)).toBeLessThan(0.005);
    expect(stderr).toMatch(/2357 customers from 6919 qualifying of 6923 orders/);
  });

  it("reports a bad order line with its line number, exit code 2", async () => {
    const bad = [
      [
        "customer_id,order_id,created_at,total\n1,a,2024-01-01T10:00:00,10\n",
        /line 2, column 3 \(created_at\): .*time zone/,
      ],
      [
        "customer_id,order_id,created_at,total\n1,a,2024-01-01T10:00:00Z,10\n2,a,2024-01-02T10:00:00Z,5\n",
        /line 3, column 2 \(order_id\): order a already appeared on line 2/,
      ],
      [
        "customer_id,order_id,created_at,total,cancelled\n1,a,2024-01-01T10:00:00Z,10,maybe\n",
        /line 2, column 5 \(cancelled\)/,
      ],
      [
        "customer_id,order_id,created_at,total\n1,a,2024-01-01T10:00:00Z,1O.00\n",
        /line 2, column 4 \(total\): expected a decimal amount/,
      ],
      ["customer,order_id,created_at,total\n", /line 1: .*missing customer_id/],
    ] as const;
    for (const [i, [text, message]] of bad.entries()) {
      const file = write(`bad-orders-${i}.csv`, text);
      const { code, stdout, stderr } = await run("--orders", file, "--calibration-end", "2024-06-30");
      expect(code, text).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(message);
    }
    const badDate = await run("--orders", ordersFile, "--calibration-end", "1997-13-01");
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--calibration-end/);
    const none = await run("--orders", ordersFile, "--calibration-end", "1990-01-01");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/none of the .* orders qualifies/);
  });

  it("runs as a real process: JSON on stdout, exit 0; bad input exit 2", () => {
    const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
    const cli = path.join(ROOT, "app", "cli", "predict.ts");
    const stdout = execFileSync(tsx, [cli, "--summary", SUMMARY_CSV], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    }).toString();
    expect(JSON.parse(stdout).bgnbd.r).toBeCloseTo(0.2426, 3);
    const bad = write("bad-process.csv", "ID,frequency,recency,T\n1,x,0,1\n");
    let status = 0;
    try {
      execFileSync(tsx, [cli, "--summary", bad], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
