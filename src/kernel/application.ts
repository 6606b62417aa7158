// The application a workload runs on every core, and what it sees of its
// core: the calls its dispatcher makes into the OS. The same program runs on
// Barrelfish's OS nodes and on the IPI-based baselines, so an experiment
// compares kernels, not programs.
import type { CostModel } from "../hwmodel/index.ts";
import { cloneJson, type Json } from "../json.ts";
import type { Context, Kernel, SimEvent } from "../engine/index.ts";
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
  /** Cores booted in this run: 0 .. cores-1. */
  cores: number;
  app: Application;
}

/** The event that starts the application on a core, at time 0. */
export const START_KIND = "start";

export type HostState = {
  app: Json;
  records: Record<string, Json[]>;
  /** When the core last finished a handler: an idle monitor has polled since then. */
  idleSince: number;
};

/** What a run's results show of every core's application. */
export type AppResult = { records: Record<string, Json[]> };

/**
 * The part of every core's kernel that hosts the application: its state and
 * records, its start event, the clock. Subclasses are the kernels proper and
 * handle every other event.
 */
export abstract class ApplicationHost implements Kernel, Os {
  protected ctx!: Context;
  protected readonly host: HostState;

  constructor(
    readonly core: number,
    protected readonly env: KernelEnv,
    saved?: HostState,
  ) {
    this.host = saved ?? { app: cloneJson(env.app.initial), records: {}, idleSince: 0 };
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
    if (e.kind === START_KIND) this.env.app.start?.(this, e.data);
    else this.event(e, ctx);
    this.host.idleSince = ctx.now;
  }

  charge(cycles: number): void {
    this.ctx.charge(cycles);
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
  /** Every event but the start. */
  protected abstract event(e: SimEvent, ctx: Context): void;
  abstract snapshot(): Json;
  abstract result(): Json;
}
