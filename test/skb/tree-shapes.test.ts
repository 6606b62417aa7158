import { describe, expect, it } from "vitest";
import { ROUTE_KINDS, SystemKnowledgeBase, type RouteKind } from "../../src/skb/index.ts";
import { expectTree, oneCore, onePackage, presets } from "./helpers.ts";

const machines = [...presets(), ["one-package", onePackage()] as const, ["one-core", oneCore()] as const];

describe("every kind of routing tree", () => {
  describe.each(machines)("on %s", (_, machine) => {
    const roots = [...new Set([0, machine.numCores >> 1, machine.numCores - 1])];
    it.each(ROUTE_KINDS)("%s reaches every other core exactly once, from each root", async (kind: RouteKind) => {
      const kb = await SystemKnowledgeBase.for(machine);
      for (const root of roots) {
        const tree = await kb.route(kind, root);
        expect(tree).toMatchObject({ machine: machine.name, kind, root });
        expectTree(machine, tree);
      }
    });

    it.each(ROUTE_KINDS)("%s is the same tree every time", async (kind: RouteKind) => {
      const [a, b] = await Promise.all([SystemKnowledgeBase.for(machine), SystemKnowledgeBase.for(machine)]);
      const root = machine.numCores - 1;
      expect(await a.route(kind, root)).toEqual(await b.route(kind, root));
      expect(await a.route(kind, root)).toEqual(await a.route(kind, root));
    });
  });

  it.each(ROUTE_KINDS)("%s spans only the cores a run boots", async (kind: RouteKind) => {
    const [, machine] = presets().find(([name]) => name === "amd-8x4")!;
    const kb = await SystemKnowledgeBase.for(machine);
    for (const cores of [1, 2, 6, 13]) expectTree(machine, await kb.route(kind, cores - 1, { cores }), cores);
  });
});
