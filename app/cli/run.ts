/**
 * What the command-line tools share: their arguments read strictly (node:util parseArgs), `--help`, and how they
 * end — bad input or usage is one line and exit code 2, anything unexpected its stack and exit code 1.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CsvError } from "./csv.server";

/** Bad input or usage: reported as one line, exit code 2. */
export class InputError extends Error {}

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: false; strict: true }>
>["values"];

export interface Cli<O extends Options> {
  name: string;
  usage: string;
  options: O;
  /** The tool's work once its arguments are read; resolves to the exit code. */
  main: (args: Values<O>, io: CliIO) => Promise<number>;
}

/** A tool's definition, its options' types read from the literal. */
export function defineCli<const O extends Options>(cli: Cli<O>): Cli<O> {
  return cli;
}

export async function runCli<O extends Options>(cli: Cli<O>, argv: readonly string[], io: CliIO): Promise<number> {
  try {
    let args: Values<O> & { help?: boolean };
    try {
      args = parseArgs({
        args: [...argv],
        options: { ...cli.options, help: { type: "boolean", short: "h" } },
        allowPositionals: false,
        strict: true,
      }).values as Values<O> & { help?: boolean };
    } catch (error) {
      throw new InputError(`${(error as Error).message}\n${cli.usage}`);
    }
    if (args.help) {
      io.stdout(`${cli.usage}\n`);
      return 0;
    }
    return await cli.main(args, io);
  } catch (error) {
    if (error instanceof CsvError || error instanceof InputError) {
      io.stderr(`${cli.name}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`${cli.name}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

/** Runs the tool when its module is the process's entry (npm run classify / predict), with the process's streams. */
export async function runIfEntry(
  moduleUrl: string,
  run: (argv: readonly string[], io: CliIO) => Promise<number>,
): Promise<void> {
  const invokedDirectly =
    process.argv[1] !== undefined && moduleUrl === pathToFileURL(path.resolve(process.argv[1])).href;
  if (!invokedDirectly) return;
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
