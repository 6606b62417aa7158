// The routes a monitor is handed at boot: for each kind of routing tree the
// SKB computed, this core's parent and its children in send order. Every hop
// is a real message between two cores.
import type { Json } from "../engine/index.ts";

export interface TreeEdge {
  from: number;
  to: number;
  order: number;
  cost: number;
}

/** Trees as the SKB computes them, by kind and root (see routeKey). */
export type RouteSet = Record<string, { root: number; edges: TreeEdge[] }>;

/** A tree's name in a RouteSet: e.g. `numa-multicast@0`. */
export function routeKey(kind: string, root: number): string {
  return `${kind}@${root}`;
}

export interface Route {
  root: number;
  parent: number | null;
  children: number[];
}

/** This core's view of every tree in the set, by kind and root. */
export function routesOf(core: number, set: RouteSet): Map<string, Map<number, Route>> {
  const out = new Map<string, Map<number, Route>>();
  for (const [key, tree] of Object.entries(set)) {
    const kind = key.slice(0, key.lastIndexOf("@"));
    const mine = tree.edges.filter((e) => e.from === core).sort((a, b) => a.order - b.order || a.to - b.to);
    const up = tree.edges.find((e) => e.to === core);
    if (!out.has(kind)) out.set(kind, new Map());
    out.get(kind)!.set(tree.root, { root: tree.root, parent: up ? up.from : null, children: mine.map((e) => e.to) });
  }
  return out;
}

export function isRouteSet(j: Json | undefined): j is Json & RouteSet {
  return typeof j === "object" && j !== null && !Array.isArray(j);
}
