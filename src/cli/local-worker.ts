// The project's Worker in workerd, from Node: bundled by `wrangler deploy
// --dry-run` as it would be deployed, and run through Miniflare with the
// bindings of wrangler.toml. For the CLI's durable engine and the bench.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const ROOT = resolve(import.meta.dirname, "../..");
const CONFIG = resolve(ROOT, "wrangler.toml");
/** Where `wrangler deploy --dry-run` writes the bundle: the modules a deploy uploads. */
export const BUNDLE_DIR = resolve(ROOT, ".wrangler/local-worker");

export interface LocalWorker {
  /** Sends a GET to the Worker's fetch handler and parses the JSON answer. */
  getJson<T>(path: string): Promise<T>;
  /** The Miniflare instance, for its bindings (e.g. a Durable Object namespace). */
  miniflare: Miniflare;
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

/**
 * Runs the Worker as it would be deployed: bundled by `wrangler deploy
 * --dry-run`, in workerd through Miniflare, with the bindings of wrangler.toml.
 */
export async function startWorker(): Promise<LocalWorker> {
  await bundleWorker();

  const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG);
  const mf = new Miniflare({
    ...workerOptions,
    modules: true,
    scriptPath: resolve(BUNDLE_DIR, "index.js"),
    cf: false, // placeholder Request.cf: no fetch of workers.cloudflare.com, works offline
  });
  await mf.ready;

  return {
    async getJson<T>(path: string): Promise<T> {
      const res = await mf.dispatchFetch(new URL(path, "http://edgefish.local"));
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${body}`);
      return JSON.parse(body) as T;
    },
    miniflare: mf,
    dispose: () => mf.dispose(),
  };
}
