import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase } from "../../src/skb/index.ts";
import { presets } from "./helpers.ts";

const nonIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);

describe("numa-multicast", () => {
  describe.each(presets())("on %s", (_, machine) => {
    it("farthest packages first, own package last, buffers at the aggregating core", async () => {
      const kb = await SystemKnowledgeBase.for(machine);
      for (const root of [0, 3, machine.numCores - 2]) await check(kb, root);
    });

    async function check(kb: SystemKnowledgeBase, root: number) {
      const tree = await kb.route("numa-multicast", root);
      const rootPackage = machine.corePackage[root];
      const fromRoot = tree.edges.filter((e) => e.from === root).sort((a, b) => a.order - b.order);
      const remote = fromRoot.filter((e) => machine.corePackage[e.to] !== rootPackage);
      const own = fromRoot.filter((e) => machine.corePackage[e.to] === rootPackage);
      expect(fromRoot).toEqual([...remote, ...own]);
      expect(nonIncreasing(remote.map((e) => e.cost))).toBe(true);
      expect(nonIncreasing(own.map((e) => e.cost))).toBe(true);
      // The leaders are each package's lowest core, and they hold their channel's buffer.
      expect(remote.map((e) => e.to).sort((a, b) => a - b)).toEqual(
        machine.packageCores.filter((_, p) => p !== rootPackage).map((cores) => cores[0]),
      );
      expect(remote.every((e) => e.bufferAt === e.to)).toBe(true);
      expect(own.every((e) => e.bufferAt === root)).toBe(true);
      for (const leader of remote.map((e) => e.to)) {
        const sends = tree.edges.filter((e) => e.from === leader).sort((a, b) => a.order - b.order);
        expect(nonIncreasing(sends.map((e) => e.cost))).toBe(true);
        expect(sends.every((e) => e.bufferAt === leader && machine.corePackage[e.to] === machine.corePackage[leader])).toBe(true);
      }
    }
  });

  it("orders by the measured round trips a run supplies", async () => {
    const machine = preset("amd-4x4")!;
    // Package 1 made the farthest, package 3 the nearest of the remote ones.
    const far: Record<number, number> = { 0: 500, 1: 900, 2: 700, 3: 600 };
    const rtt = (a: number, b: number) => (machine.corePackage[a] === machine.corePackage[b] ? 300 : far[machine.corePackage[b]]);
    const tree = await (await SystemKnowledgeBase.for(machine, { rtt })).route("numa-multicast", 0);
    expect(tree.edges.filter((e) => e.from === 0).map((e) => [e.to, e.cost])).toEqual([
      [4, 900],
      [8, 700],
      [12, 600],
      [1, 300],
      [2, 300],
      [3, 300],
    ]);
  });
});
