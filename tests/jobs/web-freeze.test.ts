import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertJob } from "../../app/queue/job-table.server";
import { MAX_JOB_ATTEMPTS } from "../../app/queue/kinds";
import { freePort } from "../demo/harness";
import { startWebApp, waitFor, type AppEnv, type Child } from "../faults/processes";
import { createTestDb, type TestDb } from "../support/test-db";

const SHOP = "freeze.myshopify.com";
const OTHER = "freeze-other.myshopify.com";

/** The worker processes the web process supervises (its children running worker-cli.ts). */
function workerPids(webPid: number): number[] {
  try {
    return execFileSync("ps", ["--ppid", String(webPid), "-o", "pid=,args="], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.includes("worker-cli"))
      .map((line) => Number(line.trim().split(/\s+/)[0]));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GETs the app every 200 ms until stopped; counts the answers and the requests that got none within 10 s. */
function keepAsking(url: string) {
  let stopped = false;
  const tally = { answered: 0, unanswered: [] as string[] };
  const loop = (async () => {
    while (!stopped) {
      try {
        const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        if (response.status === 200) tally.answered++;
        else tally.unanswered.push(`HTTP ${response.status}`);
      } catch (error) {
        tally.unanswered.push(error instanceof Error ? error.message : String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    tally,
    async stop() {
      stopped = true;
      await loop;
      return tally;
    },
  };
}

describe("the web app (production build) with its supervised worker process, while a job loops forever", () => {
  let testDb: TestDb;
  let port: number;
  const children: Child[] = [];
  let env: AppEnv;

  beforeAll(async () => {
    testDb = createTestDb();
    port = await freePort();
    for (const domain of [SHOP, OTHER]) await testDb.db.shop.create({ data: { domain } });
    env = {
      DATABASE_URL: testDb.url,
      SHOPIFY_API_KEY: "freeze-key",
      SHOPIFY_API_SECRET: "freeze-secret",
      // The default: the web process forks the worker. The test's runtime makes payloads misbehave on request.
      LIFECYCLE_WORKER: "on",
      LIFECYCLE_JOB_RUNTIME: path.join(import.meta.dirname, "fixtures/misbehaving-runtime.ts"),
      LIFECYCLE_JOB_STALL_SECONDS: "3",
      LIFECYCLE_JOB_RETRY_SECONDS: "1",
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await testDb?.close();
  });

  async function startApp(): Promise<Child & { url: string }> {
    const web = await startWebApp(env, { port });
    children.push(web);
    return web;
  }

  const looping = () => testDb.db.job.findFirstOrThrow({ where: { shop: SHOP, name: "reclassify" } });

  it("keeps answering; the job is stopped, counted and parked; the worker follows the web process, even through kill -9; a restart does not retake it", async () => {
    await insertJob(testDb.db, "reclassify", { misbehave: "loop" }, { shop: SHOP });
    let web = await startApp();
    let asking = keepAsking(web.url);

    // The worker is a child of the web process; killed, it is started again.
    const [firstWorker] = await waitFor(
      "the worker process",
      async () => workerPids(web.process.pid!).slice(0, 1),
      60_000,
      100,
    );
    await waitFor("the looping job to be running", async () => (await looping()).lockedAt !== null, 120_000, 100);
    process.kill(firstWorker, "SIGKILL");
    await waitFor(
      "a new worker process",
      async () => workerPids(web.process.pid!).some((pid) => pid !== firstWorker),
      60_000,
      100,
    );

    // kill -9 of the web process: its worker notices and goes too (no orphan keeps looping).
    await waitFor(
      "an attempt after the restart",
      async () => (await looping()).attempts >= 2 && (await looping()).lockedAt !== null,
      120_000,
      100,
    );
    const orphan = workerPids(web.process.pid!)[0];
    let tally = await asking.stop();
    await web.killHard();
    await waitFor("the worker of the killed web process to exit", async () => !alive(orphan), 60_000, 100);

    web = await startApp();
    asking = keepAsking(web.url);
    const parked = await waitFor(
      "the looping job to be parked",
      async () => {
        const row = await looping();
        return row.failedAt ? row : null;
      },
      300_000,
      200,
    );
    expect(parked.attempts).toBe(MAX_JOB_ATTEMPTS);
    expect(parked.lastError).toMatch(/blocked for more than 3 s|stopped before it finished/);

    // A graceful restart: the parked job stays parked while the shops' other work runs.
    const second = await asking.stop();
    tally = { answered: tally.answered + second.answered, unanswered: [...tally.unanswered, ...second.unanswered] };
    await web.stop();
    web = await startApp();
    await insertJob(testDb.db, "segments", { misbehave: "mark" }, { shop: OTHER });
    await insertJob(testDb.db, "segments", { misbehave: "mark" }, { shop: SHOP });
    await waitFor(
      "both shops' jobs after the restart",
      async () => (await testDb.db.shopSegment.count({ where: { stage: "ran" } })) === 2,
      120_000,
      200,
    );
    expect(await looping()).toMatchObject({
      attempts: MAX_JOB_ATTEMPTS,
      failedAt: parked.failedAt,
      lockedAt: null,
      doneAt: null,
    });

    // Every request while the job looped got its answer.
    expect(tally.unanswered).toEqual([]);
    expect(tally.answered).toBeGreaterThan(20);
    console.log(
      `[web-freeze] ${tally.answered} requests answered while the job looped; parked after ${parked.attempts} attempts: ${parked.lastError}`,
    );
  }, 600_000);
});
