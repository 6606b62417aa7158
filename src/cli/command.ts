// What a CLI command is: a name, a one-line summary, its flags, and a run
// function that returns text for people, a value for --json and the files
// it writes. A command whose first argument picks what it does (`run
// <experiment>`, `skb <sub-command>`) lists those choices, each with flags
// of its own.
import type { FlagSpec, ParsedArgs } from "./args.ts";

/** A command's input was good, and what it ran failed (a durable simulation that failed or gave up): one line, exit status 1. */
export class RunFailure extends Error {
  override name = "RunFailure";
}

/** A file a command writes, once its result is printed. */
export interface OutputFile {
  /** The flag that named it, for errors. */
  flag: string;
  path: string;
  content: string;
  /** What it holds, for the line that says it was written, e.g. "the Chrome trace of 4 simulations". */
  what: string;
}

export interface Output {
  /** Printed by default. */
  text: string;
  /** Printed as JSON with --json. */
  json: unknown;
  files?: OutputFile[];
}

/** One thing the first argument can pick. */
export interface Choice {
  name: string;
  summary: string;
  /** Positional arguments after the choice, for the help text, e.g. "<goal>". */
  args?: string;
  flags: FlagSpec;
}

export interface Command {
  name: string;
  summary: string;
  /** Positional arguments, for the help text, e.g. "[preset]". */
  args?: string;
  /** Flags of every use of the command; with choices, they may depend on the one picked (none for the command's help). */
  flags: FlagSpec | ((choice?: Choice) => FlagSpec);
  /** What the first argument picks: `of` names it ("experiment"), `flagsAre` its own flags ("parameters"). */
  choices?: { of: string; flagsAre: string; list: readonly Choice[] };
  /** With choices, `choice` is the one picked and positionals follow it. `progress` draws a status line, when there is a terminal to draw it on and no --json. */
  run(args: ParsedArgs, choice?: Choice, progress?: (line: string | null) => void): Promise<Output> | Output;
}
