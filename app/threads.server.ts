/**
 * Where the app's worker threads find their entry modules and how they load them. From source the entry is a
 * TypeScript file run through tsx (as `npm run worker` runs the app; inherited when the parent already loaded it);
 * a bundled build (bench/support/processes.ts) ships each entry as an .mjs file beside the bundle, run as it is.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function threadExecArgv(entry: string): string[] | undefined {
  if (!entry.endsWith(".ts")) return undefined;
  const loaded = process.execArgv.some(
    (arg, i) => arg.includes("tsx") && (process.execArgv[i - 1] === "--import" || arg.startsWith("--import")),
  );
  return loaded ? undefined : [...process.execArgv, "--import", "tsx"];
}

/** The entry `name` next to the module at `moduleUrl`: its .ts source, else a bundle's .mjs; null when neither exists. */
export function threadEntry(moduleUrl: string, name: string): string | null {
  const dir = path.dirname(fileURLToPath(moduleUrl));
  for (const file of [`${name}.ts`, `${name}.mjs`]) {
    const entry = path.join(dir, file);
    if (fs.existsSync(entry)) return entry;
  }
  return null;
}
