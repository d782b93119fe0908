import fs from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { buildApp, freePort, SERVER_ENTRY } from "../demo/harness";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface AppEnv {
  DATABASE_URL: string;
  SHOPIFY_API_KEY: string;
  SHOPIFY_API_SECRET: string;
  SHOPIFY_ADMIN_API_ORIGIN?: string;
  [name: string]: string | undefined;
}

export interface Child {
  process: ChildProcess;
  output(): string;
  /** SIGKILL: no handler runs, no connection is closed politely, exactly like a crashed machine. */
  killHard(): Promise<void>;
  stop(): Promise<void>;
}

function track(child: ChildProcess, name: string, logFile?: string): Child {
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
    if (process.env.FAULTS_VERBOSE) process.stderr.write(`[${name} ${child.pid}] ${chunk}`);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    process: child,
    output: () => (logFile ? fs.readFileSync(logFile, "utf8").slice(-100_000) : output),
    async killHard() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `npm run worker`, started so that the PID is the worker itself (tsx as a loader, not as a parent process). */
export function spawnWorker(env: AppEnv): Child {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "app/jobs/worker-cli.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      SHOPIFY_APP_URL: "http://127.0.0.1:1",
      ...env,
      LIFECYCLE_WORKER: "on",
      VITEST: undefined,
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return track(child, "worker");
}

/** The production build served as `npm start` serves it (built first when app/ changed), with the worker kept out of it. */
export async function startWebApp(
  env: AppEnv,
  options: { port?: number; logFile?: string } = {},
): Promise<Child & { url: string }> {
  await buildApp(() => undefined);
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [SERVER_ENTRY, "build/server/index.js"], {
    cwd: ROOT,
    env: {
      ...process.env,
      SHOPIFY_APP_URL: url,
      LIFECYCLE_WORKER: "off",
      ...env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      VITEST: undefined,
    },
    // A log file instead of a pipe: a parent busy generating load reads a pipe late, and Linux pipe writes block the
    // app (it logs every request) — the measure would be of the parent, not the app.
    stdio: options.logFile
      ? ["ignore", fs.openSync(options.logFile, "a"), fs.openSync(options.logFile, "a")]
      : ["ignore", "pipe", "pipe"],
  });
  const tracked = track(child, "web", options.logFile);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (child.exitCode !== null)
        throw new Error(`the web app exited (${child.exitCode}):\n${tracked.output().slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`the web app did not answer within 60 s:\n${tracked.output().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { ...tracked, url };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 120_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
