import { describe, expect, it } from "vitest";
import { SystemKnowledgeBase } from "../../src/skb/index.ts";
import { presets } from "./helpers.ts";

describe("multicast", () => {
  describe.each(presets())("on %s", (_, machine) => {
    it("the root sends to each other package's lowest core and its own mates, in id order", async () => {
      const kb = await SystemKnowledgeBase.for(machine);
      for (const root of [0, 3, machine.numCores - 2]) await check(kb, root);
    });

    async function check(kb: SystemKnowledgeBase, root: number) {
      const tree = await kb.route("multicast", root);
      const rootPackage = machine.corePackage[root];
      const leaders = machine.packageCores.filter((_, p) => p !== rootPackage).map((cores) => cores[0]);
      const mates = machine.packageCores[rootPackage].filter((c) => c !== root);
      const fromRoot = tree.edges.filter((e) => e.from === root);
      expect(fromRoot.map((e) => e.to)).toEqual([...leaders, ...mates].sort((a, b) => a - b));
      expect(fromRoot.map((e) => e.order)).toEqual(fromRoot.map((_, i) => i));
      for (const leader of leaders) {
        const forwarded = tree.edges.filter((e) => e.from === leader).map((e) => e.to);
        expect(forwarded).toEqual(machine.packageCores[machine.corePackage[leader]].filter((c) => c !== leader));
      }
      expect(tree.edges.every((e) => e.from === root || leaders.includes(e.from))).toBe(true);
      // Not NUMA-aware: every buffer sits with its sender.
      expect(tree.edges.every((e) => e.bufferAt === e.from && !e.shared)).toBe(true);
    }
  });
});
