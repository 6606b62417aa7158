// Installing and starting: npm runs exactly the install scripts the project
// approves, and every entry point stops in one line on a Node.js older than
// wrangler takes.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { leastVersion, nodeProblem, wranglerEngine } from "../../src/cli/node-version.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(resolve(ROOT, path), "utf8");

describe("install scripts", () => {
  it("allowScripts approves exactly the packages of the lock file that have install scripts", () => {
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length))
      .sort();
    const { allowScripts } = JSON.parse(read("package.json")) as { allowScripts: Record<string, boolean> };
    expect(Object.keys(allowScripts).sort()).toEqual(withScripts);
    expect(Object.values(allowScripts).every((v) => v === true)).toBe(true);
  });
});

describe("the Node.js version", () => {
  it("is read from wrangler's engines field", () => {
    const engine = wranglerEngine();
    expect(engine.wrangler).toBe(JSON.parse(read("package.json")).devDependencies.wrangler);
    expect(leastVersion(engine.node)).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("an older Node gets one line naming both versions and the fix", () => {
    const problem = nodeProblem("20.20.2", { wrangler: "4.116.0", node: ">=22.0.0" }, "/usr/bin/node")!;
    expect(problem).not.toContain("\n");
    expect(problem).toMatch(/^error: edgefish needs Node\.js 22\.0\.0 or later \(wrangler 4\.116\.0 does\), but this is Node\.js 20\.20\.2 \(\/usr\/bin\/node\): .*npm ci/);
    expect(nodeProblem("21.99.99", { wrangler: "4.116.0", node: ">=22.0.0" }, "node")).not.toBeNull();
    expect(nodeProblem("22.0.0", { wrangler: "4.116.0", node: ">=22.0.0" }, "node")).toBeNull();
    expect(nodeProblem("24.1.0", { wrangler: "4.116.0", node: ">=22.0.0" }, "node")).toBeNull();
  });

  it("the Node the tests run on passes", () => {
    expect(nodeProblem(process.versions.node, wranglerEngine(), process.execPath)).toBeNull();
  });

  it("is checked first by npm test and by every entry point (the CLI, npm start, the bench)", () => {
    expect(JSON.parse(read("package.json")).scripts.test).toMatch(/^tsx src\/cli\/require-node\.ts && /);
    for (const [entry, path] of [
      ["src/cli/main.ts", "./require-node.ts"],
      ["src/cli/serve.ts", "./require-node.ts"],
      ["bench/main.ts", "../src/cli/require-node.ts"],
    ]) {
      expect(read(entry).match(/^import .*$/m)?.[0], entry).toBe(`import "${path}";`);
    }
  });
});
