// A replicated table of OS state (say, the address-space mappings of a
// domain that spans the machine), kept where a placement puts its replicas
// (placement.ts): one line per entry in each group's replica, in the memory
// of the group's package, read and written in place through the cache-line
// model (write-back lines, src/memory). Each entry is a last-writer-wins
// register: a write carries a Lamport stamp and a replica keeps the larger
// stamp (a locked max), so replicas that take concurrent writes in different
// orders still agree.
//
// A read loads the entry from the core's group replica: a hit when no
// group-mate wrote it since, else a transaction that fetches it from the
// writer's cache. A write first updates its own group's replica, then agrees
// with the other groups by messages, one-phase, over the run's routing tree
// cut down to one core per group (projectTree): each group's core updates its
// group's replica, and its acknowledgement, stored after the update, becomes
// visible only once the update has (x86 commits stores in order), so when the
// initiator has every answer every replica holds the write.
import type { LineState } from "../hwmodel/index.ts";
import type { Context, Json } from "../engine/index.ts";
import type { LineRef, Memory } from "../memory/index.ts";
import type { Phase } from "./agreement.ts";
import type { MonitorCore } from "./monitor-core.ts";
import type { Placement, ReplicaGroups } from "./placement.ts";

/** The replication scheme of a run's replicated table: a placement of replicas kept by agreement, or node replication's operation log. */
export type StateScheme = Placement | "op-log";

/** What every monitor of a run is told about its replicated table. */
export type StateConfig = {
  scheme: StateScheme;
  /** The routing tree a write's agreement travels along (placements only). */
  kind: string;
};

/** An operation on the table is done: the entry's version it wrote or read (null: never written). */
export type StateDone = (ctx: Context, op: string, value: number | null) => void;

/** What a monitor's replicated table does: reads, writes, and the memory answers it waits for. */
export interface StateProtocol {
  read(ctx: Context, op: string, key: number): void;
  write(ctx: Context, op: string, key: number): void;
  /** A load or locked instruction the protocol waited for has its answer. */
  resume(ctx: Context, tag: Json, value: Json): void;
  snapshot(): Json;
  /** The agreement phases it runs, by name. */
  readonly phases: Record<string, Phase>;
  /** The prefix of the cache lines its replicas are kept in. */
  readonly prefix: string;
}

/** A Lamport stamp: a count, then the writing core, so that stamps are unique and totally ordered. */
export const STAMP_CORES = 2 ** 16;

/** The line of entry `key` in the replica of the group led by `group`. */
export const entryLine = (group: number, key: number): string => `rs ${group}:${key}`;

/**
 * Where a replica's entries are at time 0: held, unwritten, by every core of
 * the replica's group, as after each had read them (exclusively by a group
 * of one); null for lines that are not replica entries.
 */
export function warmReplicas(groups: ReplicaGroups): (line: string) => [number, LineState][] | null {
  const byGroup = new Map<number, [number, LineState][]>();
  return (line) => {
    const e = /^(?:rs|nr rep) (\d+):\d+$/.exec(line);
    if (!e) return null;
    const g = Number(e[1]);
    let held = byGroup.get(g);
    if (!held) {
      const members = groups.membersOf(g);
      byGroup.set(g, (held = members.map((c) => [c, members.length === 1 ? "E" : "S"])));
    }
    return held;
  };
}

/** A write's agreement round carries the entry and the stamp. */
type WriteRound = { key: number; stamp: number };

/** What a core waits for, by tag: a read's load, its own replica's update, a remote update (nothing waits on it). */
type Wait = { rs: "read"; op: string; key: number } | { rs: "own"; op: string; key: number; stamp: number } | { rs: "remote" };

export type PlacedState = {
  /** The largest stamp this core has seen. */
  clock: number;
};

export class PlacedReplicas implements StateProtocol {
  readonly prefix = "rs ";
  readonly phases: Record<string, Phase>;
  private readonly s: PlacedState;

  constructor(
    private readonly m: MonitorCore,
    private readonly memory: Memory,
    private readonly groups: ReplicaGroups,
    private readonly config: StateConfig,
    /** Wraps a tag so that the memory's answer comes back to resume(). */
    private readonly tag: (t: Json) => Json,
    private readonly done: StateDone,
    saved?: PlacedState,
  ) {
    this.s = saved ?? { clock: 0 };
    const update: Phase<WriteRound> = {
      act: (ctx, round) => {
        // The initiator updated its own group's replica before the round.
        if (round.root !== m.core) this.apply(ctx, round.data, this.tag({ rs: "remote" } satisfies Wait));
        return { ok: true };
      },
      complete: (ctx, round) => this.done(ctx, round.op, round.data.stamp),
    };
    this.phases = { "replica-write": update as Phase };
  }

  /** Entry `key` of this core's group replica. */
  private ref(key: number): LineRef {
    const g = this.groups.groupOf(this.m.core);
    return { line: entryLine(g, key), memory: this.groups.memoryOf(g), cached: true };
  }

  read(ctx: Context, op: string, key: number): void {
    ctx.charge(this.m.cost.localLineUpdate());
    const r = this.memory.load(ctx, this.ref(key), this.tag({ rs: "read", op, key } satisfies Wait));
    if (r) this.readDone(ctx, op, r.value);
  }

  write(ctx: Context, op: string, key: number): void {
    const stamp = (Math.floor(this.s.clock / STAMP_CORES) + 1) * STAMP_CORES + this.m.core;
    this.s.clock = stamp;
    const r = this.apply(ctx, { key, stamp }, this.tag({ rs: "own", op, key, stamp } satisfies Wait));
    if (r) this.agree(ctx, op, key, stamp);
  }

  resume(ctx: Context, tag: Json, value: Json): void {
    const w = tag as Wait;
    this.see(value);
    if (w.rs === "read") this.readDone(ctx, w.op, value);
    else if (w.rs === "own") this.agree(ctx, w.op, w.key, w.stamp);
  }

  snapshot(): PlacedState {
    return this.s;
  }

  /** The locked max of a stamp into this core's group replica: its answer at once, or null when it waits. */
  private apply(ctx: Context, w: WriteRound, tag: Json): Json | null {
    ctx.charge(this.m.cost.localLineUpdate());
    const r = this.memory.atomic(ctx, this.ref(w.key), { max: w.stamp }, tag);
    if (r) this.see(r.value);
    return r;
  }

  /** Own replica updated: agree with the other groups (a round with no one to ask completes at once). */
  private agree(ctx: Context, op: string, key: number, stamp: number): void {
    this.m.agreement.start(ctx, { op, phase: "replica-write", kind: this.config.kind, data: { key, stamp } satisfies WriteRound });
  }

  private readDone(ctx: Context, op: string, value: Json): void {
    this.see(value);
    this.done(ctx, op, value === null ? null : Number(value));
  }

  /** Lamport's rule: a stamp this core saw moves its clock on. */
  private see(value: Json): void {
    if (typeof value === "number" && value > this.s.clock) this.s.clock = value;
  }
}
