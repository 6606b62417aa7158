// Shared checks for the SKB's tests: machines to route on, and what every
// routing tree must satisfy.
import { expect } from "vitest";
import { CostModel, Machine, PRESET_NAMES, preset, regularMachine, syntheticMachine } from "../../src/hwmodel/index.ts";
import { childrenOf, type RoutingTree } from "../../src/skb/index.ts";

export const presets = (): [string, Machine][] => PRESET_NAMES.map((name) => [name, preset(name)!]);

/** One package of 8 cores sharing an L3: multicast has no remote leader. */
export const onePackage = (): Machine =>
  Machine.from(regularMachine({ name: "one-package", clockGHz: 2, packages: 1, coresPerDie: 8, sharedCache: "package-l3", links: [] }));

/** A single core: every tree is empty. */
export const oneCore = (): Machine =>
  Machine.from(regularMachine({ name: "one-core", clockGHz: 2, packages: 1, coresPerDie: 1, sharedCache: "none", links: [] }));

export const big = (): Machine => syntheticMachine(1024);

/**
 * Every core of 0..cores-1 but the root receives exactly once, every sender
 * is reached before it sends (a tree from the root), each sender's orders
 * are 0..k-1 (all 0 on a shared channel), and each cost is the round trip.
 */
export function expectTree(machine: Machine, tree: RoutingTree, cores = machine.numCores): void {
  const received = new Map<number, number>();
  for (const e of tree.edges) received.set(e.to, (received.get(e.to) ?? 0) + 1);
  expect(received.has(tree.root)).toBe(false);
  for (let c = 0; c < cores; c++) if (c !== tree.root) expect(received.get(c), `core ${c} receives once`).toBe(1);
  expect(tree.edges.length).toBe(cores - 1);
  expect(tree.edges.every((e) => e.to < cores && e.from < cores)).toBe(true);

  const parent = new Map(tree.edges.map((e) => [e.to, e.from]));
  for (const e of tree.edges) {
    let c = e.from;
    for (let hops = 0; c !== tree.root; hops++) {
      expect(hops, `core ${e.from} is reached from the root`).toBeLessThan(cores);
      c = parent.get(c)!;
    }
  }

  const byOrder = new Map<number, number[]>();
  for (const e of tree.edges) byOrder.set(e.from, [...(byOrder.get(e.from) ?? []), e.order]);
  for (const [from, orders] of byOrder) {
    const shared = tree.edges.filter((e) => e.from === from).every((e) => e.shared);
    expect(orders.sort((a, b) => a - b)).toEqual(shared ? orders.map(() => 0) : orders.map((_, i) => i));
  }

  const cost = new CostModel(machine);
  for (const e of tree.edges) expect(e.cost).toBe(cost.roundTrip(e.from, e.to));
  expect(childrenOf(tree).size).toBe(byOrder.size);
}

/** What a promise rejects with; a promise that resolves fails the test. */
export const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (value) => {
      throw new Error(`expected the query to fail, it answered ${JSON.stringify(value).slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
