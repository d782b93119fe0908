/**
 * Seeded simulation from the BG/NBD (or MBG/NBD) and Gamma-Gamma generative
 * models (for tests and benchmarks). Deterministic: same seed → same data.
 *
 * Pure module: no I/O, no clock.
 */
import type { BgNbdParams } from "./bgnbd";
import type { GammaGammaParams } from "./gammaGamma";

/** sfc32 generator seeded through splitmix32; returns uniforms in (0, 1). */
export function createRng(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();
  return () => {
    const hi = next32() >>> 5; // 27 bits
    const lo = next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, rate) variate (Marsaglia & Tsang 2000, boosted for shape < 1). */
export function gammaVariate(u: () => number, shape: number, rate: number): number {
  if (shape < 1) return gammaVariate(u, shape + 1, rate) * Math.pow(u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let xn: number;
    let v: number;
    do {
      xn = normal(u);
      v = 1 + c * xn;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * xn * xn * xn * xn || Math.log(w) < 0.5 * xn * xn + d * (1 - v + Math.log(v))) {
      return (d * v) / rate;
    }
  }
}

export interface SimulationOptions {
  seed: number;
  /** Customers' first purchases are spread uniformly over this many days before the calibration end (default 365). */
  cohortDays?: number;
  /** "mbgnbd": a customer may also drop out right after the first purchase (default "bgnbd"). */
  model?: "bgnbd" | "mbgnbd";
  /** A customer simulated past this many repeat purchases is an error, not a long loop (default 100,000). */
  maxPurchasesPerCustomer?: number;
}

export interface SimulatedData {
  x: Int32Array;
  tx: Float64Array;
  /** Whole days / 7 (first purchases happen on a day). */
  T: Float64Array;
  /** Mean repeat-purchase value (0 for x = 0). */
  zbar: Float64Array;
}

/**
 * Simulates n customers: λ ~ Gamma(r, α), p ~ Beta(a, b); Poisson purchases at
 * rate λ after the first purchase at time 0, dropout with probability p after
 * each repeat purchase (MBG/NBD: also right after the first); observed until T. Spend: ν ~ Gamma(q, γ), each
 * purchase ~ Gamma(p, ν), so zbar ~ Gamma(p·x, ν·x).
 */
export function simulateCustomers(
  n: number,
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  options: SimulationOptions,
): SimulatedData {
  const u = createRng(options.seed);
  const cohortDays = options.cohortDays ?? 365;
  const maxPurchases = options.maxPurchasesPerCustomer ?? 100_000;
  const out: SimulatedData = {
    x: new Int32Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    zbar: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const T = (1 + Math.floor(u() * cohortDays)) / 7;
    const lambda = gammaVariate(u, bgnbd.r, bgnbd.alpha);
    const g1 = gammaVariate(u, bgnbd.a, 1);
    const g2 = gammaVariate(u, bgnbd.b, 1);
    const p = g1 / (g1 + g2);
    let t = 0;
    let x = 0;
    let tx = 0;
    const diesAtStart = options.model === "mbgnbd" && u() < p;
    while (!diesAtStart) {
      t += -Math.log(u()) / lambda;
      if (t > T) break;
      if (++x > maxPurchases)
        throw new RangeError(
          `customer #${i} made more than ${maxPurchases} purchases: λ = ${lambda} is not a purchase rate`,
        );
      tx = t;
      if (u() < p) break;
    }
    out.x[i] = x;
    out.tx[i] = tx;
    out.T[i] = T;
    if (x > 0) {
      const nu = gammaVariate(u, gammaGamma.q, gammaGamma.v);
      out.zbar[i] = gammaVariate(u, gammaGamma.p * x, nu * x);
    }
  }
  return out;
}
