import { describe, expect, it } from "vitest";
import { CostModel, preset, type Machine } from "../../src/hwmodel/index.ts";
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
      // The leaders are each package's fastest core, the lowest of equals (its lowest on a machine of one clock), and they hold their channel's buffer.
      const fastest = (cores: number[]) => cores.reduce((f, c) => (machine.coreClockGHz[c] > machine.coreClockGHz[f] ? c : f));
      expect(remote.map((e) => e.to).sort((a, b) => a - b)).toEqual(machine.packageCores.filter((_, p) => p !== rootPackage).map(fastest));
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
  // order followed by the root's package-mates in ascending order. The rule,
  // restated here, against the SKB's own round trips from every root.
  const barrelfishOrder = (machine: Machine, root: number, rtt: (a: number, b: number) => number): number[] => {
    const own = machine.corePackage[root];
    const leaders = machine.packageCores.map((cores) => cores[0]).filter((l) => machine.corePackage[l] !== own).reverse();
    const mates = machine.packageCores[own].filter((c) => c !== root);
    // Array.prototype.sort is stable.
    return [...leaders, ...mates].sort((a, b) => rtt(root, b) - rtt(root, a));
  };

  it.each(["amd-8x4", "amd-4x4"])("on %s, from every root: Barrelfish's send order", async (name) => {
    const machine = preset(name)!;
    const kb = await SystemKnowledgeBase.for(machine);
    const cost = new CostModel(machine);
    for (let root = 0; root < machine.numCores; root++) {
      const tree = await kb.route("numa-multicast", root);
      const fromRoot = tree.edges.filter((e) => e.from === root).sort((a, b) => a.order - b.order);
      expect(fromRoot.map((e) => e.to), `root ${root}`).toEqual(barrelfishOrder(machine, root, (a, b) => cost.roundTrip(a, b)));
    }
  });

  it("breaks ties as Barrelfish does: the higher package first, then the root's mates in order", async () => {
    // Worked by hand: every remote package at one round trip, every mate at a lower one.
    const machine = preset("amd-4x4")!;
    const rtt = (a: number, b: number) => (machine.corePackage[a] === machine.corePackage[b] ? 300 : 700);
    const kb = await SystemKnowledgeBase.for(machine, { rtt });
    const order = (root: number) => kb.route("numa-multicast", root).then((t) => t.edges.filter((e) => e.from === root).sort((a, b) => a.order - b.order).map((e) => e.to));
    expect(await order(0)).toEqual([12, 8, 4, 1, 2, 3]);
    expect(await order(9)).toEqual([12, 4, 0, 8, 10, 11]);
    // Mates as far as the remote packages: leaders still go first.
    const flat = await SystemKnowledgeBase.for(machine, { rtt: () => 500 });
    const t = await flat.route("numa-multicast", 5);
    expect(t.edges.filter((e) => e.from === 5).sort((a, b) => a.order - b.order).map((e) => e.to)).toEqual([12, 8, 0, 4, 6, 7]);
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
