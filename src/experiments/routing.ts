// The routing trees a run's monitors are handed at boot, from the SKB: one
// per kind the experiment uses and per initiating core, over the cores the
// run boots.
//
// A tree depends only on the machine, its kind, its root and the cores it
// spans, and a sweep asks for the same machine's trees over and over (one per
// protocol and core count, the same on every run of the sweep). So the SKB of
// a machine is loaded once and each tree computed once, kept per machine: the
// key is the whole description with the costs in force (the facts the SKB
// derives, round trips included, are a function of it), so two machines that
// differ in anything, even under one name, never share a tree.
import type { Machine } from "../hwmodel/index.ts";
import { routeKey, type RouteSet } from "../monitor/index.ts";
import { SystemKnowledgeBase, type RouteKind } from "../skb/index.ts";
import { recent } from "./recent.ts";

type Tree = RouteSet[string];

/** Machines whose SKB and trees are kept, and trees per machine; the least recently used go first. */
export const CACHED_MACHINES = 8;
export const CACHED_TREES = 64;

interface Planned {
  skb: Promise<SystemKnowledgeBase>;
  trees: Map<string, Promise<Tree>>;
}

const planned = new Map<string, Planned>();

/** What tells machines apart for routing: the description as JSON, with the costs in force. */
export const machineKey = (machine: Machine): string => JSON.stringify(machine);

/** A tree's key within its machine's: kind, root and the cores it spans. */
export const treeKey = (kind: RouteKind, root: number, cores: number): string => `${routeKey(kind, root)}/${cores}`;

export async function routesFor(machine: Machine, cores: number, kinds: readonly RouteKind[], roots: readonly number[] = [0]): Promise<RouteSet> {
  const p = plannedFor(machine);
  const out: RouteSet = {};
  for (const kind of kinds) {
    for (const root of roots) out[routeKey(kind, root)] = await treeOf(p, kind, root, cores);
  }
  return out;
}

function plannedFor(machine: Machine): Planned {
  return recent(planned, machineKey(machine), CACHED_MACHINES, () => ({ skb: SystemKnowledgeBase.for(machine), trees: new Map() }));
}

function treeOf(p: Planned, kind: RouteKind, root: number, cores: number): Promise<Tree> {
  const key = treeKey(kind, root, cores);
  return recent(p.trees, key, CACHED_TREES, () => {
    const tree = p.skb.then(async (skb) => ({ kind, root, edges: (await skb.route(kind, root, { cores })).edges }));
    // A query that failed (a bug, or a budget spent) is asked again next time.
    tree.catch(() => p.trees.get(key) === tree && p.trees.delete(key));
    return tree;
  });
}

