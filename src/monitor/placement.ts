// Where the replicas of global OS state sit (paper, section 3.3): one per
// core, the multikernel's default, or one shared by a group of closely
// coupled cores (a die, a package) or by the whole machine. A group's cores
// share its replica through shared memory, in the memory of the group's
// package; agreement runs by messages between groups only, each group
// represented by the core that takes part for it: the initiator for its own
// group, the group's leader (its lowest core) for every other.
import type { Machine } from "../hwmodel/index.ts";
import type { RouteEdge } from "../skb/index.ts";

export const PLACEMENTS = ["per-core", "per-die", "per-package", "shared"] as const;
export type Placement = (typeof PLACEMENTS)[number];

export class ReplicaGroups {
  /** Each core's group, named by its leader: its lowest core. */
  private readonly leaderOf: number[];
  private readonly members = new Map<number, number[]>();

  constructor(
    readonly machine: Machine,
    /** The run's cores: 0 .. cores-1. */
    readonly cores: number,
    readonly placement: Placement,
  ) {
    const key = (c: number): number =>
      placement === "per-core" ? c : placement === "per-die" ? machine.coreDie[c] : placement === "per-package" ? machine.corePackage[c] : 0;
    const leaders = new Map<number, number>();
    this.leaderOf = Array.from({ length: cores }, (_, c) => {
      const k = key(c);
      if (!leaders.has(k)) leaders.set(k, c);
      const leader = leaders.get(k)!;
      const list = this.members.get(leader);
      if (list) list.push(c);
      else this.members.set(leader, [c]);
      return leader;
    });
  }

  /** The group of `core`, named by its leader. */
  groupOf(core: number): number {
    return this.leaderOf[core];
  }

  /** The groups' leaders, ascending. */
  get leaders(): number[] {
    return [...this.members.keys()];
  }

  membersOf(group: number): number[] {
    return this.members.get(group) ?? [];
  }

  /** The package whose memory holds a group's replica: its leader's. */
  memoryOf(group: number): number {
    return this.machine.corePackage[group];
  }

  /** The cores an update from `root` involves: the root for its own group, and the leader of every other. */
  participants(root: number): number[] {
    const own = this.groupOf(root);
    return [root, ...this.leaders.filter((g) => g !== own)].sort((a, b) => a - b);
  }
}

/**
 * A routing tree cut down to the cores in `keep` (its root among them): each
 * kept core hangs from its nearest kept ancestor, in the order a depth-first
 * walk of the tree in send order meets it. An edge the tree had keeps its
 * buffer and cost; a new one has its buffer at its sender, the core that
 * aggregates the answers, and costs `rtt`. A broadcast's shared channel stays
 * shared where the root still sends on it.
 */
export function projectTree(root: number, edges: readonly RouteEdge[], keep: ReadonlySet<number>, rtt: (a: number, b: number) => number): RouteEdge[] {
  if (!keep.has(root)) throw new RangeError(`the tree's root, core ${root}, must be kept`);
  const children = new Map<number, RouteEdge[]>();
  for (const e of [...edges].sort((a, b) => a.from - b.from || a.order - b.order || a.to - b.to)) {
    const list = children.get(e.from);
    if (list) list.push(e);
    else children.set(e.from, [e]);
  }
  const out: RouteEdge[] = [];
  const sent = new Map<number, number>();
  const walk = (node: number, parent: number): void => {
    for (const e of children.get(node) ?? []) {
      if (!keep.has(e.to)) {
        walk(e.to, parent);
        continue;
      }
      const direct = e.from === parent;
      const order = sent.get(parent) ?? 0;
      sent.set(parent, order + 1);
      out.push({
        from: parent,
        to: e.to,
        order: direct && e.shared ? 0 : order,
        cost: direct ? e.cost : rtt(parent, e.to),
        bufferAt: direct ? e.bufferAt : parent,
        shared: direct && e.shared,
      });
      walk(e.to, e.to);
    }
  };
  walk(root, root);
  return out;
}
