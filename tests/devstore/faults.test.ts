import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphql } from "./client";
import { startDevStore, type DevStore } from "./server";

const SHOP = "faults-test.myshopify.com";
let ds: DevStore;
let token: string;

beforeAll(async () => {
  ds = await startDevStore({ apiKey: "k", apiSecret: "s" });
  token = ds.issueOfflineToken(SHOP);
});
afterAll(async () => {
  await ds.close();
});

describe("faults", () => {
  it("errorRate answers Admin API requests with a 5xx, deterministically for a seed", async () => {
    ds.faults.set({ errorRate: 0.5, seed: 11 });
    const run = async () => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await adminGraphql(ds.origin, token, `{ shop { id } }`)).status);
      return out;
    };
    const a = await run();
    ds.faults.set({ errorRate: 0.5, seed: 11 });
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(503);
    expect(a).toContain(200);
    ds.faults.clear();
    expect((await adminGraphql(ds.origin, token, `{ shop { id } }`)).status).toBe(200);
  });

  it("timeoutRate leaves the request hanging until the client aborts", async () => {
    ds.faults.set({ timeoutRate: 1 });
    const ctl = new AbortController();
    const pending = adminGraphql(ds.origin, token, `{ shop { id } }`, undefined, { signal: ctl.signal });
    const outcome = Promise.race([
      pending.then(
        () => "answered",
        () => "aborted",
      ),
      new Promise((r) => setTimeout(() => r("still waiting"), 200)),
    ]);
    expect(await outcome).toBe("still waiting");
    ctl.abort();
    await expect(pending).rejects.toThrow();
    ds.faults.clear();
  });
});
