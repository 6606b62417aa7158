// What a CLI command is: a name, a one-line summary, its flags, and a run
// function that returns text for people and a value for --json.
import type { FlagSpec, ParsedArgs } from "./args.ts";

export interface Output {
  /** Printed by default. */
  text: string;
  /** Printed as JSON with --json. */
  json: unknown;
}

export interface Command {
  name: string;
  summary: string;
  /** Positional arguments, for the help text, e.g. "<preset>". */
  args?: string;
  flags: FlagSpec;
  run(args: ParsedArgs): Promise<Output> | Output;
}
