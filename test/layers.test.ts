// The layer rule of DESIGN.md is a compile error: the kernel layers compile
// with neither Workers nor Node types, so a kernel file that imports the
// Workers runtime or Node, or uses Node's globals, does not type-check.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** tsc's diagnostics for the fixture project, one per line. */
async function diagnostics(): Promise<string[]> {
  const run = promisify(execFile)(process.execPath, [TSC, "--noEmit", "--pretty", "false", "-p", "test/fixtures/kernel-layer/tsconfig.json"], { cwd: ROOT });
  const out = await run.then(
    (r) => r.stdout,
    (e: { stdout: string }) => e.stdout,
  );
  return out.split("\n").filter((l) => l.includes("error TS"));
}

describe("the kernel layers compile with neither runtime's types", () => {
  it("refuses the Workers runtime, Node's modules and Node's globals, and allows the host functions", async () => {
    const errors = await diagnostics();
    const at = (file: string) => errors.filter((l) => l.startsWith(`test/fixtures/kernel-layer/${file}`));
    expect(at("imports-workers.ts").join("\n")).toMatch(/TS2307: Cannot find module 'cloudflare:workers'/);
    expect(at("imports-node.ts").join("\n")).toMatch(/TS2307: Cannot find module 'node:fs'/);
    const globals = at("uses-node-global.ts").join("\n");
    expect(globals).toMatch(/Cannot find name 'process'/);
    expect(globals).toMatch(/Cannot find name 'Buffer'/);
    expect(at("host-functions.ts")).toEqual([]);
  }, 60_000);
});
