// The kernel of one simulated core as the engine runs it: the core's monitor
// (URPC channels, protocols, replica) and the application dispatcher of the
// workload, on top of the core's CPU driver. Every event a core handles comes
// through here. All state is plain JSON, so a core can be persisted and
// resumed between windows.
import type { CostModel, Machine } from "../hwmodel/index.ts";
import type { Context, Json, Kernel, SimEvent } from "../engine/index.ts";
import { URPC_ACK_KIND, URPC_KIND, UrpcChannels, type UrpcMessage, type UrpcState } from "./urpc.ts";

export interface KernelConfig {
  /** URPC ring size in slots, per direction. */
  slots: number;
  /** How long a receiver polls before it blocks; null: it polls for ever (a dedicated core). */
  pollBudget: number | null;
}

/** What an application dispatcher sees of its core. */
export interface Os {
  readonly core: number;
  readonly now: number;
  readonly cost: CostModel;
  /** The application's own state: plain JSON, persisted with the core. */
  readonly vars: Record<string, Json>;
  charge(cycles: number): void;
  /** A URPC message to the application on core `dst`. */
  send(dst: number, body: Json): void;
  /** A timer event for this core's application. */
  timer(delay: number, data: Json): void;
  /** Append a measurement to this core's results. */
  record(name: string, value: Json): void;
}

/** A workload's program: the same on every core, told which core it runs on by `os.core`. */
export interface Application {
  start?(os: Os, data: Json): void;
  message?(os: Os, src: number, body: Json): void;
  timer?(os: Os, data: Json): void;
}

export interface KernelEnv {
  machine: Machine;
  cost: CostModel;
  config: KernelConfig;
  app: Application;
}

interface KernelState {
  urpc: UrpcState;
  vars: Record<string, Json>;
  records: Record<string, Json[]>;
  /** When the core last finished a handler: a receiver has polled since then. */
  idleSince: number;
  blocks: number;
}

export const START_KIND = "start";
export const TIMER_KIND = "timer";

export class CoreKernel implements Kernel, Os {
  private readonly s: KernelState;
  private readonly urpc: UrpcChannels;
  private ctx!: Context;

  constructor(
    readonly core: number,
    private readonly env: KernelEnv,
    state?: Json,
  ) {
    this.s = (state as unknown as KernelState) ?? { urpc: undefined!, vars: {}, records: {}, idleSince: 0, blocks: 0 };
    this.urpc = new UrpcChannels(core, env.cost, env.config.slots, this.s.urpc);
    this.s.urpc = this.urpc.snapshot();
  }

  get cost(): CostModel {
    return this.env.cost;
  }

  get now(): number {
    return this.ctx.now;
  }

  get vars(): Record<string, Json> {
    return this.s.vars;
  }

  handle(e: SimEvent, ctx: Context): void {
    this.ctx = ctx;
    const app = this.env.app;
    switch (e.kind) {
      case START_KIND:
        app.start?.(this, e.data);
        break;
      case TIMER_KIND:
        app.timer?.(this, e.data);
        break;
      case URPC_KIND:
      case URPC_ACK_KIND: {
        this.pollOrBlock(e.time);
        const body = this.urpc.receive(ctx, e.src, e.kind, e.data as unknown as UrpcMessage);
        if (body !== undefined) app.message?.(this, e.src, body);
        break;
      }
      default:
        throw new Error(`core ${this.core}: no handler for event kind "${e.kind}"`);
    }
    this.s.idleSince = ctx.now;
  }

  charge(cycles: number): void {
    this.ctx.charge(cycles);
  }

  send(dst: number, body: Json): void {
    this.urpc.send(this.ctx, dst, body);
  }

  timer(delay: number, data: Json): void {
    this.ctx.after(delay, TIMER_KIND, data);
  }

  record(name: string, value: Json): void {
    (this.s.records[name] ??= []).push(value);
  }

  snapshot(): Json {
    return this.s as unknown as Json;
  }

  result(): Json {
    return { records: this.s.records, channels: this.urpc.stats as unknown as Json, blocks: this.s.blocks };
  }

  /** A summary for people: what the API shows of one core. */
  summary(): Json {
    return { channels: this.urpc.summary(), blocks: this.s.blocks, vars: this.s.vars } as unknown as Json;
  }

  /**
   * The receiver has polled since it went idle. Within the poll budget that
   * costs nothing extra; past it the dispatcher blocked, and waking it by IPI
   * adds its cost to the message (paper, section 5).
   */
  private pollOrBlock(arrival: number): void {
    const budget = this.env.config.pollBudget;
    if (budget === null) return;
    const { added } = this.env.cost.pollingWait(arrival - this.s.idleSince, budget);
    if (!added) return;
    this.s.blocks++;
    this.ctx.charge(added);
  }
}
