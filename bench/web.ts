// The demo's size: the Worker bundle as `wrangler deploy --dry-run` makes it
// (the free plan takes 3 MiB of it gzipped), the static assets, and the bytes
// a first visit to / loads, measured in Debian's chromium against the
// deployed bundle and assets in workerd. The bytes are the bodies as served
// and gzipped (as Cloudflare serves them to a browser that accepts gzip);
// what loads only later (the chart library on the first result, Graphviz on
// opening the DOT view, Swagger UI at /docs) is listed on its own.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { BUNDLE_DIR, startWorker } from "../src/cli/local-worker.ts";
import { launch } from "../test/e2e/browser.ts";
import type { BenchEntry, Row } from "./entry";

const WEB = resolve(import.meta.dirname, "../web");
/** The Workers free plan's limit on a Worker, gzipped. */
const FREE_PLAN_GZIP = 3 * 1024 * 1024;

const kib = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

function sizes(contents: Buffer[]): { raw: number; gzip: number } {
  return contents.reduce((a, c) => ({ raw: a.raw + c.length, gzip: a.gzip + gzipSync(c, { level: 9 }).length }), { raw: 0, gzip: 0 });
}

const row = (what: string, count: number, s: { raw: number; gzip: number }, note = ""): Row => ({
  what,
  files: count,
  "raw KiB": kib(s.raw),
  "gzip KiB": kib(s.gzip),
  note,
});

const web: BenchEntry = {
  name: "web",
  title: "the Worker bundle (raw, gzip) against the free plan's 3 MiB, the static assets, and the bytes the demo's first load takes",
  async run() {
    const worker = await startWorker();
    try {
      const rows: Row[] = [];
      // What a deploy uploads: the modules, not the source maps or wrangler's notes.
      const modules = files(BUNDLE_DIR).filter((f) => !/\.(map|md)$/.test(f) && !relative(BUNDLE_DIR, f).startsWith("."));
      const bundle = sizes(modules.map((f) => readFileSync(f)));
      rows.push(row("Worker bundle (wrangler deploy --dry-run)", modules.length, bundle, `${((100 * bundle.gzip) / FREE_PLAN_GZIP).toFixed(1)}% of the free plan's 3 MiB gzip`));
      const assets = files(WEB);
      rows.push(row("static assets (web/, with web/vendor/)", assets.length, sizes(assets.map((f) => readFileSync(f))), `largest ${kib(Math.max(...assets.map((f) => statSync(f).size)))} KiB (25 MiB allowed per file)`));

      const url = (await worker.miniflare.ready).toString().replace(/\/$/, "");
      const browser = await launch();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const loaded: { path: string; body: Buffer }[] = [];
        const pending: Promise<void>[] = [];
        page.on("response", (r) => pending.push(r.body().then((body) => void loaded.push({ path: new URL(r.url()).pathname, body }), () => undefined)));
        await page.goto(`${url}/`);
        await page.locator("body[data-ready]").waitFor({ timeout: 60_000 });
        await page.waitForLoadState("networkidle");
        await Promise.all(pending);
        const own = loaded.filter((l) => !l.path.startsWith("/api/") && l.path !== "/openapi.json");
        const answers = loaded.filter((l) => l.path.startsWith("/api/") || l.path === "/openapi.json");
        const total = sizes(loaded.map((l) => l.body));
        rows.push(row("first load of /: page files (HTML, CSS, modules, icon)", own.length, sizes(own.map((l) => l.body)), own.map((l) => l.path).join(" ")));
        rows.push(row("first load of /: API answers (machines, experiments, OpenAPI, tree)", answers.length, sizes(answers.map((l) => l.body))));
        rows.push(row("first load of /: all", loaded.length, total));
      } finally {
        await browser.close();
      }
      const later = (what: string, paths: string[]) => rows.push(row(what, paths.length, sizes(paths.map((p) => readFileSync(join(WEB, p))))));
      later("later: Observable Plot, on the first result", ["vendor/plot.js"]);
      later("later: Graphviz (WebAssembly inside), on opening the DOT view", ["vendor/viz.js"]);
      later("later: /docs (Swagger UI)", ["docs.html", "js/docs.js", "vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css"]);
      return rows;
    } finally {
      await worker.dispose();
    }
  },
};

export default web;
