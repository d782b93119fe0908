/**
 * `npm run demo`: the real app, end to end, against the local dev store seeded with real data.
 * Flags: --port N (the app's port, default 3000), --exit-after-import (for scripted checks).
 */
import { DEMO_SHOP, startDemo } from "./harness";

const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const appPort = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT ?? 3000);

const started = Date.now();
const demo = await startDemo({ appPort, log: (line) => console.log(line) });
console.log("Importing the store's history (bulk operations) and tagging every customer...");
await demo.waitForImport((line) => console.log(`  ${line}`));

const counts = await demo.db.stageCount.findMany({ where: { shop: DEMO_SHOP }, orderBy: { customers: "desc" } });
const total = counts.reduce((sum, c) => sum + c.customers, 0);
const flows = await demo.db.stageChange.count({ where: { shop: DEMO_SHOP } });
console.log(`\nImported and classified ${total} customers in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
for (const c of counts)
  console.log(
    `  ${c.stage.padEnd(18)} ${String(c.customers).padStart(6)}  (${((100 * c.customers) / total).toFixed(1)}%)`,
  );
console.log(`  stage changes recorded: ${flows}`);
console.log(`\nOpen the app as Shopify admin would (valid for 12 hours):\n\n  ${await demo.adminUrl()}\n`);
console.log(`Japanese: ${await demo.adminUrl({ locale: "ja" })}`);
console.log(`Dutch:    ${await demo.adminUrl({ locale: "nl" })}\n`);

if (args.includes("--exit-after-import")) {
  await demo.stop();
} else {
  console.log("Press Ctrl-C to stop.");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      void demo.stop().then(() => process.exit(0));
    });
  }
}
