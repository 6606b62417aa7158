import { describe, expect, it } from "vitest";
import { checkFanout, settleAll, subtrees } from "../../src/core-object/tree.ts";

/** Walk the tree the way the objects do: each subtree's root handles itself and splits the rest. */
function walk(cores: number[], fanout: number): { visits: number[]; maxCalls: number; depth: number } {
  const visits: number[] = [];
  let maxCalls = 0;
  const visit = (tree: number[], level: number): number => {
    visits.push(tree[0]);
    const below = subtrees(tree.slice(1), fanout);
    maxCalls = Math.max(maxCalls, below.length);
    return Math.max(level, ...below.map((t) => visit(t, level + 1)));
  };
  const roots = subtrees(cores, fanout);
  maxCalls = roots.length;
  const depth = Math.max(0, ...roots.map((t) => visit(t, 1)));
  return { visits, maxCalls, depth };
}

describe("the barrier tree", () => {
  it.each([1, 2, 7, 8, 9, 64, 65, 1000, 1024, 4096])("reaches each of %i cores once, at most 8 calls per object", (n) => {
    const cores = Array.from({ length: n }, (_, c) => c);
    const { visits, maxCalls, depth } = walk(cores, 8);
    expect(visits.sort((a, b) => a - b)).toEqual(cores);
    expect(maxCalls).toBeLessThanOrEqual(8);
    // log8 levels, plus at most one for the roots each object spends on itself.
    expect(depth).toBeLessThanOrEqual(Math.ceil(Math.log(n) / Math.log(8)) + 1);
  });

  it("1024 cores: four levels below the Simulation", () => {
    expect(walk(Array.from({ length: 1024 }, (_, c) => c), 8).depth).toBe(4);
  });

  it("covers only the cores given (a window's due cores), in contiguous runs", () => {
    expect(subtrees([3, 9, 10, 11, 40], 2)).toEqual([[3, 9, 10], [11, 40]]);
    expect(subtrees([], 8)).toEqual([]);
  });

  it("fan-out is an integer in [2, 8]", () => {
    for (const bad of [0, 1, 9, 2.5]) expect(() => checkFanout(bad)).toThrow(/fanout/);
    expect(() => checkFanout(2)).not.toThrow();
  });

  it("settleAll waits for every call before failing with the first error", async () => {
    let slowDone = false;
    const slow = new Promise<number>((r) => setTimeout(() => ((slowDone = true), r(1)), 20));
    await expect(settleAll([Promise.reject(new Error("first")), slow, Promise.reject(new Error("second"))])).rejects.toThrow("first");
    expect(slowDone).toBe(true);
  });
});
