/**
 * `npm run bench`: runs every bench/*.bench.ts and writes BENCHMARKS.md. Each module measures its figure next to a
 * baseline in the same run (the machines are noisy), so read ratios and medians, not absolute times.
 * `npm run bench -- classify board` runs only the named modules.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execSync } from "node:child_process";

const ROOT = path.resolve(import.meta.dirname, "..");
const only = process.argv.slice(2);
const modules = fs
  .readdirSync(path.join(ROOT, "bench"))
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();

function commit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
  } catch {
    return "unknown";
  }
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return [
    `- Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; each section names the commit it measured`,
  ].join("\n");
}

const sections: string[] = [];
for (const file of modules) {
  console.error(`bench: ${file}...`);
  const started = Date.now();
  const mod = (await import(path.join(ROOT, "bench", file))) as { run: () => Promise<{ title: string; markdown: string }> };
  const result = await mod.run();
  // Each section carries its own commit and time: `npm run bench -- <name>` re-runs one and keeps the others.
  sections.push(
    `## ${result.title}\n\n${result.markdown.trim()}\n\n_${file}, ${((Date.now() - started) / 1000).toFixed(0)} s; commit ${commit()}, ${new Date().toISOString()}_`,
  );
  console.error(`bench: ${file} done`);
}

const previous = fs.existsSync(path.join(ROOT, "BENCHMARKS.md")) ? fs.readFileSync(path.join(ROOT, "BENCHMARKS.md"), "utf8") : "";
const kept =
  only.length === 0
    ? []
    : [...previous.matchAll(/^## [\s\S]*?(?=^## |(?![\s\S]))/gm)].map((m) => m[0].trim()).filter((s) => !sections.some((n) => n.split("\n")[0] === s.split("\n")[0]));

const body = [
  "# Benchmarks",
  "",
  "Written by `npm run bench`. Every figure stands next to a baseline measured in the same run on the same machine;",
  "these machines are shared and noisy, so compare ratios and medians rather than absolute times.",
  "",
  machine(),
  "",
  ...[...kept, ...sections].map((s) => `${s}\n`),
].join("\n");
fs.writeFileSync(path.join(ROOT, "BENCHMARKS.md"), body);
console.error(`wrote BENCHMARKS.md (${sections.length} section(s) run)`);
