import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// One test file per behaviour, next to the module it tests; the project is chosen by suffix.
export default defineConfig({
  test: {
    projects: [
      {
        // The layers below core-object run in plain Node.
        test: {
          name: "unit",
          environment: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/**/*.workerd.test.ts", "test/**/*.e2e.test.ts", "**/node_modules/**"],
        },
      },
      {
        // Inside workerd, with the bindings of wrangler.toml and the test worker's objects.
        plugins: [cloudflareTest({ main: "./test/worker.ts", wrangler: { configPath: "./wrangler.toml" } })],
        test: {
          name: "workerd",
          include: ["test/**/*.workerd.test.ts"],
          // A file's first test pays workerd's cold start (bundling, the SKB's first parse): seconds on a loaded 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        // The demo in a real browser (Debian's chromium, driven by playwright-core) against `npm start`.
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.e2e.test.ts"],
          globalSetup: ["test/e2e/server.ts"],
          fileParallelism: false,
          // Bounds on waits for conditions, not sleeps: a durable run on a loaded 2-core machine takes seconds.
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
