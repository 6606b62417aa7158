import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SkbFieldError, barrierTree } from "../../src/skb/index.ts";
import { big, oneCore, onePackage, presets } from "./helpers.ts";

/** Every core of 0..n-1 is reached once from the root; returns the depth. */
function check(children: number[][], root: number, n: number, maxFanout: number): number {
  const seen = new Set([root]);
  let level = [root];
  let depth = 0;
  while (level.length) {
    const next = level.flatMap((c) => children[c]);
    for (const c of next) {
      expect(seen.has(c), `core ${c} reached twice`).toBe(false);
      seen.add(c);
    }
    for (const c of level) expect(children[c].length).toBeLessThanOrEqual(maxFanout);
    if (next.length) depth++;
    level = next;
  }
  expect(seen.size).toBe(n);
  return depth;
}

describe("the barrier tree", () => {
  it.each([...presets(), ["one-package", onePackage()] as const, ["one-core", oneCore()] as const])("on %s reaches every core once", (_, m) => {
    for (const root of [0, m.numCores - 1]) check(barrierTree(m, root), root, m.numCores, 8);
  });

  it("1024 cores: degree <= 8, package leaders inside, four levels", () => {
    const m = big();
    const children = barrierTree(m);
    expect(check(children, 0, 1024, 8)).toBeLessThanOrEqual(5);
    // Inner nodes other than the root's package are package leaders or their mates; mates are leaves.
    for (let c = 0; c < 1024; c++) if (c % 4 !== 0) expect(children[c]).toEqual([]);
    expect(children[4]).toContain(5);
  });

  it.each([2, 3, 4, 5])("fan-out %i bounds every degree", (k) => {
    const m = big();
    check(barrierTree(m, 77, k), 77, 1024, k);
  });

  it("spans the first n cores when asked", () => {
    const m = preset("amd-8x4")!;
    const children = barrierTree(m, 2, 8, 10);
    check(children, 2, 10, 8);
    expect(children.slice(10).every((c) => c.length === 0)).toBe(true);
  });

  it("names bad arguments", () => {
    const m = preset("amd-4x4")!;
    expect(() => barrierTree(m, 16)).toThrow(SkbFieldError);
    expect(() => barrierTree(m, 0, 1)).toThrow(/maxFanout/);
    expect(() => barrierTree(m, 0, 8, 0)).toThrow(/cores/);
  });
});
