import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { startDevStore, type DevStore } from "../devstore/server";
import { embeddedAppUrl } from "../devstore/id-token";
import type { AccessInput } from "../devstore/access";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const DEMO_SHOP = "lifecycle-demo.myshopify.com";
export const DEMO_API_KEY = "lifecycle-stages-demo-key";
/** The demo's own app secret: the dev store signs webhooks and id tokens with it, as Shopify does with yours. */
export const DEMO_API_SECRET = "lifecycle-stages-demo-secret-not-for-production";
export const CHROME_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export interface DemoOptions {
  /** SQLite file of the app (default: the project's prisma/data/app.sqlite, migrated by `npm run demo`). */
  databaseFile?: string;
  appPort?: number;
  /** Map the Online Retail data's end (2011-12-10) to the start of this instant's UTC day, so the real data ends yesterday. */
  dataEndsAt?: Date;
  build?: boolean;
  log?: (line: string) => void;
  /** What the demo shop's installation is granted (default: every scope of shopify.app.toml, level 2 customer data). */
  access?: AccessInput;
  appEnv?: Record<string, string>;
}

export interface Demo {
  devStore: DevStore;
  appUrl: string;
  db: PrismaClient;
  app: ChildProcess;
  /** A URL that opens the app as Shopify admin would: embedded=1, shop, host and a signed id_token. */
  adminUrl(options?: { locale?: string; path?: string }): Promise<string>;
  waitForImport(onProgress?: (line: string) => void): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** The environment of child processes: without vitest's variables, which would change how Vite builds. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "TEST") delete env[key];
  // tests/support/app-env.ts keeps workers out of test processes; the demo app runs its own.
  if (!("LIFECYCLE_WORKER" in extra)) delete env.LIFECYCLE_WORKER;
  return env;
}

/** `npm start`'s server: the production build behind Express, logging paths without query strings. */
export const SERVER_ENTRY = path.join(ROOT, "app/server.mjs");

/** Runs the production build when app/ changed since the last one (remix vite:build). */
export async function buildApp(log: (line: string) => void): Promise<void> {
  const built = path.join(ROOT, "build/server/index.js");
  const newestSource = newestMtime(path.join(ROOT, "app"));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs > newestSource) return;
  log("Building the app (remix vite:build)...");
  await run(process.execPath, [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
    cwd: ROOT,
    env: childEnv({ NODE_ENV: "production" }),
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} failed (${code}):\n${output.slice(-4000)}`)),
    );
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * The whole demo: the local dev store seeded with Online Retail, the production app pointed at it through
 * configuration only, and the app installed the way Shopify installs it (admin opens the app with an id_token;
 * the app exchanges it for an offline token and queues the first import).
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? ((line: string) => console.log(line));
  const databaseFile = options.databaseFile ?? path.join(ROOT, "prisma/data/app.sqlite");
  const appPort = options.appPort ?? (await freePort());
  const appUrl = `http://127.0.0.1:${appPort}`;
  if (options.build !== false) await buildApp(log);

  const devStore = await startDevStore({ port: 0, apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET, appUrl });
  log(`Dev store: ${devStore.origin} (Admin API 2026-10, real schema)`);
  devStore.addShop(DEMO_SHOP, { access: options.access });
  const seeded = await devStore.seedOnlineRetail(DEMO_SHOP, { shiftTo: options.dataEndsAt ?? new Date() });
  log(`Seeded ${DEMO_SHOP} from UCI Online Retail: ${JSON.stringify(seeded)}`);

  const app = spawn(process.execPath, [SERVER_ENTRY, "build/server/index.js"], {
    cwd: ROOT,
    env: childEnv({
      NODE_ENV: "production",
      PORT: String(appPort),
      HOST: "127.0.0.1",
      SHOPIFY_API_KEY: DEMO_API_KEY,
      SHOPIFY_API_SECRET: DEMO_API_SECRET,
      SHOPIFY_APP_URL: appUrl,
      SHOPIFY_ADMIN_API_ORIGIN: devStore.origin,
      DATABASE_URL: `file:${databaseFile}`,
      ...options.appEnv,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout!.on("data", (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .forEach((line) => log(`[app] ${line}`)),
  );
  app.stderr!.on("data", (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .forEach((line) => log(`[app] ${line}`)),
  );
  await waitForHttp(appUrl, 60_000);

  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: databaseFile, timeout: 10_000 }) });
  const adminUrl = async (urlOptions: { locale?: string; path?: string } = {}) =>
    (
      await embeddedAppUrl({
        appUrl,
        shop: DEMO_SHOP,
        apiKey: DEMO_API_KEY,
        apiSecret: DEMO_API_SECRET,
        locale: urlOptions.locale,
        ttlSeconds: 12 * 3600,
      })
    ).replace(
      "/app?",
      (urlOptions.path ?? "/app").includes("?") ? `${urlOptions.path}&` : `${urlOptions.path ?? "/app"}?`,
    );

  // Installing: the first admin load performs the token exchange and the afterAuth hook queues the import.
  const install = await fetch(await adminUrl(), { headers: { "User-Agent": CHROME_UA } });
  if (install.status !== 200)
    throw new Error(`Opening the app as admin failed: HTTP ${install.status} ${await install.text()}`);
  log("App installed on the dev store (token exchange done, offline session stored).");

  return {
    devStore,
    appUrl,
    db,
    app,
    adminUrl,
    async waitForImport(onProgress) {
      let last = "";
      for (;;) {
        const run = await db.syncRun.findFirst({
          where: { shop: DEMO_SHOP, kind: "backfill" },
          orderBy: { id: "desc" },
        });
        if (run) {
          const line =
            run.phase === "classify"
              ? `classify: ${run.customersDone}/${run.customersTotal ?? "?"} customers`
              : `${run.phase}: ${run.linesDone}/${run.linesTotal ?? "?"} lines`;
          if (line !== last) onProgress?.(line);
          last = line;
          if (run.phase === "done") return;
          if (run.error) onProgress?.(`retrying after: ${run.error}`);
        }
        if (app.exitCode !== null) throw new Error(`The app exited (${app.exitCode}) during the import`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    async stop() {
      if (app.exitCode === null) {
        const exited = new Promise((resolve) => app.once("exit", resolve));
        app.kill("SIGTERM");
        const timer = setTimeout(() => app.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      await db.$disconnect();
      await devStore.close();
    },
  };
}
