// The routing trees a run's monitors are handed at boot, from the SKB: one
// per kind the experiment uses and per initiating core, over the cores the
// run boots.
import type { Machine } from "../hwmodel/index.ts";
import { routeKey, type RouteSet } from "../monitor/index.ts";
import { SystemKnowledgeBase, type RouteKind } from "../skb/index.ts";

export async function routesFor(machine: Machine, cores: number, kinds: readonly RouteKind[], roots: readonly number[] = [0]): Promise<RouteSet> {
  const skb = await SystemKnowledgeBase.for(machine);
  const out: RouteSet = {};
  for (const kind of kinds) {
    for (const root of roots) {
      const tree = await skb.route(kind, root, { cores });
      out[routeKey(kind, root)] = { kind, root, edges: tree.edges };
    }
  }
  return out;
}
