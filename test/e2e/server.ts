// The e2e tests' server: `npm start` (the supervisor around `wrangler dev`,
// which builds web/vendor first) on a free port with a state directory of its
// own, started once for every e2e file. Every wait is for a condition, with a
// bound. At the end every process it started is killed by its pid: npm, the
// supervisor, wrangler and workerd (found below npm before any is stopped, as
// an orphan would leave the tree). EDGEFISH_E2E_URL points the tests at a
// server already running instead.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const ROOT = resolve(import.meta.dirname, "../..");
const READY_MS = 150_000; // a cold wrangler start, with the build, on a busy 2-core machine
const STOP_MS = 15_000;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on("error", fail);
  });
}

/** Every process below `pid`, from `ps`. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const line of execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" }).split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (p) children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const below = (p: number): number[] => (children.get(p) ?? []).flatMap((c) => [c, ...below(c)]);
  return below(pid);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/machines`, { signal: AbortSignal.timeout(10_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, proc: ChildProcess | null, output: () => string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (proc && proc.exitCode !== null) throw new Error(`npm start exited (${proc.exitCode}) before ${what}:\n${output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`no ${what} after ${ms / 1000} s:\n${output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.EDGEFISH_E2E_URL;
  if (given) {
    project.provide("baseUrl", given.replace(/\/$/, ""));
    return async () => {};
  }
  const port = await freePort();
  const state = await mkdtemp(join(tmpdir(), "edgefish-e2e-"));
  let output = "";
  const proc = spawn("npm", ["start", "--", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  proc.stdout!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  proc.stderr!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const started = new Set<number>([proc.pid!]);
  const stop = async () => {
    for (const pid of descendants(proc.pid!)) started.add(pid);
    if (proc.exitCode === null) {
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, STOP_MS)))]);
      clearTimeout(timer);
    }
    // Whatever is left of what was started (workerd outlives wrangler when it is stopped), by pid.
    for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
    await waitFor("every process started to end", () => [...started].every((p) => !alive(p)), null, () => "", STOP_MS);
    proc.stdout!.destroy();
    proc.stderr!.destroy();
    await rm(state, { recursive: true, force: true });
  };
  try {
    await waitFor(`an answer on ${url}`, () => answers(url), proc, () => output, READY_MS);
    // wrangler and workerd are up now: note them while npm is their ancestor.
    for (const pid of descendants(proc.pid!)) started.add(pid);
  } catch (e) {
    await stop();
    throw e;
  }
  project.provide("baseUrl", url);
  return stop;
}
