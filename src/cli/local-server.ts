// The local server a user runs (`npm start`), started from Node on a free
// port with its own state directory, and stopped by its process group: for
// the server's end-to-end test and the reliability soak. Every wait is
// bounded and waits for an event, never for a fixed time.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
/** A bound on each wait: well past a wrangler start on a busy 2-core machine. */
export const STEP_MS = 120_000;

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on("error", fail);
  });
}

export interface LocalServer {
  port: number;
  proc: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  exited(): boolean;
}

/** `npm start -- --port <port> --persist-to <state> ...flags`, in its own process group so that stopping it reaches wrangler and workerd too. */
export function npmStart(port: number, state: string, flags: string[] = []): LocalServer {
  let output = "";
  let exited = false;
  const proc = spawn("npm", ["start", "--", "--port", String(port), "--persist-to", state, ...flags], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  proc.on("exit", () => (exited = true));
  return { port, proc, output: () => output, exited: () => exited };
}

/** What `npm start`'s supervisor asks every few seconds, with HEAD, to know that the Worker server answers. */
export const PROBE_PATH = "/api/machines";

/** Whether the server answers GET /api/machines with the presets. */
export async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/machines`, { signal: AbortSignal.timeout(10_000) });
    return res.status === 200 && Array.isArray(((await res.json()) as { machines?: unknown }).machines);
  } catch {
    return false;
  }
}

/** Wait until `ok()`, at most STEP_MS; fails with the server's last output if it exits or the time is up. */
export async function until(server: LocalServer, what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  while (!(await ok())) {
    if (server.exited()) throw new Error(`npm start exited while waiting for ${what}:\n${server.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`no ${what} after ${STEP_MS} ms:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function signalGroup(server: LocalServer, sig: NodeJS.Signals): void {
  try {
    process.kill(-server.proc.pid!, sig);
  } catch {
    // the group is gone already
  }
}

/** Stop it as Ctrl-C would, then kill whatever of its group is still tearing down. */
export async function stop(server: LocalServer): Promise<void> {
  if (!server.exited()) {
    const exit = new Promise((r) => server.proc.once("exit", r));
    signalGroup(server, "SIGTERM");
    // unref: once the server has exited, the wait left over must not keep this process alive.
    await Promise.race([exit, new Promise((r) => setTimeout(r, 15_000).unref())]);
  }
  signalGroup(server, "SIGKILL");
}

/** kill -9 of the whole server at once: supervisor, wrangler and workerd. */
export async function kill9(server: LocalServer): Promise<void> {
  const exit = server.exited() ? Promise.resolve() : new Promise((r) => server.proc.once("exit", r));
  signalGroup(server, "SIGKILL");
  await exit;
}
