// `wrangler deploy --dry-run`, as `npm run deploy` would do it without the
// upload: the Worker bundles, the demo's assets are built and read, and the
// bundle is within the Workers free plan's 3 MiB (gzipped).
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { bundleWorker } from "../../src/cli/local-worker.ts";

const FREE_PLAN_GZIP = 3 * 1024 * 1024;

it("wrangler deploy --dry-run bundles the Worker and the demo's assets, within the free plan", { timeout: 180_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), "edgefish-deploy-"));
  try {
    const printed = await bundleWorker(out);
    expect(printed).toMatch(/Read \d+ files from the assets directory/);
    expect(printed).toContain("--dry-run: exiting now.");
    const modules = (await readdir(out)).filter((f) => !/\.(map|md)$/.test(f));
    expect(modules).toContain("index.js");
    const gzip = (await Promise.all(modules.map(async (f) => gzipSync(await readFile(join(out, f))).length))).reduce((a, b) => a + b, 0);
    expect(gzip).toBeLessThan(FREE_PLAN_GZIP);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
