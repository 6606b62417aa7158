import { describe, expect, it } from "vitest";
import { ROUTE_KINDS, SystemKnowledgeBase, type RouteKind } from "../../src/skb/index.ts";
import { big, expectTree } from "./helpers.ts";

describe("a synthetic 1024-core machine", () => {
  const machine = big();
  const kb = SystemKnowledgeBase.for(machine);

  it.each(ROUTE_KINDS)("%s reaches all 1023 other cores exactly once", { timeout: 30_000 }, async (kind: RouteKind) => {
    const tree = await (await kb).route(kind, 517);
    expectTree(machine, tree);
  });

  it("numa-multicast: the root sends to 255 leaders and its 3 mates; each leader to its 3", { timeout: 30_000 }, async () => {
    const tree = await (await kb).route("numa-multicast", 0);
    const fromRoot = tree.edges.filter((e) => e.from === 0);
    expect(fromRoot.length).toBe(255 + 3);
    expect(fromRoot.slice(-3).map((e) => e.to)).toEqual([1, 2, 3]);
    for (let p = 1; p < 256; p++) expect(tree.edges.filter((e) => e.from === 4 * p).map((e) => e.to)).toEqual([4 * p + 1, 4 * p + 2, 4 * p + 3]);
  });
});
