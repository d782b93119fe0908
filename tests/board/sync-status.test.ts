import { describe, expect, it } from "vitest";
import { syncErrorKey, syncProgress } from "../../app/board/sync-status";

const run = (phase: string, extra: Partial<Parameters<typeof syncProgress>[0]> = {}) => ({
  phase,
  linesDone: 0,
  linesTotal: null,
  customersDone: 0,
  customersTotal: null,
  error: null,
  finishedAt: null,
  ...extra,
});

describe("import progress and errors in plain words", () => {
  it("progress grows through the phases and ends at 100", () => {
    const steps = [
      run("customers"),
      run("customers", { linesDone: 50, linesTotal: 100 }),
      run("orders", { linesDone: 10, linesTotal: 100 }),
      run("orders", { linesDone: 100, linesTotal: 100 }),
      run("classify", { customersDone: 500, customersTotal: 1000 }),
      run("segments"),
      run("done"),
    ].map(syncProgress);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(100);
  });

  it("words an import error by the kind stored with it (app/shopify/errors.ts classes), never by its message", () => {
    expect(syncErrorKey("access")).toBe("sync.error.access");
    expect(syncErrorKey("throttled")).toBe("sync.error.throttled");
    expect(syncErrorKey("unavailable")).toBe("sync.error.unavailable");
    expect(syncErrorKey("network")).toBe("sync.error.network");
    expect(syncErrorKey("bulk")).toBe("sync.error.bulk");
    // Runs stored before the kind was, and kinds newer than this code, read as "something unexpected".
    expect(syncErrorKey(null)).toBe("sync.error.other");
    expect(syncErrorKey("HTTP 401")).toBe("sync.error.other");
  });
});
