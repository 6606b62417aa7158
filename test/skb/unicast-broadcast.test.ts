import { describe, expect, it } from "vitest";
import { SystemKnowledgeBase } from "../../src/skb/index.ts";
import { presets } from "./helpers.ts";

describe.each(presets())("on %s", (_, machine) => {
  const others = (root: number) => Array.from({ length: machine.numCores }, (_, c) => c).filter((c) => c !== root);

  it("unicast: the root sends to every other core directly, one after another, in id order", async () => {
    const tree = await (await SystemKnowledgeBase.for(machine)).route("unicast", 2);
    expect(tree.edges.map((e) => [e.from, e.to, e.order])).toEqual(others(2).map((c, i) => [2, c, i]));
    expect(tree.edges.every((e) => !e.shared && e.bufferAt === 2)).toBe(true);
  });

  it("broadcast: one shared channel from the root that every other core reads", async () => {
    const tree = await (await SystemKnowledgeBase.for(machine)).route("broadcast", 2);
    expect(tree.edges.map((e) => [e.from, e.to, e.order])).toEqual(others(2).map((c) => [2, c, 0]));
    expect(tree.edges.every((e) => e.shared && e.bufferAt === 2)).toBe(true);
  });
});
