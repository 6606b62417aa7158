// The command line, from arguments to an exit status: find the command and
// its choice (`run unmap`, `skb route`), parse and check its flags and the
// files it will write, run it, print its result, then write its files.
// Bad input exits 2 with a message naming the flag or field and the reason,
// before anything runs; a file that cannot be written once the result is
// printed exits 1 and says so.
import { writeFileSync } from "node:fs";
import { MachineError } from "../hwmodel/index.ts";
import { didYouMean, parseArgs, usage, UsageError, type FlagSpec, type ParsedArgs } from "./args.ts";
import { RunFailure, type Choice, type Command } from "./command.ts";
import { commands } from "./commands/index.ts";
import { checkWritable, fileReason } from "./files.ts";

export const PROGRAM = "npm run -s cli --";

/** Flags of every command. */
export const COMMON: FlagSpec = {
  json: { type: "boolean", description: "print the result as JSON, in the API's shape, instead of text" },
  help: { type: "boolean", description: "show this help" },
};

/** Where the CLI prints: standard output and standard error in main. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** A status line redrawn in place (null clears it): only when standard error is a terminal. */
  progress?(line: string | null): void;
}

export function overview(): string {
  const lines = commands.map((c) => [`${c.name}${c.args ? ` ${c.args}` : ""}`, c.summary]);
  const width = Math.max(...lines.map(([l]) => l.length));
  return [
    "edgefish: the Barrelfish multikernel, simulated",
    "",
    `usage: ${PROGRAM} <command> [flags]      (--help after a command for its flags)`,
    "",
    ...lines.map(([l, summary]) => `  ${l.padEnd(width)}  ${summary}`),
    "",
    "Every command prints text, or JSON with --json. A bad flag exits with status 2 and names the flag and the reason.",
  ].join("\n");
}

/** The flags a command takes, with the choice picked. */
export function flagsOf(cmd: Command, choice?: Choice): FlagSpec {
  return { ...(choice?.flags ?? {}), ...(typeof cmd.flags === "function" ? cmd.flags(choice) : cmd.flags), ...COMMON };
}

/** The arguments after the command name as its choice and flags; a UsageError if they do not fit. */
export function parseCommand(cmd: Command, argv: string[]): { args: ParsedArgs; choice?: Choice } {
  const choices = cmd.choices;
  if (!choices) {
    const args = parseArgs(argv, flagsOf(cmd));
    if (!cmd.args && args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    return { args };
  }
  const [first, ...rest] = argv;
  const names = choices.list.map((c) => c.name).join(", ");
  const choice = choices.list.find((c) => c.name === first);
  if (!choice) {
    if (argv.includes("--help")) return { args: parseArgs(["--help"], flagsOf(cmd)) };
    if (first === undefined || first.startsWith("--")) throw new UsageError(`name the ${choices.of} first (${cmd.name} <${choices.of}> [flags]): one of ${names}`);
    throw new UsageError(`unknown ${choices.of} "${first}"; ${choices.of}s are ${names}`);
  }
  const spec = flagsOf(cmd, choice);
  // A flag of another choice: say whose it is.
  for (const name of rest.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")[0])) {
    const owners = choices.list.filter((c) => !spec[name] && c.flags[name]).map((c) => `${cmd.name} ${c.name}`);
    if (owners.length) throw new UsageError(`--${name} is not a flag of ${cmd.name} ${choice.name} (${owners.join(", ")} ${owners.length > 1 ? "take" : "takes"} it)${didYouMean(name, spec)}`);
  }
  const args = parseArgs(rest, spec);
  if (!choice.args && args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  return { args, choice };
}

export function help(cmd: Command, choice?: Choice): string {
  const own = typeof cmd.flags === "function" ? cmd.flags(choice) : cmd.flags;
  if (!cmd.choices) return [`usage: ${PROGRAM} ${cmd.name}${cmd.args ? ` ${cmd.args}` : ""} [flags]`, "", cmd.summary, "", "flags:", usage({ ...own, ...COMMON })].join("\n");
  const { of, flagsAre, list } = cmd.choices;
  if (!choice) {
    const width = Math.max(...list.map((c) => c.name.length));
    return [
      `usage: ${PROGRAM} ${cmd.name} <${of}> [flags]      (${cmd.name} <${of}> --help for its ${flagsAre} too)`,
      "",
      cmd.summary,
      "",
      `${of}s:`,
      ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      "",
      `flags of every ${of}:`,
      usage({ ...own, ...COMMON }),
    ].join("\n");
  }
  const mine = Object.keys(choice.flags).length ? [`${choice.name} ${flagsAre}:`, usage(choice.flags), ""] : [];
  return [
    `usage: ${PROGRAM} ${cmd.name} ${choice.name}${choice.args ? ` ${choice.args}` : ""} [flags]`,
    "",
    choice.summary,
    "",
    ...mine,
    `flags of every ${of}:`,
    usage({ ...own, ...COMMON }),
  ].join("\n");
}

/** A UsageError's or an invalid machine's message; undefined for anything else. */
function badInput(e: unknown): string | undefined {
  if (e instanceof UsageError) return e.message;
  if (e instanceof MachineError) return `invalid machine description:\n${e.issues.map((i) => `  ${i.field || "(machine)"}: ${i.reason}`).join("\n")}`;
  return undefined;
}

/** Runs one command line; the exit status: 0, 1 when the run failed or a file could not be written, 2 for bad input. */
export async function execute(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "help") {
    io.out(overview());
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`error: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  const picked = cmd.choices?.list.find((c) => c.name === rest[0]);
  const hint = `${PROGRAM} ${cmd.name}${picked ? ` ${picked.name}` : ""} --help`;
  try {
    const { args, choice } = parseCommand(cmd, rest);
    if (args.flags.help) {
      io.out(help(cmd, choice));
      return 0;
    }
    for (const [flag, spec] of Object.entries(flagsOf(cmd, choice))) {
      if (spec.output && args.flags[flag] !== undefined) checkWritable(flag, String(args.flags[flag]));
    }
    const out = await cmd.run(args, choice, args.flags.json ? undefined : io.progress);
    io.out(args.flags.json ? JSON.stringify(out.json) : out.text);
    let status = 0;
    for (const f of out.files ?? []) {
      try {
        writeFileSync(f.path, f.content);
        io.err(`wrote ${f.what} to ${f.path}`);
      } catch (e) {
        io.err(`error: --${f.flag}: could not write ${f.path}: ${fileReason(e)} (the result above is complete; only the file is missing)`);
        status = 1;
      }
    }
    return status;
  } catch (e) {
    if (e instanceof RunFailure) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    const message = badInput(e);
    if (message === undefined) throw e;
    io.err(`error: ${message}\n(${hint})`);
    return 2;
  }
}
