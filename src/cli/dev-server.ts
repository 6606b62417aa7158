// The Worker server under `npm start` (serve.ts): the Worker as `wrangler
// deploy --dry-run` bundles it, in workerd through Miniflare, with
// wrangler.toml's bindings and static assets, on the port serve.ts gives it.
//
// Not `wrangler dev`: wrangler 4.116 puts a ProxyWorker (a second workerd)
// in front of the Worker's workerd, and any failed forward between the two
// ends the dev session with an empty `[ERROR]`. Forwards fail on their own:
// the ProxyWorker reuses an idle keep-alive connection just as the Worker's
// workerd closes it (its idle timeout is 5 s), and a long durable run, which
// holds workerd's one thread for seconds at a time, makes that race likely
// (README, "The two commands"). Here the front is the only client, and it
// opens a connection per request.
import "./require-node.ts";
import { resolve } from "node:path";
import { Log, LogLevel } from "miniflare";
import { PROBE_PATH } from "./local-server.ts";
import { memoryStateDir, startWorker } from "./local-worker.ts";

/**
 * The state's directory without `--persist-to`: in memory where there is
 * room (on disk SQLite's syncs made a durable sweep two to three times as
 * long), else where `wrangler dev` keeps it.
 */
const DEFAULT_STATE = memoryStateDir() ?? resolve(import.meta.dirname, "../../.wrangler/state");

/** Miniflare's log of requests, less the supervisor's probe (serve.ts): one every few seconds would bury the requests of people. */
class ServerLog extends Log {
  private static readonly PROBE = new RegExp(`^HEAD ${PROBE_PATH} `);

  override logWithLevel(level: LogLevel, message: string): void {
    // Miniflare colours the status.
    if (level === LogLevel.INFO && ServerLog.PROBE.test(message.replace(/\x1b\[[0-9;]*m/g, ""))) return;
    super.logWithLevel(level, message);
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** --port, --ip, --persist-to and --var NAME:VALUE (repeatable), as `wrangler dev` spells them. */
function parseArgs(args: string[]): { host: string; port: number; state: string; vars: Record<string, string> } {
  let host = "127.0.0.1";
  let port = 8787;
  let state = DEFAULT_STATE;
  const vars: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(port|ip|persist-to|var)(?:=(.*))?$/.exec(args[i]);
    if (!m) fail(`${args[i]}: npm start takes --port, --ip, --persist-to <dir> and --var NAME:VALUE`);
    const value = m[2] ?? args[++i];
    if (value === undefined) fail(`--${m[1]}: needs a value`);
    if (m[1] === "port") port = Number(value);
    else if (m[1] === "ip") host = value;
    else if (m[1] === "persist-to") state = resolve(value);
    else {
      const colon = value.indexOf(":");
      if (colon < 1) fail(`--var: must be NAME:VALUE, got "${value}"`);
      vars[value.slice(0, colon)] = value.slice(colon + 1);
    }
  }
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) fail(`--port: "${port}" is not a port`);
  return { host, port, state, vars };
}

async function main(): Promise<void> {
  const { host, port, state, vars } = parseArgs(process.argv.slice(2));
  const worker = await startWorker({
    host,
    port,
    vars,
    persistRoot: resolve(state, "v3"),
    log: new ServerLog(LogLevel.INFO),
    onRuntimeRestart: () => process.stderr.write("[dev-server] workerd crashed; Miniflare started it again, on the same state\n"),
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => void worker.dispose().finally(() => process.exit(0)));
  }
  // Said the way `wrangler dev` says it, for serve.ts.
  process.send?.(JSON.stringify({ event: "DEV_SERVER_READY", ip: worker.url.hostname, port: Number(worker.url.port) }));
}

void main();
