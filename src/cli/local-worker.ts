// The project's Worker in workerd, from Node: bundled by `wrangler deploy
// --dry-run` as it would be deployed, and run through Miniflare with the
// bindings of wrangler.toml. For the CLI's durable engine and the bench.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { type Log, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { scratchDir } from "./state-dir.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CONFIG = resolve(ROOT, "wrangler.toml");
/** Where `wrangler deploy --dry-run` writes the bundle: the modules a deploy uploads. */
export const BUNDLE_DIR = resolve(ROOT, ".wrangler/local-worker");

export interface LocalWorker {
  /** Sends a GET to the Worker's fetch handler and parses the JSON answer. */
  getJson<T>(path: string): Promise<T>;
  /** The Miniflare instance, for its bindings (e.g. a Durable Object namespace). */
  miniflare: Miniflare;
  /** The Worker's [vars], as it runs with them. */
  vars: Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * `wrangler deploy --dry-run`: the Worker bundled into `outDir` as a deploy
 * would upload it (the static assets built and checked too, by wrangler.toml's
 * [build] and [assets]); what wrangler printed.
 */
export async function bundleWorker(outDir = BUNDLE_DIR): Promise<string> {
  // The CLI script is not in wrangler's package exports; it sits beside its main module.
  const wranglerBin = resolve(createRequire(import.meta.url).resolve("wrangler"), "../../bin/wrangler.js");
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [wranglerBin, "deploy", "--dry-run", "--outdir", outDir, "--config", CONFIG], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return stdout + stderr;
}

/** What the bundle is made from: the Worker's sources, its configuration and lock, and the built assets' manifest (wrangler's [build] makes them). */
function bundleInputs(): string {
  const sources = readdirSync(resolve(ROOT, "src"), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
  const others = [...readdirSync(ROOT).filter((f) => /^tsconfig.*\.json$/.test(f)), "wrangler.toml", "package-lock.json", "web/vendor/manifest.json"];
  const hash = createHash("sha256");
  for (const path of [...sources, ...others.map((f) => resolve(ROOT, f))].sort()) {
    hash.update(`${relative(ROOT, path)}\0`);
    hash.update(existsSync(path) ? readFileSync(path) : "(none)");
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * The bundle startWorker runs: `bundleWorker` again only when what it is
 * made from changed since the last one (a `wrangler deploy --dry-run` takes
 * about 3 s of the 20 s a default durable sweep takes from the CLI).
 */
async function currentBundle(): Promise<void> {
  const stamp = resolve(BUNDLE_DIR, "inputs.sha256");
  // Taken before bundling: a source edited meanwhile makes the next start bundle again.
  const inputs = bundleInputs();
  if (existsSync(resolve(BUNDLE_DIR, "index.js")) && existsSync(stamp) && readFileSync(stamp, "utf8") === inputs) return;
  await bundleWorker();
  writeFileSync(stamp, inputs);
}

/**
 * The [vars] a local workerd runs with in place of wrangler.toml's, which a
 * deploy keeps. Locally every object runs on workerd's one thread, so a
 * sweep's simulations gain nothing by overlapping and lose to their
 * interleaving: the default unmap and shootdown sweeps through the API took
 * 13% and 8% less of that thread's time one at a time than eight at once
 * (bench/sweeps.ts runs both). A caller's vars win over these.
 */
export const LOCAL_VARS: Record<string, string> = { MAX_PARALLEL_SIMULATIONS: "1" };

/** wrangler.toml's [vars], as a deploy runs with them. */
export function deployedVars(): Record<string, string> {
  return unstable_getMiniflareWorkerOptions(CONFIG).workerOptions.bindings as Record<string, string>;
}

/** Where and how `startWorker` serves: by default on no socket of its own, in memory. */
export interface ServeOptions {
  /** The address and port of workerd's own HTTP socket (Miniflare's entry). */
  host?: string;
  port?: number;
  /** The Durable Objects' state, kept across restarts (`wrangler dev` keeps it in `<persist-to>/v3`); by default a scratch directory deleted on dispose. */
  persistRoot?: string;
  /** Worker vars that replace wrangler.toml's `[vars]` and LOCAL_VARS. */
  vars?: Record<string, string>;
  /** Miniflare's log (requests, "Ready on"); none by default. */
  log?: Log;
  /** Called once Miniflare has started workerd again after it crashed. */
  onRuntimeRestart?: () => void;
  /** Lines of workerd's output not to show; the others go to the console, as Miniflare's default does. */
  dropOutput?: RegExp;
}

/** workerd's standard output and error, line by line, to the console's, but for the lines `drop` matches. */
const pipeOutputExcept =
  (drop: RegExp) =>
  (stdout: Readable, stderr: Readable): void => {
    createInterface(stdout).on("line", (line) => drop.test(line) || console.log(line));
    createInterface(stderr).on("line", (line) => drop.test(line) || console.error(line));
  };

/**
 * Removes `dir` while the process exits, when nothing can wait: workerd,
 * killed a moment before, may still be writing into it (a Ctrl-C had left
 * 2 of 10 runs' state behind), so it is removed again until it stays gone
 * for 50 ms, half a second at most.
 */
function removeAtExit(dir: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 10 && existsSync(dir); i++) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // written into meanwhile: the next round
    }
    Atomics.wait(pause, 0, 0, 50);
  }
}

/**
 * Runs the Worker as it would be deployed: bundled by `wrangler deploy
 * --dry-run`, in workerd through Miniflare, with the bindings of wrangler.toml
 * (LOCAL_VARS, then `options.vars`, in place of some of its [vars]).
 */
export async function startWorker(options: ServeOptions = {}): Promise<LocalWorker & { url: URL }> {
  await currentBundle();
  const scratch = options.persistRoot ? null : await scratchDir();

  const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG);
  const vars = { ...(workerOptions.bindings as Record<string, string>), ...LOCAL_VARS, ...options.vars };
  const mf = new Miniflare({
    ...workerOptions,
    bindings: vars,
    modules: true,
    scriptPath: resolve(BUNDLE_DIR, "index.js"),
    cf: false, // placeholder Request.cf: no fetch of workers.cloudflare.com, works offline
    host: options.host,
    port: options.port,
    defaultPersistRoot: options.persistRoot ?? scratch!,
    log: options.log,
    unsafeHandleRuntimeRestart: options.onRuntimeRestart,
    handleRuntimeStdio: options.dropOutput && pipeOutputExcept(options.dropOutput),
  });
  // A process that exits before dispose (Ctrl-C: Miniflare's own handler kills workerd and exits) leaves no scratch state behind.
  const forgetScratch = () => scratch && removeAtExit(scratch);
  if (scratch) process.once("exit", forgetScratch);
  const url = await mf.ready;

  return {
    url,
    async getJson<T>(path: string): Promise<T> {
      const res = await mf.dispatchFetch(new URL(path, "http://edgefish.local"));
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${body}`);
      return JSON.parse(body) as T;
    },
    miniflare: mf,
    vars,
    async dispose() {
      await mf.dispose();
      if (scratch) {
        process.off("exit", forgetScratch);
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
}
