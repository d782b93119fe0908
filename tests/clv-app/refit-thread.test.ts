import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { threadEntry, threadExecArgv } from "../../app/threads.server";
import {
  fitAndPredict,
  summariesOf,
  summaryColumns,
  type FromRefitThread,
  type RefitModelsInput,
} from "../../app/sync/refit-models";
import { refitShopPredictions } from "../../app/sync/predict.server";
import { afterFullPass } from "../../app/sync/after-pass.server";
import type { Db } from "../../app/db.server";
import { describeEachDatabase, type TestDb } from "../support/databases";
import { loadCdnowSummaryWithSpend } from "../clv/cdnow";
import { seedCdnowShop, CDNOW_NOW } from "./seed";

const cdnow = loadCdnowSummaryWithSpend();
const summaries = cdnow.x.map((x, i) => ({ x, tx: cdnow.tx[i], T: cdnow.T[i], zbar: cdnow.zbar[i] }));
const INPUT: RefitModelsInput = { fitability: {}, horizonWeeks: 52 };

/** The thread entry run as the refit runs it, handed the summaries' columns. */
function inThread(columns: ReturnType<typeof summaryColumns>): Promise<FromRefitThread> {
  const entry = threadEntry(new URL("../../app/sync/predict.server.ts", import.meta.url).href, "refit-thread");
  if (!entry) throw new Error("no refit-thread entry beside predict.server.ts");
  const thread = new Worker(entry, { execArgv: threadExecArgv(entry), workerData: { ...INPUT, summaries: columns } });
  return new Promise<FromRefitThread>((resolve, reject) => {
    thread.once("message", resolve);
    thread.once("error", reject);
  }).finally(() => thread.terminate());
}

describe("the refit's models on a thread of their own", () => {
  it("the columns a thread is handed give back the summaries, zbar absent where it was", () => {
    const some = [{ x: 0, tx: 0, T: 10 }, ...summaries.slice(0, 50)];
    expect(summariesOf(summaryColumns(some))).toEqual(some);
  });

  it("fits and predicts on CDNOW exactly as on the calling thread", async () => {
    const here = await fitAndPredict(summaries, INPUT);
    expect(here.fit.ok).toBe(true);
    const message = await inThread(summaryColumns(summaries));
    expect(message.type).toBe("done");
    if (message.type !== "done") return;
    expect(message.result.fit).toEqual(here.fit);
    expect(Array.from(message.result.predictions!.value)).toEqual(Array.from(here.predictions!.value));
    expect(Array.from(message.result.predictions!.alive)).toEqual(Array.from(here.predictions!.alive));
  });

  it("reports malformed data as a failure, not a result", async () => {
    // Enough customers for the gate, one of them bought after the end of their own observation.
    const bad = summaryColumns([...summaries, { x: 1, tx: 5, T: 2, zbar: 10 }]);
    const message = await inThread(bad);
    expect(message).toMatchObject({ type: "failed", message: expect.stringMatching(/must not exceed/) });
  });
});

/** The database, with one model's every use failing. */
function failingOn(db: Db, model: string): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === model) throw new Error(`${model} down`);
      return Reflect.get(target, property, receiver);
    },
  });
}

describeEachDatabase("work done while the refit fits", (database) => {
  let t: TestDb;
  const SHOP = "while-fitting.myshopify.com";
  const SAME = "same-customers.myshopify.com";

  beforeAll(async () => {
    t = await database.create();
    await t.db.shop.createMany({ data: [{ domain: SHOP }, { domain: SAME }] });
    await seedCdnowShop(t.db, SHOP);
    await seedCdnowShop(t.db, SAME);
  }, 240_000);

  const stored = (shop: string) =>
    t.db.customer.findMany({
      where: { shop },
      orderBy: { gid: "asc" },
      select: { gid: true, predictedValueMinor: true, probabilityAlive: true, highValue: true },
    });
  afterAll(async () => {
    await t?.close();
  });

  it("runs once, while the models are fitted on their thread, and the refit stores what it stores on this thread", async () => {
    let runs = 0;
    const summary = await refitShopPredictions(t.db, SHOP, CDNOW_NOW, {
      fitThread: true,
      whileFitting: async () => {
        runs++;
        // Nothing of this refit is written yet: the predictions come after the fit.
        expect(await t.db.customer.count({ where: { shop: SHOP, predictedValueMinor: { not: null } } })).toBe(0);
      },
    });
    expect(summary.status).toBe("ok");
    expect(runs).toBe(1);
    const here = await refitShopPredictions(t.db, SAME, CDNOW_NOW, { fitThread: false });
    expect(here.status).toBe("ok");
    const [threaded, inline] = await Promise.all([stored(SHOP), stored(SAME)]);
    expect(threaded.length).toBe(2357);
    expect(threaded.map(({ gid: _gid, ...p }) => p)).toEqual(inline.map(({ gid: _gid, ...p }) => p));
  });

  it("runs once even when the refit fails before its fit", async () => {
    let runs = 0;
    await expect(
      refitShopPredictions(failingOn(t.db, "customer"), SHOP, CDNOW_NOW, {
        whileFitting: async () => {
          runs++;
        },
      }),
    ).rejects.toThrow(/customer down/);
    expect(runs).toBe(1);
  });

  it("a failure of the pass's own counts fails the pass, though they ran inside the refit", async () => {
    await expect(
      afterFullPass({
        db: failingOn(t.db, "stageConversion"),
        shop: SHOP,
        now: CDNOW_NOW,
        cause: "time",
        writer: null,
        summariesHold: true,
      }),
    ).rejects.toThrow(/stageConversion down/);
  });
});
