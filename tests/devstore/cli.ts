/**
 * Runs the dev store as a process:
 *
 *   npx tsx tests/devstore/cli.ts --port 0 --api-key K --api-secret S --app-url http://127.0.0.1:3000 \
 *     --seed online-retail --shop lifecycle-demo.myshopify.com --shift-to now
 *
 * Prints one JSON line on stdout when ready ({"origin": …, "shop": …, "accessToken": …, "seed": {…}})
 * and stops cleanly on SIGTERM / SIGINT. Options:
 *   --port N            0 = random (default)
 *   --api-key K --api-secret S    the app's client id and secret (required)
 *   --app-url URL       where webhooks are delivered (omit to record them)
 *   --scopes a,b        granted scopes (default: the toml's access_scopes)
 *   --protected-customer-data 0 | 1 | 2 | email,name   protected customer data approved (default 2)
 *   --toml PATH         shopify.app.toml (default: repo root)
 *   --shop DOMAIN       shop to create / seed (default lifecycle-demo.myshopify.com)
 *   --seed online-retail | generated:<customers>:<orders> | none
 *   --shift-to now | <ISO date>   shift the Online Retail timestamps so 2011-12-10 maps there
 *   --bucket MAX:RATE   leaky bucket (default 2000:100)
 */
import { PROTECTED_FIELDS, type ProtectedDataLevel, type ProtectedField } from "./access";
import { startDevStore } from "./server";

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) out[a.slice(2)] = "true";
      else {
        out[a.slice(2)] = next;
        i++;
      }
    }
  }
  return out;
}

function protectedCustomerData(value: string | undefined): ProtectedDataLevel | ProtectedField[] | undefined {
  if (value === undefined) return undefined;
  if (value === "0" || value === "1" || value === "2") return Number(value) as ProtectedDataLevel;
  const fields = value.split(",").map((f) => f.trim());
  for (const f of fields)
    if (!(PROTECTED_FIELDS as readonly string[]).includes(f)) throw new Error(`bad --protected-customer-data ${value}`);
  return fields as ProtectedField[];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const apiKey = args["api-key"] ?? process.env.SHOPIFY_API_KEY;
  const apiSecret = args["api-secret"] ?? process.env.SHOPIFY_API_SECRET;
  if (!apiKey || !apiSecret) throw new Error("--api-key and --api-secret are required");
  let bucket: { maximumAvailable: number; restoreRate: number } | undefined;
  if (args.bucket) {
    const [max, rate] = args.bucket.split(":").map(Number);
    bucket = { maximumAvailable: max, restoreRate: rate };
  }
  const ds = await startDevStore({
    port: args.port ? Number(args.port) : 0,
    apiKey,
    apiSecret,
    appUrl: args["app-url"],
    scopes: args.scopes,
    protectedCustomerData: protectedCustomerData(args["protected-customer-data"]),
    appTomlPath: args.toml,
    bucket,
  });
  const shop = (args.shop ?? "lifecycle-demo.myshopify.com").toLowerCase();
  ds.addShop(shop);
  let seed: unknown = null;
  const kind = args.seed ?? "none";
  if (kind === "online-retail") {
    const shiftTo =
      args["shift-to"] === undefined ? undefined : args["shift-to"] === "now" ? new Date() : new Date(args["shift-to"]);
    if (shiftTo && Number.isNaN(shiftTo.getTime())) throw new Error(`bad --shift-to ${args["shift-to"]}`);
    seed = await ds.seedOnlineRetail(shop, { shiftTo });
  } else if (kind.startsWith("generated")) {
    const [, customers = "1000", orders = "5000"] = kind.split(":");
    seed = ds.seedGenerated(shop, { customers: Number(customers), orders: Number(orders) });
  } else if (kind !== "none") throw new Error(`unknown --seed ${kind}`);
  const accessToken = ds.issueOfflineToken(shop);

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    ds.close().then(
      () => {
        process.stderr.write(`devstore: stopped (${signal})\n`);
        process.exit(0);
      },
      (e) => {
        process.stderr.write(`devstore: error while stopping: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  process.stdout.write(
    JSON.stringify({
      origin: ds.origin,
      graphqlUrl: `${ds.origin}/admin/api/2026-10/graphql.json`,
      shop,
      accessToken,
      webhooks: ds.webhooks.mode,
      seed,
    }) + "\n",
  );
}

main().catch((e) => {
  process.stderr.write(`devstore: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
