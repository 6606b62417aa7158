// The command-line entry: `npm run -s cli -- <command> [flags]` (cli.ts).
import "./require-node.ts";
import { execute } from "./cli.ts";

const line = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text.endsWith("\n") ? text : `${text}\n`);

execute(process.argv.slice(2), { out: line(process.stdout), err: line(process.stderr) }).then(
  (status) => (process.exitCode = status),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  },
);
