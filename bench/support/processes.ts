/**
 * What the import and scale benches share: the dev store in a process of its own with a generated shop, its bulk
 * exports downloaded to local files, and measured sides run as bundled child processes, so that each peak RSS
 * (getrusage maxRSS) is one side's own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { workerProcessEnv } from "../../app/jobs/supervisor.server";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AdminClient } from "../../app/shopify/admin-client.server";
import { startBulkQuery, waitForBulkOperation } from "../../app/shopify/bulk.server";
import { CustomersBulkQuery } from "../../app/graphql/CustomersBulkQuery";
import { OrdersBulkQuery } from "../../app/graphql/OrdersBulkQuery";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BENCH_KEY = "bench-key";
export const BENCH_SECRET = "bench-secret";

export interface DevStoreSource {
  origin: string;
  accessToken: string;
  shop: string;
}

export interface RunningDevStore extends DevStoreSource {
  seed: { customers: number; orders: number; ms: number };
  /** The dev store process's own peak RSS so far, MB (from /proc; 0 where that cannot be read). */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Starts a child and resolves with the first JSON line it prints on stdout. */
export function spawnJsonLine(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ value: unknown; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n").find((l) => l.startsWith("{") && l.endsWith("}"));
      if (line) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        child.off("exit", onExit);
        resolve({ value: JSON.parse(line), child });
      }
    };
    const onExit = (code: number | null) => reject(new Error(`${args.join(" ")} exited with ${code} before answering`));
    child.stdout!.on("data", onData);
    child.on("exit", onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );
}

/** The peak resident set of a running process (VmHWM), MB. */
export function processPeakRssMb(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The dev store with one generated shop (customers, orders), in its own process with a heap large enough to hold
 * the shop (a million customers and five million orders need several GB).
 */
export async function startGeneratedDevStore(
  shop: string,
  customers: number,
  orders: number,
  heapMb: number,
): Promise<RunningDevStore> {
  const { value, child } = await spawnJsonLine([
    `--max-old-space-size=${heapMb}`,
    "--import",
    "tsx",
    path.join(ROOT, "tests/devstore/cli.ts"),
    "--api-key",
    BENCH_KEY,
    "--api-secret",
    BENCH_SECRET,
    "--shop",
    shop,
    "--seed",
    `generated:${customers}:${orders}`,
    // Tag writes of a first import go through bulk mutations; the bucket is opened so the rest does not wait on it.
    "--bucket",
    "1000000:100000",
  ]);
  const answer = value as { origin: string; accessToken: string; seed: RunningDevStore["seed"] };
  return {
    origin: answer.origin,
    accessToken: answer.accessToken,
    shop,
    seed: answer.seed,
    peakRssMb: () => processPeakRssMb(child.pid),
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
    },
  };
}

export function adminClient(source: DevStoreSource): AdminClient {
  return new AdminClient({
    shop: source.shop,
    endpoint: `${source.origin}/admin/api/2026-10/graphql.json`,
    accessToken: async () => source.accessToken,
  });
}

export interface ExportedFiles {
  customers: string;
  orders: string;
  lines: { customers: number; orders: number };
  seconds: number;
}

/** Runs the app's two bulk queries against the dev store and saves their results in `dir` (untimed preparation). */
export async function downloadBulkExports(source: DevStoreSource, dir: string): Promise<ExportedFiles> {
  const client = adminClient(source);
  const started = performance.now();
  const files = { customers: path.join(dir, "customers.jsonl"), orders: path.join(dir, "orders.jsonl") };
  const lines = { customers: 0, orders: 0 };
  for (const kind of ["customers", "orders"] as const) {
    const operation = await waitForBulkOperation(
      client,
      await startBulkQuery(client, kind === "customers" ? CustomersBulkQuery : OrdersBulkQuery),
      { intervalMs: 100 },
    );
    lines[kind] = Number(operation.objectCount ?? 0);
    const response = await fetch(operation.url!);
    await pipeline(Readable.fromWeb(response.body as never), fs.createWriteStream(files[kind]));
  }
  return { ...files, lines, seconds: (performance.now() - started) / 1000 };
}

/** A fetch that answers every URL with a local file, as a bulk result download would stream it. */
export function localFileFetch(file: string): typeof fetch {
  return (async () =>
    new Response(
      Readable.toWeb(fs.createReadStream(file, { highWaterMark: 256 * 1024 })) as ReadableStream,
    )) as typeof fetch;
}

/**
 * Bundles a bench module into one file run on plain node, as the app runs from its build in production (under tsx
 * the loader and the untranspiled sources would add some 50 MB to every RSS figure).
 */
export async function bundle(entry: string, name: string): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = path.join(ROOT, `bench/tmp/${name}.child.mjs`);
  const options = {
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    target: "node22",
    logLevel: "warning",
  } as const;
  await build({ ...options, entryPoints: [entry], outfile });
  // The threads the app starts find their entries beside the bundle (app/threads.server.ts).
  for (const thread of BUNDLED_THREADS)
    await build({
      ...options,
      entryPoints: [path.join(ROOT, thread)],
      outfile: path.join(ROOT, "bench/tmp", path.basename(thread).replace(/\.ts$/, ".mjs")),
    });
  return outfile;
}

const BUNDLED_THREADS = ["app/sync/import-parse-thread.ts", "app/sync/refit-thread.ts"];

/** Runs `node <flags> <bundle> --child <args…>` and resolves with the JSON line it prints, once it has exited. */
export async function runChild<T>(
  bundleFile: string,
  nodeFlags: string[],
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const { value, child } = await spawnJsonLine([...nodeFlags, bundleFile, "--child", ...args], {
    ...process.env,
    SHOPIFY_API_KEY: BENCH_KEY,
    SHOPIFY_API_SECRET: BENCH_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:1",
    // Every side in the environment the worker runs in (malloc arenas capped), so RSS figures are the worker's.
    MALLOC_ARENA_MAX: workerProcessEnv<Record<string, string | undefined>>({}).MALLOC_ARENA_MAX,
    ...env,
  });
  await exited(child);
  return value as T;
}

/** The child half of runChild: the arguments after --child, or null in the parent. */
export function childArguments(): string[] | null {
  const at = process.argv.indexOf("--child");
  return at === -1 ? null : process.argv.slice(at + 1);
}
