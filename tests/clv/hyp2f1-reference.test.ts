/**
 * 2F1 against an independent reference: tests/fixtures/hyp2f1/reference.csv, computed by mpmath 1.3 at 30 digits
 * (tests/fixtures/hyp2f1/generate.py). The rows are the parameters BG/NBD and MBG/NBD hand to 2F1 (x up to 200, z up
 * to 0.99999, the demo shop's degenerate MBG/NBD fit with b ≈ 6·10^7) and textbook cases with c − a − b near an
 * integer, where the z → 1 − z transformation cancels.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Hyp2f1Error, scaledHyp2f1 } from "../../app/lifecycle/clv/special";

interface ReferenceRow {
  name: string;
  A: number;
  B: number;
  C: number;
  z: number;
  s: number;
  value: number;
}

function readReference(): ReferenceRow[] {
  const file = path.resolve(import.meta.dirname, "../fixtures/hyp2f1/reference.csv");
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
  const [header, ...rows] = lines;
  expect(header).toBe("case,A,B,C,z,s,value");
  return rows.map((line) => {
    const [name, ...numbers] = line.split(",");
    const [A, B, C, z, s, value] = numbers.map(Number);
    return { name, A, B, C, z, s, value };
  });
}

const reference = readReference();

describe("scaledHyp2f1 against mpmath", () => {
  it("has the table's rows (every model, x up to 200, z up to 0.99999)", () => {
    expect(reference.length).toBeGreaterThan(130);
    expect(Math.max(...reference.map((r) => r.z))).toBeCloseTo(0.99999, 10);
    expect(reference.some((r) => r.name === "mbgnbd-demo-x200")).toBe(true);
  });

  it.each(reference.map((r) => [`${r.name} z=${r.z}`, r] as const))("%s within 1e-9 relative", (_, r) => {
    const got = scaledHyp2f1(r.A, r.B, r.C, r.z, r.s);
    expect(Math.abs(got - r.value) / Math.abs(r.value)).toBeLessThan(1e-9);
  });

  it("reaches z = 0.99999 by the 1 − z route within 3,000 terms (the direct series would need ~3.7 million)", () => {
    const nearOne = reference.filter((r) => r.z > 0.9999 && r.name !== "textbook");
    expect(nearOne.length).toBeGreaterThan(10);
    for (const r of nearOne) {
      const got = scaledHyp2f1(r.A, r.B, r.C, r.z, r.s, { maxTerms: 3000 });
      expect(Math.abs(got - r.value) / Math.abs(r.value), r.name).toBeLessThan(1e-9);
    }
  });

  it("throws rather than returns a number it cannot vouch for", () => {
    // c − a − b = 1e-12 next to the integer 0: the 1 − z terms cancel to nothing and the series would need ~10^10
    // terms.
    expect(() => scaledHyp2f1(1, 1, 2 + 1e-12, 1 - 1e-9, 0)).toThrow(Hyp2f1Error);
  });
});
