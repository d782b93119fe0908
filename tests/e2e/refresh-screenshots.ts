/**
 * `npm run screenshots`: refreshes the README's images. Runs the browser tests (which save every screenshot to the
 * ignored tests/artifacts/), then copies the images the README shows (`tests/screenshots/<name>.png`) from
 * there. Nothing else writes to tests/screenshots/, so `npm test` leaves `git status` clean.
 *
 *   npm run screenshots [-- <vitest file filters>]     default: every browser test (tests/e2e)
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { SCREENSHOTS } from "./browser";

const ROOT = path.resolve(import.meta.dirname, "../..");
const README_IMAGES = path.join(ROOT, "tests/screenshots");

/** The images README.md shows from tests/screenshots/. */
export function readmeImages(readme: string): string[] {
  return [...new Set([...readme.matchAll(/\]\(tests\/screenshots\/([\w.-]+\.png)\)/g)].map((m) => m[1]))].sort();
}

const filters = process.argv.slice(2);
const images = readmeImages(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));
// A README image left from an earlier run must not pass for a fresh one.
for (const name of images) fs.rmSync(path.join(SCREENSHOTS, name), { force: true });

const run = spawnSync(
  process.execPath,
  [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", ...(filters.length ? filters : ["tests/e2e"])],
  {
    cwd: ROOT,
    stdio: "inherit",
  },
);
if (run.status !== 0) {
  console.error("The browser tests failed: the README's images are left as they were.");
  process.exit(run.status ?? 1);
}

const missing = images.filter((name) => !fs.existsSync(path.join(SCREENSHOTS, name)));
for (const name of images.filter((n) => !missing.includes(n))) {
  fs.copyFileSync(path.join(SCREENSHOTS, name), path.join(README_IMAGES, name));
  console.log(`tests/screenshots/${name} refreshed`);
}
if (missing.length > 0) {
  console.error(`No test took ${missing.join(", ")} (README images left as they were).`);
  process.exit(1);
}
