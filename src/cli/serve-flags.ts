// `npm start`'s flags, as `wrangler dev` spells them: read whole by the front
// (serve.ts) before it takes its port, so a bad flag or --help costs nothing,
// and again by the Worker server it starts (dev-server.ts).
import { resolve } from "node:path";
import { memoryStateDir } from "./state-dir.ts";

export interface ServeFlags {
  ip: string;
  port: number;
  /**
   * Where the Durable Objects' state is kept: without --persist-to, in
   * memory where there is room (on disk SQLite's syncs made a durable sweep
   * two to three times as long), else where `wrangler dev` keeps it.
   */
  state: string;
  /** [vars] of wrangler.toml (or LOCAL_VARS) to replace. */
  vars: Record<string, string>;
}

export const SERVE_USAGE = `npm start [-- flags]: the Edgefish server with the demo page, the API and its docs

  --port <n>            the port to answer on (default 8787)
  --ip <address>        the address to answer on (default localhost)
  --persist-to <dir>    where the runs are kept (default: in memory, under /dev/shm, when it has 1 GiB free; else .wrangler/state)
  --var NAME:VALUE      replaces a [vars] value of wrangler.toml, e.g. --var MAX_PARALLEL_SIMULATIONS:8 (repeatable)
  --help                this text`;

/** The flags, or the reason they are wrong (naming the flag); "help" for --help. */
export function parseServeFlags(args: string[], defaults: { ip: string }): ServeFlags | "help" | { error: string } {
  const flags: ServeFlags = { ip: defaults.ip, port: 8787, state: "", vars: {} };
  let port = "8787";
  let state: string | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--help" || args[i] === "-h") return "help";
    const m = /^--(port|ip|persist-to|var)(?:=(.*))?$/.exec(args[i]);
    if (!m) return { error: `${args[i]}: npm start takes --port, --ip, --persist-to <dir>, --var NAME:VALUE and --help` };
    const value = m[2] ?? args[++i];
    if (value === undefined) return { error: `--${m[1]}: needs a value` };
    if (m[1] === "port") port = value;
    else if (m[1] === "ip") flags.ip = value;
    else if (m[1] === "persist-to") state = resolve(value);
    else {
      const colon = value.indexOf(":");
      if (colon < 1) return { error: `--var: must be NAME:VALUE, got "${value}"` };
      flags.vars[value.slice(0, colon)] = value.slice(colon + 1);
    }
  }
  flags.port = Number(port);
  if (!(/^\d+$/.test(port) && flags.port > 0 && flags.port < 65536)) return { error: `--port: "${port}" is not a port` };
  flags.state = state ?? memoryStateDir() ?? resolve(import.meta.dirname, "../../.wrangler/state");
  return flags;
}
