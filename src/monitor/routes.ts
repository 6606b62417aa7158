// The routes a monitor is handed at boot: for each kind of routing tree the
// SKB computed, this core's parent and its children in send order. Every hop
// is a real message between two cores.
import type { RouteEdge, RouteKind } from "../skb/index.ts";

/** Trees as the SKB computes them, by kind and root (see routeKey): plain JSON, carried in a run's spec. */
export type RouteSet = Record<string, { kind: RouteKind; root: number; edges: RouteEdge[] }>;

/** A tree's name in a RouteSet: e.g. `numa-multicast@0`. */
export function routeKey(kind: string, root: number): string {
  return `${kind}@${root}`;
}

export interface Route {
  root: number;
  parent: number | null;
  children: number[];
}

/** Each core's view of every tree in a set (by kind, then root), computed in one pass over the edges. */
export class RouteTable {
  private readonly views = new Map<number, Map<string, Map<number, Route>>>();

  constructor(set: RouteSet) {
    for (const tree of Object.values(set)) {
      // The kind as the tree names it, not sliced from the key: the same string as
      // the rounds carry, so the lookups on every message compare pointers.
      const kind = tree.kind;
      const edges = [...tree.edges].sort((a, b) => a.from - b.from || a.order - b.order || a.to - b.to);
      const route = (core: number): Route => {
        let byRoot = this.views.get(core)?.get(kind);
        if (!byRoot) {
          if (!this.views.has(core)) this.views.set(core, new Map());
          this.views.get(core)!.set(kind, (byRoot = new Map()));
        }
        let r = byRoot.get(tree.root);
        if (!r) byRoot.set(tree.root, (r = { root: tree.root, parent: null, children: [] }));
        return r;
      };
      route(tree.root);
      for (const e of edges) {
        route(e.from).children.push(e.to);
        route(e.to).parent = e.from;
      }
    }
  }

  /** The routes of one core; a core in no tree has none. */
  of(core: number): Map<string, Map<number, Route>> {
    return this.views.get(core) ?? new Map();
  }
}
