// The CLI in-process, as `npm run -s cli -- ...` runs it, for the tests.
import { UsageError } from "../../src/cli/args.ts";
import { execute, parseCommand } from "../../src/cli/cli.ts";
import type { Output } from "../../src/cli/command.ts";
import { commands } from "../../src/cli/commands/index.ts";

/** A whole command line: its exit status and what it printed on standard output and standard error. */
export async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const printed = { out: "", err: "" };
  const line = (to: "out" | "err") => (text: string) => void (printed[to] += text.endsWith("\n") ? text : `${text}\n`);
  const status = await execute(argv, { out: line("out"), err: line("err") });
  return { status, ...printed };
}

/** What a command returns for these arguments (those after its name), before main prints it. */
export async function output(name: string, ...argv: string[]): Promise<Output> {
  const cmd = commands.find((c) => c.name === name)!;
  const { args, choice } = parseCommand(cmd, argv);
  return cmd.run(args, choice);
}

/** The message of the UsageError these arguments give; undefined when there is none, and any other error as it is. */
export const usageError = (name: string, ...argv: string[]): Promise<unknown> =>
  Promise.resolve()
    .then(() => output(name, ...argv))
    .then(
      () => undefined,
      (e: unknown) => (e instanceof UsageError ? e.message : e),
    );
