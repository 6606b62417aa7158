// The command-line entry: `npm run -s cli -- <command> [flags]` (cli.ts).
import "./require-node.ts";
import { execute } from "./cli.ts";

const line = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text.endsWith("\n") ? text : `${text}\n`);

/** Redraws one line of standard error in place: only on a terminal. */
const progress = process.stderr.isTTY ? (text: string | null) => void process.stderr.write(`\r\x1b[K${text ?? ""}`) : undefined;

// A reader that closed the pipe early (`| head`) wants no more: stop quietly, as Unix tools do.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(0);
});

execute(process.argv.slice(2), { out: line(process.stdout), err: line(process.stderr), progress }).then(
  (status) => (process.exitCode = status),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  },
);
