// The command-line entry: `npm run -s cli -- <command> [flags]`.
// Human-readable output by default, --json for machines; bad input exits 2
// with a message that names the flag or field and the reason.
import "./require-node.ts";
import { parseArgs, usage, UsageError } from "./args.ts";
import { commands } from "./commands/index.ts";
import { MachineError } from "../hwmodel/machine.ts";

const COMMON = {
  json: { type: "boolean", description: "print JSON for machines" },
  help: { type: "boolean", description: "show this help" },
} as const;

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length + (c.args ? c.args.length + 1 : 0)));
  return [
    "edgefish: the Barrelfish multikernel, simulated",
    "",
    "usage: npm run -s cli -- <command> [flags]      (--help after a command for its flags)",
    "",
    ...commands.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ""}`.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "help") {
    console.log(overview());
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`error: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  const spec = { ...cmd.flags, ...COMMON };
  try {
    const args = parseArgs(rest, spec);
    if (!cmd.args && args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    if (args.flags.help) {
      console.log(`usage: npm run -s cli -- ${cmd.name}${cmd.args ? ` ${cmd.args}` : ""} [flags]\n\n${cmd.summary}\n\n${usage(spec)}`);
      return 0;
    }
    const out = await cmd.run(args);
    console.log(args.flags.json ? JSON.stringify(out.json) : out.text);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n(npm run -s cli -- ${cmd.name} --help)`);
      return 2;
    }
    if (e instanceof MachineError) {
      console.error(`error: invalid machine description:\n${e.issues.map((i) => `  ${i.field || "(machine)"}: ${i.reason}`).join("\n")}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  },
);
