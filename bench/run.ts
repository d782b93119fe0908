/**
 * `npm run bench`: runs every bench/*.bench.ts and writes BENCHMARKS.md. Each module measures its figures next to a
 * baseline in the same run (the machines are noisy), so read ratios and medians, not absolute times.
 *
 *   npm run bench                          every bench, full size; writes BENCHMARKS.md
 *   npm run bench -- classify board        only the named modules (their sections replace the old ones)
 *   npm run bench -- import --quick        the same ratios on a smaller data set (< 3 min); BENCHMARKS.md untouched
 *
 * Every bench ends with its line `NAME: <figure> (<ratio to baseline>), goal <goal>: met|NOT met` on stdout; the
 * command exits 1 when any goal was missed or a bench failed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execSync } from "node:child_process";
import { goalLine, headlineLine, type BenchModule, type BenchResult } from "./support/goals";

const ROOT = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.filter((a) => !a.startsWith("--"));
const unknown = args.filter((a) => a.startsWith("--") && a !== "--quick");
if (unknown.length > 0) {
  console.error(`bench: unknown option ${unknown.join(" ")} (only --quick)`);
  process.exit(2);
}
const modules = fs
  .readdirSync(path.join(ROOT, "bench"))
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();
if (modules.length === 0) {
  console.error(`bench: no bench matches ${only.join(" ")}`);
  process.exit(2);
}

function commit(): string {
  try {
    const sha = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
    const dirty = execSync("git status --porcelain --untracked-files=no", { cwd: ROOT }).toString().trim() !== "";
    return dirty ? `${sha} (with uncommitted changes)` : sha;
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
let failed = false;
for (const file of modules) {
  const name = file.replace(/\.bench\.ts$/, "");
  console.error(`bench: ${file}${quick ? " (quick)" : ""}...`);
  const started = Date.now();
  let result: BenchResult;
  try {
    const mod = (await import(path.join(ROOT, "bench", file))) as BenchModule;
    result = await mod.run({ quick });
  } catch (error) {
    console.error(error);
    console.log(
      `${name}: no figure (the bench failed: ${error instanceof Error ? error.message : String(error)}), goal see bench/${file}: NOT met`,
    );
    failed = true;
    continue;
  }
  const goals = result.goals ?? [];
  if (goals.length === 0 || goals.some((g) => !g.met)) failed = true;
  const lines = [...goals.map(goalLine), headlineLine(name, goals)];
  for (const line of lines) console.log(line);
  // Each section carries its own commit and time: `npm run bench -- <name>` re-runs one and keeps the others.
  sections.push(
    `## ${result.title}\n\n${result.markdown.trim()}\n\n${goals.map((g) => `- ${goalLine(g)}`).join("\n")}\n\n_${file}, ${((Date.now() - started) / 1000).toFixed(0)} s; commit ${commit()}, ${new Date().toISOString()}_`,
  );
  console.error(`bench: ${file} done`);
}

if (quick) {
  console.error("bench: --quick runs leave BENCHMARKS.md as it is (it keeps full-size figures)");
} else if (sections.length > 0) {
  const previous = fs.existsSync(path.join(ROOT, "BENCHMARKS.md"))
    ? fs.readFileSync(path.join(ROOT, "BENCHMARKS.md"), "utf8")
    : "";
  // A run of some benches rewrites their sections where they stood and keeps the others.
  const titleOf = (section: string) => section.split("\n")[0];
  const previousSections =
    only.length === 0 ? [] : [...previous.matchAll(/^## [\s\S]*?(?=^## |(?![\s\S]))/gm)].map((m) => m[0].trim());
  const rewritten = previousSections.map((old) => sections.find((s) => titleOf(s) === titleOf(old)) ?? old);
  const added = sections.filter((s) => !previousSections.some((old) => titleOf(old) === titleOf(s)));
  const body = [
    "# Benchmarks",
    "",
    "Written by `npm run bench`. Every figure stands next to a baseline measured in the same run on the same machine;",
    "these machines are shared and noisy, so compare ratios and medians rather than absolute times. Each section ends",
    "with its goals; `npm run bench -- <name> --quick` checks the same ratios on a smaller data set without writing here.",
    "",
    machine(),
    "",
    ...[...rewritten, ...added].map((s) => `${s}\n`),
  ].join("\n");
  fs.writeFileSync(path.join(ROOT, "BENCHMARKS.md"), body);
  console.error(`wrote BENCHMARKS.md (${sections.length} section(s) run)`);
}
process.exit(failed ? 1 : 0);
