import { createHash, randomUUID } from "node:crypto";

/** Deterministic PRNG (mulberry32). Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stable 32-bit hash of a string (first 4 bytes of sha1). */
export function hash32(s: string): number {
  return createHash("sha1").update(s).digest().readUInt32BE(0);
}

/** Share in [0,1) derived from a string, stable across runs. */
export function hashShare(s: string): number {
  return hash32(s) / 4294967296;
}

export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export function parseGid(value: unknown): { type: string; id: number } | null {
  if (typeof value !== "string") return null;
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/.exec(value);
  if (!m) return null;
  return { type: m[1], id: Number(m[2]) };
}

/** Money is kept in minor units (pence/cents) to avoid float drift. */
export function formatMinor(minor: number): string {
  const neg = minor < 0;
  const abs = Math.abs(Math.round(minor));
  const s = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
  return neg ? `-${s}` : s;
}

export function toMinor(amount: number | string): number {
  return Math.round(Number(amount) * 100);
}

/** ISO 8601 in UTC without milliseconds, as Shopify's DateTime scalar prints it. */
export function iso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function uuid(): string {
  return randomUUID();
}

export function b64url(buf: Buffer | string): string {
  return Buffer.from(buf).toString("base64url");
}

export function shuffleInPlace<T>(arr: T[], rand: () => number): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
  return arr;
}

/** Offset of `tz` from UTC at `at`, in minutes (e.g. -300 for New York in winter). */
export function tzOffsetMinutes(tz: string, at: number): number {
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(at));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60000);
  } catch {
    return 0;
  }
}

/** REST/webhook timestamp in the shop's offset, e.g. "2021-12-31T19:00:00-05:00". */
export function restTime(ms: number | null | undefined, tz: string): string | null {
  if (ms === null || ms === undefined) return null;
  const off = tzOffsetMinutes(tz, ms);
  const local = new Date(ms + off * 60000).toISOString().slice(0, 19);
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}
