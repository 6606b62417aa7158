import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase, childrenOf } from "../../src/skb/index.ts";
import { expectTree } from "./helpers.ts";

describe("radix", () => {
  const machine = preset("amd-8x4")!;
  const kb = SystemKnowledgeBase.for(machine);

  it.each([1, 2, 3, 8, 31, 40])("with fan-out %i no core sends to more than k others", async (k) => {
    const tree = await (await kb).route("radix", 7, { fanout: k });
    expect(tree.fanout).toBe(k);
    expectTree(machine, tree);
    for (const children of childrenOf(tree).values()) expect(children.length).toBeLessThanOrEqual(k);
  });

  it("is a k-ary heap over the core ids in order from the root, blind to packages", async () => {
    const tree = await (await kb).route("radix", 30, { fanout: 3 });
    const order = [30, 31, ...Array.from({ length: 30 }, (_, c) => c)];
    const children = childrenOf(tree);
    order.forEach((core, i) => {
      expect(children.get(core) ?? []).toEqual(order.slice(3 * i + 1, 3 * i + 4));
    });
  });

  it("defaults to fan-out 2", async () => {
    const tree = await (await kb).route("radix", 0);
    expect(tree.fanout).toBe(2);
    expect(childrenOf(tree).get(0)).toEqual([1, 2]);
  });
});
