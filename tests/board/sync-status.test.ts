import { describe, expect, it } from "vitest";
import { plainSyncError, syncProgress } from "../../app/board/sync-status";

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

  it("maps technical errors to plain explanations", () => {
    expect(plainSyncError("CustomersBulkQuery: HTTP 401")).toBe("sync.error.access");
    expect(plainSyncError("BulkOperationRunQuery: still throttled after 8 attempts")).toBe("sync.error.throttled");
    expect(plainSyncError("ShopQuery: HTTP 503 after 8 attempts")).toBe("sync.error.unavailable");
    expect(plainSyncError("ShopQuery: request timed out (after 8 attempts)")).toBe("sync.error.network");
    expect(plainSyncError("Bulk operation gid://shopify/BulkOperation/1 failed: INTERNAL_SERVER_ERROR")).toBe("sync.error.bulk");
    expect(plainSyncError("something odd")).toBe("sync.error.other");
  });
});
