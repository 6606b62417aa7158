// Routing trees as the SKB's rules compute them (rules.ts, route/4): the kinds,
// their arguments checked before Prolog sees them, and the edges read back.
import type { Machine } from "../hwmodel/index.ts";
import { SkbFieldError } from "./errors.ts";
import type { AnswerTerm } from "./answers.ts";
import type { Compound, PlTerm } from "./facts.ts";

export type RouteKind = "unicast" | "broadcast" | "multicast" | "numa-multicast" | "radix";

export const ROUTE_KINDS: readonly RouteKind[] = ["unicast", "broadcast", "multicast", "numa-multicast", "radix"];

/** Fan-out of a radix tree when none is given. */
export const DEFAULT_RADIX_FANOUT = 2;

export type RouteEdge = {
  from: number;
  to: number;
  /** The sender's send order, 0-based per sender (all 0 on the one shared channel of a broadcast). */
  order: number;
  /** Round trip rtt(from, to) in cycles. */
  cost: number;
  /** The core whose local memory holds the channel's buffer. */
  bufferAt: number;
  /** True for the broadcast's single channel that every receiver reads. */
  shared: boolean;
};

export interface RoutingTree {
  /** The machine's name. */
  machine: string;
  kind: RouteKind;
  root: number;
  /** Radix trees only. */
  fanout?: number;
  /** Every participating core but the root receives exactly once. */
  edges: RouteEdge[];
}

export interface RouteOptions {
  /** Fan-out of a radix tree (default 2). */
  fanout?: number;
  /** The tree spans cores 0..cores-1 (a run that boots fewer cores than the machine has); all by default. */
  cores?: number;
}

export interface CheckedRoute {
  kind: RouteKind;
  root: number;
  fanout?: number;
  cores: number;
}

export function checkCores(machine: Machine, cores: number | undefined): number {
  const n = machine.numCores;
  if (cores === undefined) return n;
  if (!Number.isInteger(cores) || cores < 1 || cores > n) throw new SkbFieldError("cores", `must be an integer 1..${n}, got ${cores}`);
  return cores;
}

export function checkRoot(root: number, cores: number): number {
  if (!Number.isInteger(root) || root < 0 || root >= cores) throw new SkbFieldError("root", `must be a core 0..${cores - 1}, got ${root}`);
  return root;
}

export function checkRoute(machine: Machine, kind: string, root: number, opts: RouteOptions): CheckedRoute {
  if (!ROUTE_KINDS.includes(kind as RouteKind)) throw new SkbFieldError("kind", `must be one of ${ROUTE_KINDS.join(", ")}, got "${kind}"`);
  const cores = checkCores(machine, opts.cores);
  const checked: CheckedRoute = { kind: kind as RouteKind, root: checkRoot(root, cores), cores };
  if (kind === "radix") {
    const k = opts.fanout ?? DEFAULT_RADIX_FANOUT;
    if (!Number.isInteger(k) || k < 1) throw new SkbFieldError("fanout", `must be an integer >= 1, got ${k}`);
    checked.fanout = k;
  } else if (opts.fanout !== undefined) {
    throw new SkbFieldError("fanout", `applies only to kind radix, not ${kind}`);
  }
  return checked;
}

/** The kind as the rules name it: radix(K) carries its fan-out. */
export function kindTerm(route: CheckedRoute): PlTerm {
  return route.kind === "radix" ? { functor: "radix", args: [route.fanout ?? DEFAULT_RADIX_FANOUT] } : route.kind;
}

/**
 * Flattens the rules' sends, [send(From, Channel, [Key-to(To, Cost, BufferAt), ...]), ...],
 * into edges numbered in send order (a shared channel is one send: order 0).
 */
export function edgesFrom(result: AnswerTerm | undefined): RouteEdge[] {
  const fail = (what: unknown) => new Error(`the SKB's rules gave no tree: ${JSON.stringify(what)}`);
  if (!Array.isArray(result)) throw fail(result);
  const edges: RouteEdge[] = [];
  for (const send of result as PlTerm[]) {
    const { functor, args } = send as Compound;
    if (functor !== "send" || args.length !== 3 || !Array.isArray(args[2])) throw fail(send);
    const [from, channel, receivers] = args as [number, string, Compound[]];
    receivers.forEach((pair, i) => {
      const [to, cost, bufferAt] = (pair.args[1] as Compound).args as number[];
      edges.push({ from, to, order: channel === "shared" ? 0 : i, cost, bufferAt, shared: channel === "shared" });
    });
  }
  return edges;
}

/** Each sender's receivers in send order. */
export function childrenOf(tree: Pick<RoutingTree, "edges">): Map<number, number[]> {
  const sorted = [...tree.edges].sort((a, b) => a.from - b.from || a.order - b.order || a.to - b.to);
  const out = new Map<number, number[]>();
  for (const e of sorted) {
    const list = out.get(e.from);
    if (list) list.push(e.to);
    else out.set(e.from, [e.to]);
  }
  return out;
}
