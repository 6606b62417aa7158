// The application a workload runs on every core, and what it sees of its
// core: the calls its dispatcher makes into the OS. The same program runs on
// Barrelfish's OS nodes and on the IPI-based baselines, so an experiment
// compares kernels, not programs.
import type { CostModel, Machine, Primer } from "../hwmodel/index.ts";
import { cloneJson, type Json } from "../json.ts";
import { EventClass, type Context, type Kernel, type SimEvent } from "../engine/index.ts";
import { Memory, type MemoryState, type Ready } from "../memory/index.ts";
import type { Completion, MonitorEnv, RetypeRequest } from "../monitor/index.ts";

/** What an application's dispatcher sees of its core. */
export interface Os<S extends Json = Json> {
  readonly core: number;
  readonly now: number;
  readonly cost: CostModel;
  /** The application's state on this core: plain JSON, persisted with the core; the application's `initial` at boot. */
  state: S;
  charge(cycles: number): void;
  /** A URPC message to the application on core `dst`. */
  send(dst: number, body: Json): void;
  /** Append a measurement to this core's results. */
  record(name: string, value: Json): void;
  /** A one-way LRPC from the application to its local monitor, which runs next. */
  lrpc(payload: Json): void;
  /** Unmap a page of the application on every core, over a routing tree (Barrelfish) or by IPIs (Linux, Windows); the operation's id. */
  unmap(vaddr: number, kind: string): string;
  /** The bare messaging of an unmap over a routing tree, with no unmap work. */
  shootdown(kind: string): string;
  /** Retype a capability in every replica by two-phase commit over a routing tree. */
  retype(req: RetypeRequest, kind: string): string;
  /** Read entry `key` of the run's replicated table (MonitorEnv.state); done() gives the version read. */
  readState(key: number): string;
  /** Write entry `key` of the run's replicated table on every replica; done() gives the version written. */
  writeState(key: number): string;
  /**
   * Store to each of `lines` (cache lines of the application's, in package
   * `memory`'s memory) and wait until every store has committed: plain
   * stores, no locks, as the paper's shared-memory benchmark updates its
   * lines. The operation's id; done() says when it is over.
   */
  update(lines: readonly string[], memory: number): string;
}

/**
 * A workload's program: the same on every core, told which core it runs on
 * by `os.core`. S is its state on a core, D what its start event carries, M
 * the messages its copies send each other.
 */
export interface Application<S extends Json = Json, D extends Json = Json, M extends Json = Json> {
  /** The state every core's copy starts with. */
  readonly initial: S;
  start?(os: Os<S>, data: D): void;
  message?(os: Os<S>, src: number, body: M): void;
  /** An operation this core started is done. */
  done?(os: Os<S>, result: Completion): void;
}

export type Personality = "barrelfish" | "linux" | "windows";

/** What every core's kernel in a run is booted with. */
export interface KernelEnv extends MonitorEnv {
  machine: Machine;
  /** Cores booted in this run: 0 .. cores-1. */
  cores: number;
  app: Application;
  /** Where the run's cache lines are at time 0. */
  primer: Primer;
}

/** The event that starts the application on a core, at time 0. */
export const START_KIND = "start";
/** A poll or a fence of the memory system is ready: the CPU takes it up. */
export const READY_KIND = "ready";

export type HostState = {
  app: Json;
  records: Record<string, Json[]>;
  /** When the core last finished a handler: an idle monitor has polled since then. */
  idleSince: number;
  memory: MemoryState;
  /** Shared-memory updates started here: the next one's number. */
  updates: number;
};

/** What a ready poll or fence is for: an application's update, or a kernel's own use. */
type ReadyTag = { update: string } | { kernel: Json };

/** A ready poll or fence as the CPU takes it up: its tag, and what the read returned. */
type Resumed = { tag: ReadyTag; value: Json };

/** The lines of an application's shared memory, by name. */
const appLine = (name: string): string => `app ${name}`;

/** What a run's results show of every core's application. */
export type AppResult = { records: Record<string, Json[]> };

/** A line homed on a core, as its results report it: transactions, their queueing at the home (cycles). */
export type LineReport = { line: string; home: number; transactions: number; meanWait: number; maxWait: number };

/** The hottest lines each home core reports. */
export const LINES_REPORTED = 3;

/**
 * The part of every core's kernel that hosts the application: its state and
 * records, its start event, the clock. Subclasses are the kernels proper and
 * handle every other event.
 */
export abstract class ApplicationHost implements Kernel, Os {
  protected ctx!: Context;
  protected readonly host: HostState;
  protected readonly memory: Memory;

  constructor(
    readonly core: number,
    protected readonly env: KernelEnv,
    saved?: HostState,
  ) {
    this.memory = new Memory(core, env, saved?.memory);
    this.host = saved ?? { app: cloneJson(env.app.initial), records: {}, idleSince: 0, memory: this.memory.snapshot(), updates: 0 };
  }

  get cost(): CostModel {
    return this.env.cost;
  }

  get now(): number {
    return this.ctx.now;
  }

  get state(): Json {
    return this.host.app;
  }

  set state(s: Json) {
    this.host.app = s;
  }

  handle(e: SimEvent, ctx: Context): void {
    this.ctx = ctx;
    // The memory system's events run beside the CPU: what they make ready, the CPU takes up as events of its own.
    if (e.cls === EventClass.Hardware) {
      for (const r of this.memory.handle(ctx, e)) this.ready(ctx, r);
      return;
    }
    if (e.kind === START_KIND) this.env.app.start?.(this, e.data);
    else if (e.kind === READY_KIND) this.resume(ctx, e.data as Resumed);
    else this.event(e, ctx);
    for (const r of this.settle(ctx)) this.ready(ctx, r);
    this.host.idleSince = ctx.now;
  }

  update(lines: readonly string[], memory: number): string {
    const op = `${this.core}:u${this.host.updates++}`;
    for (const name of lines) {
      // The store itself: what a core updating a line it owns takes (paper, section 3); a miss waits in the store buffer.
      this.ctx.charge(this.cost.localLineUpdate());
      this.memory.store(this.ctx, { line: appLine(name), memory });
    }
    const ready = this.memory.fence({ update: op } satisfies ReadyTag);
    if (ready) this.ready(this.ctx, ready);
    return op;
  }

  /** Hand a ready poll or fence to the CPU: a message it brings arrives from its sender; the rest resume here. */
  protected ready(ctx: Context, r: Ready): void {
    const m = this.message(r);
    if (m) ctx.arrive(m.kind, m.data, m.src, m.seq);
    else ctx.after(0, READY_KIND, { tag: r.tag, value: r.value }, EventClass.Message);
  }

  /** A ready poll or fence, on the CPU. */
  private resume(ctx: Context, { tag, value }: Resumed): void {
    if ("update" in tag) this.done({ op: tag.update, ok: true, reason: null });
    else this.resumeKernel(ctx, tag.kernel, value);
  }

  /** The event a ready poll brings to the CPU when it is a message (a URPC slot), else null. */
  protected message(_r: Ready): { kind: string; data: Json; src: number; seq: number } | null {
    return null;
  }

  /** After every CPU handler: polls the kernel sets up again (a channel's next slot); those already ready. */
  protected settle(_ctx: Context): Ready[] {
    return [];
  }

  /** A ready poll or fence the kernel itself set up, and what its read returned. */
  protected resumeKernel(_ctx: Context, tag: Json, _value: Json): void {
    throw new Error(`core ${this.core}: nothing waits for ${JSON.stringify(tag)}`);
  }

  /** Polls and fences for the kernel's own lines carry this tag. */
  protected kernelTag(tag: Json): Json {
    return { kernel: tag } satisfies ReadyTag;
  }

  charge(cycles: number): void {
    this.ctx.charge(cycles);
  }

  /** The engine's measure of this core's work: its cycles at its own clock, in the machine's reference cycles. */
  time(cycles: number): number {
    return this.env.machine.time(this.core, cycles);
  }

  record(name: string, value: Json): void {
    (this.host.records[name] ??= []).push(value);
  }

  /** Tell the application that an operation it started is done. */
  protected done(result: Completion): void {
    this.env.app.done?.(this, result);
  }

  abstract send(dst: number, body: Json): void;
  abstract lrpc(payload: Json): void;
  abstract unmap(vaddr: number, kind: string): string;
  abstract shootdown(kind: string): string;
  abstract retype(req: RetypeRequest, kind: string): string;
  abstract readState(key: number): string;
  abstract writeState(key: number): string;
  /** Every event but the start. */
  protected abstract event(e: SimEvent, ctx: Context): void;
  abstract snapshot(): Json;
  abstract result(): Json;

  /** The memory system's state, for the kernel's snapshot. */
  protected memorySnapshot(): MemoryState {
    return (this.host.memory = this.memory.snapshot());
  }
}
