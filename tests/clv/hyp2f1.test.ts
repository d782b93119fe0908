import { describe, expect, it } from "vitest";
import { hyp2f1, Hyp2f1Error, lgamma, logAddExp } from "../../app/lifecycle/clv/index";

const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe("lgamma", () => {
  it("matches known values of ln Γ to about 1e-14", () => {
    expect(Math.abs(lgamma(1))).toBeLessThan(1e-14);
    expect(Math.abs(lgamma(2))).toBeLessThan(1e-14);
    expect(Math.abs(lgamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    expect(Math.abs(lgamma(10) - Math.log(362880))).toBeLessThan(1e-13);
    expect(rel(lgamma(100), 359.1342053695754)).toBeLessThan(1e-15);
    expect(rel(lgamma(1e-8), 18.420680738180209)).toBeLessThan(1e-14);
    expect(Math.abs(lgamma(-0.5) - Math.log(2 * Math.sqrt(Math.PI)))).toBeLessThan(1e-14);
  });
  it("satisfies Γ(x+1) = x Γ(x) across the shift boundary", () => {
    for (const x of [0.01, 0.3, 1.7, 9.5, 14.2, 14.99, 15, 30.5]) {
      expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x))).toBeLessThan(1e-13);
    }
  });
});

describe("logAddExp", () => {
  it("does not overflow and handles -Infinity", () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-Infinity, -3)).toBe(-3);
    expect(logAddExp(-1e4, -1e4 - 800)).toBe(-1e4);
  });
});

describe("hyp2f1", () => {
  it("2F1(1,1;2;z) = −ln(1−z)/z for z in (0,1), including z close to 1", () => {
    for (const z of [1e-6, 0.1, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 0.99999]) {
      expect(rel(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-10);
    }
  });
  it("2F1(1,1;2;z) = −ln(1−z)/z at z = 1 − 1e-12 (c − a − b = 0: the integer limit of the 1 − z transformation)", () => {
    const z = 1 - 1e-12;
    expect(rel(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-10);
  });
  it("2F1(1,1;2;z) = ln(1−z)/(−z) for negative z, including very negative z (Pfaff)", () => {
    for (const z of [-1e-6, -0.3, -0.5, -1, -5, -100, -1e4]) {
      expect(rel(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-10);
    }
  });
  it("2F1(a,b;b;z) = (1−z)^−a for positive, near-1 and negative z", () => {
    for (const [a, b] of [
      [2.5, 1.3],
      [0.2426, 2.4258],
      [-1.5, 4],
      [7, 0.5],
    ]) {
      for (const z of [0.2, 0.6, 0.95, 0.999, -0.4, -3, -50]) {
        expect(rel(hyp2f1(a, b, b, z), Math.pow(1 - z, -a))).toBeLessThan(1e-10);
      }
    }
  });
  it("matches the arcsin and arctan closed forms", () => {
    for (const s of [0.1, 0.5, 0.9, 0.99]) {
      expect(rel(hyp2f1(0.5, 0.5, 1.5, s * s), Math.asin(s) / s)).toBeLessThan(1e-10);
    }
    for (const s of [0.1, 1, 3, 30]) {
      expect(rel(hyp2f1(0.5, 1, 1.5, -s * s), Math.atan(s) / s)).toBeLessThan(1e-10);
    }
  });
  it("terminates for a non-positive integer parameter (polynomial)", () => {
    // 2F1(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
    const b = 1.7;
    const c = 3.2;
    for (const z of [0.3, 0.9, -2, -40]) {
      const want = 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1));
      expect(rel(hyp2f1(-2, b, c, z), want)).toBeLessThan(1e-12);
    }
  });
  it("applies Gauss's theorem at z = 1 and refuses a divergent z = 1", () => {
    // 2F1(1,1;3;1) = Γ(3)Γ(1)/(Γ(2)Γ(2)) = 2
    expect(rel(hyp2f1(1, 1, 3, 1), 2)).toBeLessThan(1e-13);
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(Hyp2f1Error);
  });
  it("handles large parameters near z = 1 via the Euler transformation instead of overflowing", () => {
    // 2F1(a, b; b; z) with big a: the direct series would overflow.
    const v = hyp2f1(300, 301, 301, 0.9);
    expect(rel(v, Math.pow(0.1, -300))).toBeLessThan(1e-10);
  });
  it("throws (never clamps or returns 0) when it cannot converge", () => {
    // c − a − b = 1e-12: the 1 − z transformation cancels to nothing, the integer limit does not apply, and the
    // series would need ~10^10 terms.
    expect(() => hyp2f1(1, 1, 2 + 1e-12, 1 - 1e-9)).toThrow(Hyp2f1Error);
    expect(() => hyp2f1(1, 1, 2, 0.5, { maxTerms: 20 })).toThrow(/did not converge/);
    expect(() => hyp2f1(1, 1, 2, 1.5)).toThrow(/branch cut/);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(/pole/);
    expect(() => hyp2f1(NaN, 1, 2, 0.5)).toThrow(Hyp2f1Error);
  });
  it("is 1 at z = 0 and for a = 0", () => {
    expect(hyp2f1(3, 4, 5, 0)).toBe(1);
    expect(hyp2f1(0, 4, 5, 0.7)).toBe(1);
  });
});
