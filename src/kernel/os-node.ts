// One core of the multikernel as the paper draws it (Figure 1, an "OS node"):
// the core's CPU driver, its monitor, and the application's dispatcher, the
// monitor and the application joined by LRPC endpoints. The engine hands
// every event of the core here; URPC traffic goes to the monitor, and what
// the monitor does not consume goes to the application.
import {
  APP_DOMAIN,
  bootCore,
  CpuDriver,
  MONITOR_DOMAIN,
  SHARED_PAGE,
  type CpuDriverSnapshot,
} from "../cpudriver/index.ts";
import type { Context, Json, SimEvent } from "../engine/index.ts";
import type { Ready } from "../memory/index.ts";
import { Monitor, URPC_KINDS, type Completion, type MonitorState, type RetypeRequest } from "../monitor/index.ts";
import { ApplicationHost, LINES_REPORTED, type AppResult, type HostState, type KernelEnv, type LineReport } from "./application.ts";

export type OsNodeState = HostState & {
  /** Taken when the node is snapshot, not kept up to date between. */
  cpu: CpuDriverSnapshot | null;
  /** LRPC endpoints: the application's to its monitor, and the monitor's back. */
  toMonitor: number;
  toApp: number;
  monitor: MonitorState;
};

export type OsNodeResult = AppResult &
  ReturnType<Monitor["result"]> & {
    tlbHoldsSharedPage: boolean;
    lines: LineReport[];
    /** The replicated table's lines this core holds, with their contents (runs with a table only). */
    table?: Record<string, Json>;
  };

export class OsNode extends ApplicationHost {
  readonly cpu: CpuDriver;
  readonly monitor: Monitor;
  private readonly s: OsNodeState;

  constructor(core: number, env: KernelEnv, saved?: OsNodeState) {
    super(core, env, saved);
    const booted = saved ? { cpu: CpuDriver.restore(saved.cpu!, env.cost), toMonitor: saved.toMonitor, toApp: saved.toApp } : bootCore(core, env.cost, env.pages);
    this.cpu = booted.cpu;
    this.monitor = new Monitor(core, this.cpu, this.memory, env, (ctx, result, lrpc) => this.reply(ctx, result, lrpc), (tag) => this.kernelTag(tag), saved?.monitor);
    this.s = Object.assign(this.host, { cpu: null, toMonitor: booted.toMonitor, toApp: booted.toApp, monitor: this.monitor.snapshot() });
  }

  protected event(e: SimEvent, ctx: Context): void {
    if (!URPC_KINDS.includes(e.kind)) throw new Error(`core ${this.core}: no handler for event kind "${e.kind}"`);
    const body = this.monitor.receive(ctx, e, this.host.idleSince);
    if (body !== undefined) this.env.app.message?.(this, e.src, body);
  }

  send(dst: number, body: Json): void {
    this.monitor.send(this.ctx, dst, body);
  }

  lrpc(payload: Json): void {
    this.ctx.charge(this.cpu.lrpc(APP_DOMAIN, this.s.toMonitor, payload).cost);
    this.cpu.receive(MONITOR_DOMAIN);
  }

  unmap(vaddr: number, kind: string): string {
    this.lrpc({ unmap: vaddr });
    return this.monitor.unmap(this.ctx, vaddr, kind);
  }

  shootdown(kind: string): string {
    return this.monitor.shootdown(this.ctx, kind);
  }

  retype(req: RetypeRequest, kind: string): string {
    this.lrpc({ retype: req.cap });
    return this.monitor.retype(this.ctx, req, kind);
  }

  readState(key: number): string {
    return this.monitor.readState(this.ctx, key);
  }

  writeState(key: number): string {
    return this.monitor.writeState(this.ctx, key);
  }

  snapshot(): OsNodeState {
    this.s.cpu = this.cpu.snapshot();
    this.s.monitor = this.monitor.snapshot();
    this.memorySnapshot();
    return this.s;
  }

  result(): OsNodeResult {
    const table = this.env.state ? { table: this.monitor.tableLines(this.memory) } : {};
    return {
      records: this.host.records,
      ...this.monitor.result(),
      tlbHoldsSharedPage: this.cpu.tlbHolds(APP_DOMAIN, SHARED_PAGE),
      lines: this.memory.stats(LINES_REPORTED),
      ...table,
    };
  }

  protected override message(r: Ready) {
    return this.monitor.arrived(r);
  }

  protected override settle(ctx: Context): Ready[] {
    return this.monitor.settle(ctx);
  }

  /** The memory system answered the monitor's replicated table. */
  protected override resumeKernel(ctx: Context, tag: Json, value: Json): void {
    this.monitor.resume(ctx, tag, value);
  }

  /** What the API shows of one core, for people. */
  summary(): Json {
    return this.monitor.summary();
  }

  /** The monitor's answer to the application: by LRPC, or (a bare protocol) straight. */
  private reply(ctx: Context, result: Completion, lrpc: boolean): void {
    if (lrpc) {
      ctx.charge(this.cpu.lrpc(MONITOR_DOMAIN, this.s.toApp, result).cost);
      this.cpu.receive(APP_DOMAIN);
    }
    this.done(result);
  }
}
