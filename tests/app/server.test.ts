/**
 * The production server (`npm start`: app/server.mjs and the built app) over real HTTP: what only shows on a socket —
 * how much of a chunked body the process holds, how it closes a connection it answered early, and what its access log
 * writes.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebApp, type Child } from "../faults/processes";
import { createTestDb, type TestDb } from "../support/test-db";
import { makeIdToken } from "../devstore/id-token";
import { translate } from "../../app/i18n/translate";

const KEY = "server-test-key";
const SECRET = "server-test-secret";
const SHOP = "server-test.myshopify.com";
const MB = 1024 * 1024;

let testDb: TestDb;
let web: Child & { url: string };
let logDir: string;
let logFile: string;

/** Resident memory of a process, from /proc (Linux). */
function rssOf(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match![1]) * 1024;
}

beforeAll(async () => {
  testDb = createTestDb();
  await testDb.db.shop.create({ data: { domain: SHOP } });
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-server-test-"));
  logFile = path.join(logDir, "web.log");
  web = await startWebApp({ DATABASE_URL: testDb.url, SHOPIFY_API_KEY: KEY, SHOPIFY_API_SECRET: SECRET }, { logFile });
}, 600_000);

afterAll(async () => {
  await web?.stop();
  await testDb?.close();
  if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
});

/** Headers of an orders/create delivery with a chunked body (its HMAC matches nothing: the body is never whole). */
function chunkedWebhookHeaders(): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "Transfer-Encoding": "chunked",
    "X-Shopify-Topic": "orders/create",
    "X-Shopify-Hmac-Sha256": crypto.randomBytes(32).toString("base64"),
    "X-Shopify-Shop-Domain": SHOP,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": crypto.randomUUID(),
    "X-Shopify-Event-Id": crypto.randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
}

/**
 * A client that ignores the answer and goes on sending body chunks on a raw socket (flat out until answered, then one
 * chunk every `pauseMs`), until the server ends the connection: nothing on the client's side ever ends it.
 */
async function sendPastTheAnswer(
  baseUrl: string,
  chunkBytes: number,
  pauseMs: number,
): Promise<{ answer: string; sentAfterAnswer: number }> {
  const socket = net.connect({ host: "127.0.0.1", port: Number(new URL(baseUrl).port), allowHalfOpen: true });
  const chunk = `${chunkBytes.toString(16)}\r\n${"x".repeat(chunkBytes)}\r\n`;
  let answer = "";
  let sentAfterAnswer = 0;
  return new Promise((resolve) => {
    const done = () => resolve({ answer, sentAfterAnswer });
    socket.on("data", (bytes) => (answer += bytes.toString("latin1")));
    socket.on("error", done);
    socket.on("close", done);
    const send = () => {
      while (!socket.destroyed) {
        const writable = socket.write(chunk);
        if (answer) sentAfterAnswer += chunk.length;
        if (!writable) return void socket.once("drain", send);
        if (answer && pauseMs > 0) return void setTimeout(send, pauseMs);
      }
    };
    socket.once("connect", () => {
      const headers = { Host: "127.0.0.1", ...chunkedWebhookHeaders() };
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`POST /webhooks/orders/create HTTP/1.1\r\n${lines.join("")}\r\n`);
      send();
    });
  });
}

describe("the production server", () => {
  it("answers a chunked 600 MB webhook body with 413 without holding it: the process grows by far less than the body", async () => {
    const pid = web.process.pid!;
    const TOTAL = 600 * MB;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const rssBefore = rssOf(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(pid))), 10);

    const { status, sent } = await new Promise<{ status: number | null; sent: number }>((resolve) => {
      let sent = 0;
      let status: number | null = null;
      const request = http.request(`${web.url}/webhooks/orders/create`, {
        method: "POST",
        headers: chunkedWebhookHeaders(),
      });
      const finish = () => resolve({ status, sent });
      request.on("response", (response) => {
        status = response.statusCode ?? null;
        response.resume();
        response.on("end", () => request.destroy());
      });
      request.on("error", finish); // the server closes the connection after its answer
      request.on("close", finish);
      const write = () => {
        while (status === null && sent < TOTAL) {
          sent += chunk.length;
          if (!request.write(chunk)) return void request.once("drain", write);
        }
        if (status === null) request.end();
      };
      write();
    });
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, rssOf(pid));

    console.log(
      `[server] chunked body: answered ${status} after ${Math.round(sent / MB)} MB sent; web RSS ${Math.round(rssBefore / MB)} → peak ${Math.round(rssPeak / MB)} MB`,
    );
    expect(status).toBe(413);
    // Stopped reading: the sender was cut off long before the 600 MB were through.
    expect(sent).toBeLessThan(TOTAL / 4);
    expect(rssPeak - rssBefore, `RSS ${Math.round(rssBefore / MB)} → ${Math.round(rssPeak / MB)} MB`).toBeLessThan(
      64 * MB,
    );
    expect(rssOf(pid, "VmHWM") - rssBefore).toBeLessThan(TOTAL / 4);
    expect(await testDb.db.webhookDelivery.count()).toBe(0);
    // The server is still there for the next request.
    expect((await fetch(`${web.url}/`)).status).toBe(200);
  }, 300_000);

  // app/server.mjs's lingering close: the answer goes out with a FIN and the rest of the body is read and dropped for
  // a bounded time and size. Closing with the body unread would reset the connection, and a client still sending would
  // lose its 413 (write EPIPE: the test above failed 1 run in 25 on a busy machine before).
  it("reads and drops a bounded amount of what a client sends after its 413, then closes the connection", async () => {
    const { answer, sentAfterAnswer } = await sendPastTheAnswer(web.url, 64 * 1024, 0);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    console.log(`[server] after its 413 the client sent ${Math.round(sentAfterAnswer / MB)} MB more before the close`);
    // 16 MB read and dropped, what the two sockets' buffers hold, and what arrives between two looks at the count.
    expect(sentAfterAnswer).toBeLessThan(96 * MB);
    expect(await testDb.db.webhookDelivery.count()).toBe(0);
  }, 120_000);

  it("closes the connection of a client that keeps trickling its body after the 413", async () => {
    // A kilobyte every 50 ms stays far below the byte bound: only the lingering's deadline can end the connection.
    const { answer, sentAfterAnswer } = await sendPastTheAnswer(web.url, 1024, 50);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(sentAfterAnswer).toBeGreaterThan(0);
    expect(sentAfterAnswer).toBeLessThan(16 * MB);
    expect((await fetch(`${web.url}/`)).status).toBe(200);
  }, 120_000);

  it("logs every request's path, never its query string: the session token in Shopify admin's URL stays out of the log", async () => {
    const idToken = await makeIdToken({ shop: SHOP, apiKey: KEY, apiSecret: SECRET, ttlSeconds: 60 });
    const host = Buffer.from(`admin.shopify.com/store/server-test`).toString("base64");
    for (const pathname of ["/app", "/app/customers", "/auth/login", "/"]) {
      const response = await fetch(`${web.url}${pathname}?embedded=1&shop=${SHOP}&host=${host}&id_token=${idToken}`, {
        redirect: "manual",
        headers: {
          "User-Agent":
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        },
      });
      await response.arrayBuffer();
    }
    // The log line is written when the response finishes; give the file a moment to catch up.
    let log = "";
    for (let i = 0; i < 50 && !/GET \/ \d{3}/.test(log); i++) {
      log = fs.readFileSync(logFile, "utf8");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const pathname of ["/app", "/app/customers", "/auth/login", "/"])
      expect(log).toMatch(new RegExp(`GET ${pathname.replace(/\//g, "\\/")} \\d{3}`));
    expect(log).not.toContain(idToken);
    expect(log).not.toContain(idToken.split(".")[1]);
    expect(log).not.toContain("id_token");
  }, 120_000);

  it("outside Shopify admin, /auth/login shows Shopify's login form in the browser's language, and sends a shop to its admin", async () => {
    const page = async (init: RequestInit & { path?: string } = {}) => {
      const response = await fetch(`${web.url}${init.path ?? "/auth/login"}`, { redirect: "manual", ...init });
      return { status: response.status, location: response.headers.get("location"), html: await response.text() };
    };
    const form = await page();
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="shop"');
    expect(form.html).toContain(translate("en", "login.title"));
    expect(form.html).not.toContain(translate("en", "login.error.missingShop"));
    expect((await page({ headers: { "Accept-Language": "ja,en;q=0.5" } })).html).toContain(
      translate("ja", "login.shopLabel"),
    );
    expect((await page({ headers: { "Accept-Language": "nl-NL" } })).html).toContain(translate("nl", "login.submit"));

    const post = (shop: string) =>
      page({
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ shop }).toString(),
      });
    expect((await post("")).html).toContain(translate("en", "login.error.missingShop"));
    const invalid = await post("not a shop!");
    expect(invalid.status).toBe(200);
    expect(invalid.html).toContain(translate("en", "login.error.invalidShop"));
    // A shop goes to its Shopify admin, which installs or opens the app (Shopify's managed install).
    const install = `https://admin.shopify.com/store/server-test/oauth/install?client_id=${KEY}`;
    expect(await post(SHOP)).toMatchObject({ status: 302, location: install });
    expect(await page({ path: `/auth/login?shop=${SHOP}` })).toMatchObject({ status: 302, location: install });
    // A form larger than any shop domain is refused, not read whole.
    expect((await post("a".repeat(10_000))).status).toBe(413);
    // The landing page offers the same login.
    const landing = await page({ path: "/" });
    expect(landing.html).toContain('action="/auth/login"');
    expect(landing.html).toContain(translate("en", "index.tagline"));
  }, 120_000);
});
