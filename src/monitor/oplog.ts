// Node replication (Calciu et al., "Black-box Concurrent Data Structures for
// NUMA Architectures", ASPLOS 2017; the replication of NrOS): a third way to
// keep replicated OS state, beside the multikernel's agreement protocols.
// One replica per package, and one operation log shared by the machine; no
// messages at all: every step is a load, store or locked instruction on
// write-back lines, through the cache-line model.
//
// - A write posts its operation in its core's slot and tries the package's
//   combiner lock. The core that takes it combines: it reads its
//   package-mates' slots, reserves room for the whole batch with one
//   fetch-and-add on the log's tail, writes the entries, replays the log onto
//   its package's replica up to the batch's end (waiting for entries other
//   packages reserved but have not written yet), raises the completed tail,
//   answers each batched operation in its slot's response line and frees the
//   lock. A core that finds the lock taken spins on the lock line and reads
//   its response each time the lock changes hands; it retries the lock when
//   it sees it free and its operation not done (the paper's waiters likewise
//   retry the combiner lock).
// - A read compares its replica's applied tail with the log's completed tail;
//   a replica behind is brought up to date first, under the combiner lock, by
//   replaying the log; then the entry is read from the replica.
//
// A replica's entry holds the log position of the last write to it, so the
// log's order is every replica's order and replicas agree once they have
// replayed the same prefix. The log is unbounded here (the paper's is a ring
// whose reuse waits for the slowest replica); a run's writes bound it.
import type { Context, Json } from "../engine/index.ts";
import type { Atomic, LineRef, Memory, Ready } from "../memory/index.ts";
import type { Phase } from "./agreement.ts";
import type { MonitorCore } from "./monitor-core.ts";
import type { ReplicaGroups } from "./placement.ts";
import type { StateDone, StateProtocol } from "./replicated-state.ts";

/** The log and its tails live in package 0's memory, where the thread that creates them runs. */
const LOG_MEMORY = 0;

export const logLine = (i: number): string => `nr log ${i}`;
/** Entry `key` of the replica of the package whose lowest core is `group`. */
export const nrEntryLine = (group: number, key: number): string => `nr rep ${group}:${key}`;
export const appliedLine = (group: number): string => `nr applied ${group}`;

/** A log entry: the write's entry, and which operation of which core it is. */
export type LogEntry = { key: number; core: number; n: number };
/** A slot: the core's latest operation; a response: the latest of its operations done, and where it went in the log. */
type Slot = { n: number; key: number };
type Response = { n: number; at: number };

/**
 * The operation under way on this core (one at a time: a core's program
 * waits for each): a write's number, a read's completed tail to reach, and
 * whether the lock was free when last seen (a waiter tries it only then).
 */
type Current = { op: string; key: number; write: boolean; n: number; target: number; free: boolean };

/** The combining or replaying under way on this core, while it holds its package's lock. */
type Combine = {
  served: Record<string, number>;
  /** The package-mate whose slot is read next. */
  scan: number;
  batch: LogEntry[];
  base: number;
  /** The log position replayed next, and where the replay stops. */
  at: number;
  end: number;
};

export type OpLogState = {
  /** Operations this core has posted. */
  n: number;
  cur: Current | null;
  combine: Combine | null;
};

type Step =
  | "lock"
  | "wait"
  | "resp"
  | "served"
  | "slot"
  | "tail"
  | "applied"
  | "entry"
  | "ctail"
  | "mine"
  | "value"
  | "ignore";

export class OpLog implements StateProtocol {
  readonly prefix = "nr ";
  readonly phases: Record<string, Phase> = {};
  private readonly s: OpLogState;
  private readonly group: number;
  private readonly mates: number[];
  /** The package whose memory holds this core's replica, lock and slots. */
  private readonly pkg: number;
  constructor(
    private readonly m: MonitorCore,
    private readonly memory: Memory,
    groups: ReplicaGroups,
    private readonly tag: (t: Json) => Json,
    private readonly done: StateDone,
    saved?: OpLogState,
  ) {
    if (groups.placement !== "per-package") throw new RangeError("node replication keeps one replica per package");
    this.s = saved ?? { n: 0, cur: null, combine: null };
    this.group = groups.groupOf(m.core);
    this.mates = groups.membersOf(this.group);
    this.pkg = groups.memoryOf(this.group);
  }

  read(ctx: Context, op: string, key: number): void {
    this.begin({ op, key, write: false, n: 0, target: 0, free: true });
    this.step(ctx, "ctail", this.load(ctx, this.log("nr ctail"), this.wait("ctail")));
  }

  write(ctx: Context, op: string, key: number): void {
    const n = ++this.s.n;
    this.begin({ op, key, write: true, n, target: 0, free: true });
    this.store(ctx, this.local(`nr slot ${this.m.core}`), { n, key } satisfies Slot);
    this.lock(ctx);
  }

  resume(ctx: Context, tag: Json, value: Json): void {
    this.step(ctx, (tag as { nr: Step }).nr, { tag, value, origin: null });
  }

  snapshot(): OpLogState {
    return this.s;
  }

  private begin(cur: Current): void {
    if (this.s.cur) throw new Error(`core ${this.m.core}: ${cur.op} began while ${this.s.cur.op} is under way`);
    this.s.cur = cur;
  }

  /** One step of the operation: the answer to a load, poll or locked instruction, now or when it comes. */
  private step(ctx: Context, step: Step, r: Ready | null): void {
    if (!r || step === "ignore") return;
    const cur = this.s.cur!;
    const v = r.value;
    switch (step) {
      case "lock":
        if (v === 1) return this.waitLock(ctx);
        this.s.combine = { served: {}, scan: 0, batch: [], base: 0, at: 0, end: cur.target };
        if (!cur.write) return this.step(ctx, "applied", this.load(ctx, this.local(appliedLine(this.group)), this.wait("applied")));
        return this.step(ctx, "served", this.load(ctx, this.local(`nr served ${this.group}`), this.wait("served")));
      case "wait":
        cur.free = v !== 1;
        // The lock changed hands: a writer reads its response, a reader its replica's tail again.
        if (cur.write) return this.step(ctx, "resp", this.load(ctx, this.local(`nr resp ${this.m.core}`), this.wait("resp")));
        return this.step(ctx, "applied", this.load(ctx, this.local(appliedLine(this.group)), this.wait("applied")));
      case "resp": {
        const resp = v as Response | null;
        if (resp && resp.n >= cur.n) return this.finish(ctx, resp.at);
        return cur.free ? this.lock(ctx) : this.waitLock(ctx);
      }
      case "served":
        this.s.combine!.served = (v as Record<string, number> | null) ?? {};
        return this.scan(ctx, null);
      case "slot":
        return this.scan(ctx, v as Slot | null);
      case "tail":
        return this.reserved(ctx, Number(v ?? 0));
      case "ctail":
        cur.target = Number(v ?? 0);
        return this.step(ctx, "applied", this.load(ctx, this.local(appliedLine(this.group)), this.wait("applied")));
      case "applied": {
        const applied = Number(v ?? 0);
        const c = this.s.combine;
        if (c) {
          c.at = applied;
          c.end = Math.max(c.end, applied);
          return this.replay(ctx);
        }
        // A reader: its replica is current, or it must replay first.
        if (applied >= cur.target) return this.readEntry(ctx);
        return cur.free ? this.lock(ctx) : this.waitLock(ctx);
      }
      case "entry":
        return this.replayed(ctx, v as LogEntry);
      case "value":
        return this.finish(ctx, v === null ? null : Number(v));
      default:
        throw new Error(`core ${this.m.core}: no step ${step as string} of the operation log`);
    }
  }

  private lock(ctx: Context): void {
    this.step(ctx, "lock", this.atomic(ctx, this.local(`nr lock ${this.group}`), { xchg: 1 }, "lock"));
  }

  /** Spin on the lock line until it changes hands. */
  private waitLock(ctx: Context): void {
    const ref = this.local(`nr lock ${this.group}`);
    this.step(ctx, "wait", this.memory.poll(ctx, ref, this.memory.seen(ref.line) + 1, this.wait("wait")));
  }

  /** The combiner reads each package-mate's slot in turn, batching the operations not yet served. */
  private scan(ctx: Context, slot: Slot | null): void {
    const c = this.s.combine!;
    if (c.scan > 0) {
      const mate = this.mates[c.scan - 1];
      if (slot && slot.n > (c.served[mate] ?? 0)) c.batch.push({ key: slot.key, core: mate, n: slot.n });
    }
    if (c.scan < this.mates.length) {
      const mate = this.mates[c.scan++];
      return this.step(ctx, "slot", this.load(ctx, this.local(`nr slot ${mate}`), this.wait("slot")));
    }
    this.step(ctx, "tail", this.atomic(ctx, this.log("nr tail"), { add: c.batch.length }, "tail"));
  }

  /** Room reserved at `base`: write the batch's entries, then replay up to its end. */
  private reserved(ctx: Context, base: number): void {
    const c = this.s.combine!;
    c.base = base;
    c.end = base + c.batch.length;
    c.batch.forEach((e, i) => this.store(ctx, this.log(logLine(base + i)), e));
    this.step(ctx, "applied", this.load(ctx, this.local(appliedLine(this.group)), this.wait("applied")));
  }

  /** Replay the next log entry onto the replica, waiting until it is written; at the end, publish. */
  private replay(ctx: Context): void {
    const c = this.s.combine!;
    if (c.at < c.end) {
      const ref = this.log(logLine(c.at));
      return this.step(ctx, "entry", this.memory.poll(ctx, ref, 1, this.wait("entry")));
    }
    this.published(ctx);
  }

  private replayed(ctx: Context, e: LogEntry): void {
    const c = this.s.combine!;
    this.store(ctx, this.local(nrEntryLine(this.group, e.key)), c.at);
    c.at++;
    this.replay(ctx);
  }

  /** The replica is at the end: record it, raise the completed tail, answer the batch, free the lock. */
  private published(ctx: Context): void {
    const c = this.s.combine!;
    const cur = this.s.cur!;
    this.store(ctx, this.local(appliedLine(this.group)), c.end);
    this.atomic(ctx, this.log("nr ctail"), { max: c.end }, "ignore");
    let mine: number | null = null;
    if (cur.write) {
      const served = { ...c.served };
      c.batch.forEach((e, i) => {
        served[e.core] = e.n;
        if (e.core === this.m.core) mine = c.base + i;
        else this.store(ctx, this.local(`nr resp ${e.core}`), { n: e.n, at: c.base + i } satisfies Response);
      });
      this.store(ctx, this.local(`nr served ${this.group}`), served);
    }
    this.s.combine = null;
    this.atomic(ctx, this.local(`nr lock ${this.group}`), { xchg: 0 }, "ignore");
    if (cur.write) return this.finish(ctx, mine);
    this.readEntry(ctx);
  }

  private readEntry(ctx: Context): void {
    const cur = this.s.cur!;
    this.step(ctx, "value", this.load(ctx, this.local(nrEntryLine(this.group, cur.key)), this.wait("value")));
  }

  private finish(ctx: Context, value: number | null): void {
    const op = this.s.cur!.op;
    this.s.cur = null;
    this.done(ctx, op, value);
  }

  /** A load: the instruction's own cycles, and its answer now or, on a miss, when the line comes. */
  private load(ctx: Context, ref: LineRef, tag: Json): Ready | null {
    ctx.charge(this.m.cost.localLineUpdate());
    return this.memory.load(ctx, ref, tag);
  }

  private store(ctx: Context, ref: LineRef, value: Json): void {
    ctx.charge(this.m.cost.localLineUpdate());
    this.memory.store(ctx, ref, value);
  }

  private atomic(ctx: Context, ref: LineRef, op: Atomic, step: Step): Ready | null {
    ctx.charge(this.m.cost.localLineUpdate());
    return this.memory.atomic(ctx, ref, op, this.wait(step));
  }

  private wait(step: Step): Json {
    return this.tag({ nr: step });
  }

  /** A line of this package's replica, lock or slots, in the package's memory. */
  private local(line: string): LineRef {
    return { line, memory: this.pkg, cached: true };
  }

  private log(line: string): LineRef {
    return { line, memory: LOG_MEMORY, cached: true };
  }
}
