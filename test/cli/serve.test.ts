// `npm start` end to end: the local server a user runs, on a free port, with
// its own state directory. Slow (two wrangler starts), but deterministic: it
// waits for events, never for a fixed time.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const STEP_MS = 120_000; // a bound on each wait, well past a wrangler start on a busy 2-core machine

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on("error", fail);
  });
}

/** Sends the headers and 10 of the 100 bytes its Content-Length announces, then hangs up. */
function shortUpload(port: number): Promise<void> {
  return new Promise((done, fail) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        "POST /api/machines/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
          'Content-Length: 100\r\n\r\n{"name":"x',
      );
      setTimeout(() => socket.destroy(), 1000);
    });
    socket.on("close", () => done());
    socket.on("error", fail);
  });
}

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/machines`, { signal: AbortSignal.timeout(10_000) });
    return res.status === 200 && Array.isArray(((await res.json()) as { machines?: unknown }).machines);
  } catch {
    return false;
  }
}

interface Server {
  proc: ChildProcess;
  output: () => string;
  exited: () => boolean;
}

function npmStart(args: string[]): Server {
  let output = "";
  let exited = false;
  // Its own process group, so that stopping it reaches wrangler and workerd too.
  const proc = spawn("npm", ["start", "--", ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  proc.on("exit", () => (exited = true));
  return { proc, output: () => output, exited: () => exited };
}

async function until(server: Server, what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  while (!(await ok())) {
    if (server.exited()) throw new Error(`npm start exited while waiting for ${what}:\n${server.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`no ${what} after ${STEP_MS} ms:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(server: Server): Promise<void> {
  const group = -server.proc.pid!;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(group, sig);
    } catch {
      // the group is gone already
    }
  };
  if (!server.exited()) {
    const exit = new Promise((r) => server.proc.once("exit", r));
    kill("SIGTERM");
    await Promise.race([exit, new Promise((r) => setTimeout(r, 15_000))]);
  }
  kill("SIGKILL"); // whatever of the group is still tearing down
}

it("a request whose body stops short of its Content-Length does not stop npm start", { timeout: 4 * STEP_MS }, async () => {
  const port = await freePort();
  const state = await mkdtemp(join(tmpdir(), "edgefish-serve-"));
  const server = npmStart(["--port", String(port), "--persist-to", state]);
  try {
    await until(server, "answer to GET /api/machines", () => answers(port));
    await shortUpload(port);
    // The request has failed: wrangler reports workerd's error for the lost body, or dies and is restarted.
    const failed = () => /Network connection lost|\[serve\] wrangler dev exited/.test(server.output());
    await until(server, "report of the failed request", failed);
    await until(server, "answer to GET /api/machines after the short upload", () => answers(port));
    expect(server.exited()).toBe(false);
  } finally {
    await stop(server);
    await rm(state, { recursive: true, force: true });
  }
});
