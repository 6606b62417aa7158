// The kernel of one simulated core as the engine runs it: the core's CPU
// driver, its monitor (URPC channels, routes, replica, agreement protocols)
// and the application dispatcher of the workload. Every event a core handles
// comes through here. All state is plain JSON, so a core can be persisted and
// resumed between windows.
//
// The personality says whose kernel this is: Barrelfish (monitors agree by
// messages) or an IPI-based one (Linux, Windows) for the baselines.
import type { CostModel, Machine } from "../hwmodel/index.ts";
import {
  APP_DOMAIN,
  MONITOR_DOMAIN,
  PAGE_BYTES,
  bootCore,
  SHARED_PAGE,
  CpuDriver,
  IPI_ACK_KIND,
  IPI_KIND,
  IpiShootdown,
  type CpuDriverSnapshot,
  type IpiState,
  type Capability,
  type Personality,
} from "../cpudriver/index.ts";
import type { Context, Json, Kernel, SimEvent } from "../engine/index.ts";
import { AGREE, AGREE_ACK, Agreement, type AgreementState, type Round } from "./agreement.ts";
import type { Completion, MonitorCore } from "./monitor-core.ts";
import { Replica, type ReplicaState, type RetypeRequest, type Vote } from "./replica.ts";
import type { Route, RouteTable } from "./routes.ts";
import { twoPhaseCommitPhases } from "./twopc.ts";
import { unmapPhases } from "./unmap.ts";
import { BROADCAST_KIND, URPC_ACK_KIND, URPC_KIND, UrpcChannels, type UrpcMessage, type UrpcState } from "./urpc.ts";

export interface KernelConfig {
  /** URPC ring size in slots, per direction. */
  slots: number;
  /** How long an idle monitor polls before it blocks; null: it polls for ever (a dedicated core). */
  pollBudget: number | null;
  personality: "barrelfish" | Personality;
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
  /** Append a measurement to this core's results. */
  record(name: string, value: Json): void;
  /** A one-way LRPC from the application to its local monitor, which runs next. */
  lrpc(payload: Json): void;
  /** Unmap a page of the application on every core, over a routing tree (Barrelfish) or by IPIs (Linux, Windows). */
  unmap(vaddr: number, kind: string): string;
  /** The bare messaging of an unmap over a routing tree, with no unmap work. */
  shootdown(kind: string): string;
  /** Retype a capability in every replica by two-phase commit over a routing tree. */
  retype(req: RetypeRequest, kind: string): string;
}

/** A workload's program: the same on every core, told which core it runs on by `os.core`. */
export interface Application {
  start?(os: Os, data: Json): void;
  message?(os: Os, src: number, body: Json): void;
  done?(os: Os, result: Completion): void;
}

export interface KernelEnv {
  machine: Machine;
  /** Cores booted in this run: 0 .. cores-1. */
  cores: number;
  cost: CostModel;
  config: KernelConfig;
  app: Application;
  routes: RouteTable;
  /** Capabilities every replica knows at boot, with their owners. */
  caps: { cap: Capability; owner: number }[];
  /** Pages of the application mapped on every core at boot. */
  pages: number;
}

interface KernelState {
  /** Taken when the kernel is snapshot, not kept up to date between. */
  cpu: CpuDriverSnapshot | null;
  /** LRPC endpoints between the application and its monitor. */
  toMonitor: number;
  toApp: number;
  urpc: UrpcState;
  agreement: AgreementState;
  replica: ReplicaState;
  ipi: IpiState;
  vars: Record<string, Json>;
  records: Record<string, Json[]>;
  /** When the core last finished a handler: an idle monitor has polled since then. */
  idleSince: number;
  blocks: number;
  ops: number;
}

export const START_KIND = "start";

export class CoreKernel implements Kernel, Os, MonitorCore {
  readonly cpu: CpuDriver;
  readonly replica: Replica;
  readonly agreement: Agreement;
  private readonly s: KernelState;
  private readonly urpc: UrpcChannels;
  private readonly ipi: IpiShootdown | null;
  private readonly routes: Map<string, Map<number, Route>>;
  private ctx!: Context;

  constructor(
    readonly core: number,
    private readonly env: KernelEnv,
    state?: Json,
  ) {
    const saved = state as unknown as KernelState | undefined;
    const booted = saved ? { cpu: CpuDriver.restore(saved.cpu!, env.cost), toMonitor: saved.toMonitor, toApp: saved.toApp } : bootCore(core, env.cost, env.pages);
    this.cpu = booted.cpu;
    this.replica = new Replica(saved?.replica);
    if (!saved) {
      for (const { cap, owner } of env.caps) this.replica.add(cap, owner);
      for (let i = 0; i < env.pages; i++) this.replica.map(SHARED_PAGE + i * PAGE_BYTES, i);
    }
    this.urpc = new UrpcChannels(core, env.cost, env.config.slots, saved?.urpc);
    this.routes = env.routes.of(core);
    this.agreement = new Agreement(core, this.urpc, this.routes, { ...unmapPhases(this), ...twoPhaseCommitPhases(this) }, saved?.agreement);
    const p = env.config.personality;
    this.ipi = p === "barrelfish" ? null : new IpiShootdown(core, env.cost, this.cpu, p, saved?.ipi);
    this.s = {
      cpu: null,
      toMonitor: booted.toMonitor,
      toApp: booted.toApp,
      urpc: this.urpc.snapshot(),
      agreement: this.agreement.snapshot(),
      replica: this.replica.s,
      ipi: this.ipi?.s ?? { awaiting: {} },
      vars: saved?.vars ?? {},
      records: saved?.records ?? {},
      idleSince: saved?.idleSince ?? 0,
      blocks: saved?.blocks ?? 0,
      ops: saved?.ops ?? 0,
    };
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
      case URPC_KIND:
      case URPC_ACK_KIND:
      case BROADCAST_KIND: {
        this.pollOrBlock(e.time);
        const body = this.urpc.receive(ctx, e.src, e.kind, e.data as unknown as UrpcMessage);
        if (body !== undefined) this.dispatch(e.src, body);
        break;
      }
      case IPI_KIND:
        this.personality().interrupt(ctx, e.data as { op: string; vaddr: number; from: number });
        break;
      case IPI_ACK_KIND: {
        const op = (e.data as { op: string }).op;
        if (this.personality().acknowledged(ctx, e.src, op)) this.complete(ctx, { op, ok: true }, false);
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

  record(name: string, value: Json): void {
    (this.s.records[name] ??= []).push(value);
  }

  lrpc(payload: Json): void {
    this.ctx.charge(this.cpu.lrpc(APP_DOMAIN, this.s.toMonitor, payload).cost);
    this.cpu.receive(MONITOR_DOMAIN);
  }

  unmap(vaddr: number, kind: string): string {
    const op = this.nextOp();
    if (this.ipi) {
      const targets = Array.from({ length: this.env.cores }, (_, c) => c).filter((c) => c !== this.core);
      if (this.ipi.start(this.ctx, op, vaddr, targets)) this.complete(this.ctx, { op, ok: true }, false);
      return op;
    }
    this.lrpc({ unmap: vaddr });
    this.agreement.start(this.ctx, { op, phase: "unmap", kind, data: { vaddr } });
    return op;
  }

  shootdown(kind: string): string {
    const op = this.nextOp();
    this.agreement.start(this.ctx, { op, phase: "shootdown", kind, data: null });
    return op;
  }

  retype(req: RetypeRequest, kind: string): string {
    const op = this.nextOp();
    this.lrpc({ retype: req.cap });
    this.agreement.start(this.ctx, { op, phase: "prepare", kind, data: { req } as unknown as Json });
    return op;
  }

  complete(ctx: Context, result: Completion, lrpc: boolean): void {
    if (lrpc) {
      ctx.charge(this.cpu.lrpc(MONITOR_DOMAIN, this.s.toApp, result as unknown as Json).cost);
      this.cpu.receive(APP_DOMAIN);
    }
    this.env.app.done?.(this, result);
  }

  snapshot(): Json {
    this.s.cpu = this.cpu.snapshot();
    this.s.agreement = this.agreement.snapshot();
    return this.s as unknown as Json;
  }

  result(): Json {
    return {
      records: this.s.records,
      channels: this.urpc.stats as unknown as Json,
      blocks: this.s.blocks,
      replica: this.replica.digest(),
      tlbHoldsSharedPage: this.cpu.tlbHolds(APP_DOMAIN, SHARED_PAGE),
    };
  }

  /** A summary for people: what the API shows of one core. */
  summary(): Json {
    return {
      channels: this.urpc.summary(),
      blocks: this.s.blocks,
      replica: { capabilities: this.replica.s.caps.length, mappings: Object.keys(this.replica.s.mappings).length },
      operationsInFlight: this.agreement.inFlight + Object.keys(this.s.ipi.awaiting).length,
    } as unknown as Json;
  }

  private dispatch(src: number, body: Json): void {
    const m = body as { svc?: string; round?: Round; op?: string; phase?: string; vote?: Vote };
    if (m.svc === AGREE) return this.agreement.request(this.ctx, src, m.round!);
    if (m.svc === AGREE_ACK) return this.agreement.answer(this.ctx, m.op!, m.phase!, m.vote!);
    this.env.app.message?.(this, src, body);
  }

  private personality(): IpiShootdown {
    if (!this.ipi) throw new Error(`core ${this.core}: an interrupt for an IPI shootdown, but this is a Barrelfish core`);
    return this.ipi;
  }

  private nextOp(): string {
    return `${this.core}:${this.s.ops++}`;
  }

  /**
   * An idle monitor polls its channels for the poll budget, then blocks;
   * waking it by IPI adds its cost to the message (paper, section 5). A
   * monitor in the middle of an agreement spins on its replies instead.
   */
  private pollOrBlock(arrival: number): void {
    const budget = this.env.config.pollBudget;
    if (budget === null || this.agreement.busy) return;
    const { added } = this.env.cost.pollingWait(arrival - this.s.idleSince, budget);
    if (!added) return;
    this.s.blocks++;
    this.ctx.charge(added);
  }
}
