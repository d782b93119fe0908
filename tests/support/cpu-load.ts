import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll } from "vitest";

/** Busy-looping processes beside a suite: the sync suites must hold on a machine whose CPUs are taken. */
export const CPU_HOGS = Number(process.env.TEST_CPU_HOGS ?? 2);

/**
 * Starts `count` child processes that spin on the CPU for as long as the suite runs (beforeAll → afterAll), so
 * time limits, lock waits and transaction lengths are exercised as on a loaded production box, in CI as locally.
 * The children also exit by themselves when this process goes away (their stdin closes).
 */
export function withCpuLoad(count = CPU_HOGS): void {
  let hogs: ChildProcess[] = [];
  beforeAll(() => {
    hogs = Array.from({ length: count }, () =>
      spawn(
        process.execPath,
        [
          "-e",
          "process.stdin.on('close', () => process.exit(0)); process.stdin.resume(); setImmediate(function spin() { const end = Date.now() + 50; while (Date.now() < end); setImmediate(spin); });",
        ],
        {
          stdio: ["pipe", "ignore", "ignore"],
        },
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(
      hogs.map(
        (hog) =>
          new Promise<void>((resolve) => {
            if (hog.exitCode !== null || hog.signalCode !== null) return resolve();
            hog.once("exit", () => resolve());
            hog.kill("SIGKILL");
          }),
      ),
    );
    hogs = [];
  });
}
