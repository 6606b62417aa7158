import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase } from "../../src/skb/index.ts";
import { presets } from "./helpers.ts";

const nonIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);

describe("numa-multicast", () => {
  describe.each(presets())("on %s", (_, machine) => {
    it("farthest first, leaders before mates at equal cost, buffers at the aggregating core", async () => {
      const kb = await SystemKnowledgeBase.for(machine);
      for (const root of [0, 3, machine.numCores - 2]) await check(kb, root);
    });

    async function check(kb: SystemKnowledgeBase, root: number) {
      const tree = await kb.route("numa-multicast", root);
      const rootPackage = machine.corePackage[root];
      const fromRoot = tree.edges.filter((e) => e.from === root).sort((a, b) => a.order - b.order);
      const remote = fromRoot.filter((e) => machine.corePackage[e.to] !== rootPackage);
      const own = fromRoot.filter((e) => machine.corePackage[e.to] === rootPackage);
      // By decreasing round trip, own package-mates included (on these machines they are the nearest).
      expect(nonIncreasing(fromRoot.map((e) => e.cost))).toBe(true);
      expect(fromRoot).toEqual([...remote, ...own]);
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

  // Barrelfish's multicast.pl sorts the root's sends by decreasing round trip,
  // stably, from a list of the other packages' leaders in descending package
  // order followed by the root's package-mates in ascending order. Derived by
  // hand from each preset's links: on amd-4x4 a two-hop package is farther
  // than a one-hop one; on amd-8x4 three hops beat two, two beat one.
  it.each([
    // Package 0 of the square: package 3 two hops away, 1 and 2 one hop.
    ["amd-4x4", 0, [12, 8, 4, 1, 2, 3]],
    // Package 2 (cores 8..11): package 1 two hops away, 3 and 0 one hop.
    ["amd-4x4", 9, [4, 12, 0, 8, 10, 11]],
    // Package 0 links to 1, 4 and 7; 2, 3, 5 and 6 are two hops away.
    ["amd-8x4", 0, [24, 20, 12, 8, 28, 16, 4, 1, 2, 3]],
    // Package 7 links to 0 and 6; 1, 4 and 5 are two hops away, 2 and 3 three.
    ["amd-8x4", 28, [12, 8, 20, 16, 4, 24, 0, 29, 30, 31]],
  ] as const)("on %s from core %i: Barrelfish's send order", async (name, root, order) => {
    const tree = await (await SystemKnowledgeBase.for(preset(name)!)).route("numa-multicast", root);
    const fromRoot = tree.edges.filter((e) => e.from === root).sort((a, b) => a.order - b.order);
    expect(fromRoot.map((e) => e.to)).toEqual(order);
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
