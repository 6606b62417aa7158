import { describe, expect, it } from "vitest";
import type { Application } from "../../src/kernel/index.ts";
import { routesFor } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { resultOf, runProtocol } from "./protocol-harness.ts";

const KINDS = ["unicast", "broadcast", "multicast", "numa-multicast"] as const;

const shootdowns = (kind: string, n: number): Application<{ n: number }> => ({
  initial: { n: 0 },
  start: (os) => void os.shootdown(kind),
  done(os) {
    if (++os.state.n < n) os.shootdown(kind);
  },
});

describe("message counts follow the tree", () => {
  for (const kind of KINDS) {
    it(`${kind}: one request down and one answer up every edge, per operation`, async () => {
      const m = preset("amd-8x4")!;
      const routes = (await routesFor(m, 32, [kind])) as Record<string, { edges: { from: number; to: number }[] }>;
      const edges = routes[`${kind}@0`].edges;
      expect(edges).toHaveLength(31);
      const out = await runProtocol("amd-8x4", 32, [kind], { app: shootdowns(kind, 3), starts: new Map([[0, null]]) });
      // URPC messages (the memory system's own events between cores are not counted here).
      expect(out.cores.reduce((n, c) => n + resultOf(out, c.core).channels.sent, 0)).toBe(3 * 2 * edges.length);
      // Inner nodes of the tree send to their children and answer their parent.
      for (let c = 0; c < 32; c++) {
        const down = edges.filter((e) => e.from === c).length;
        const up = c === 0 ? 0 : 1;
        expect(resultOf(out, c).channels.sent, `core ${c}`).toBe(3 * (down + up));
      }
    });
  }

  it("the NUMA-aware tree sends to the farthest packages first and its own package last", async () => {
    const routes = (await routesFor(preset("amd-8x4")!, 32, ["numa-multicast"])) as Record<string, { edges: { from: number; to: number; order: number; cost: number }[] }>;
    const fromRoot = routes["numa-multicast@0"].edges.filter((e) => e.from === 0).sort((a, b) => a.order - b.order);
    expect(fromRoot.map((e) => e.to).slice(-3)).toEqual([1, 2, 3]);
    const costs = fromRoot.map((e) => e.cost);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
  });
});
