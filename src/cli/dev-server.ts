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
import { startWorker } from "./local-worker.ts";
import { parseServeFlags } from "./serve-flags.ts";

/** Miniflare's log of requests, less the supervisor's probe (serve.ts): one every few seconds would bury the requests of people. */
class ServerLog extends Log {
  private static readonly PROBE = new RegExp(`^HEAD ${PROBE_PATH} `);

  override logWithLevel(level: LogLevel, message: string): void {
    // Miniflare colours the status.
    if (level === LogLevel.INFO && ServerLog.PROBE.test(message.replace(/\x1b\[[0-9;]*m/g, ""))) return;
    super.logWithLevel(level, message);
  }
}

async function main(): Promise<void> {
  // serve.ts checked the flags before it started this server.
  const flags = parseServeFlags(process.argv.slice(2), { ip: "127.0.0.1" });
  if (flags === "help" || "error" in flags) throw new Error(`dev-server: ${flags === "help" ? "--help" : flags.error}`);
  const { ip: host, port, state, vars } = flags;
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
