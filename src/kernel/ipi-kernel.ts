// The baselines of the paper's Figure 7: a monolithic kernel, Linux or
// Windows, that shoots TLB entries down by inter-processor interrupts. No
// monitors and no messages: the initiator traps into its kernel, clears the
// page-table entry, writes the request to a well-known line and sends an IPI
// to every other core, one after another. Each target takes the interrupt,
// reads the request from the initiator's line, invalidates its TLB entry and
// acknowledges by an atomic update of a shared counter in the initiator's
// memory; the initiator spins on that counter, so every acknowledgement
// bounces the line back to it in turn.
import type { CostModel } from "../hwmodel/index.ts";
import { APP_DOMAIN, bootApplication, CpuDriver, SHARED_PAGE, type CpuDriverSnapshot } from "../cpudriver/index.ts";
import { EventClass, type Context, type Json, type SimEvent } from "../engine/index.ts";
import { ApplicationHost, type AppResult, type HostState, type KernelEnv } from "./application.ts";

export type IpiPersonality = "linux" | "windows";

export interface PersonalityCosts {
  /** Everything of one unmap that does not depend on the number of cores. */
  perOperation: number;
  /** Extra initiator cycles per IPI sent, on top of the APIC write and the wait for delivery. */
  perIpi: number;
}

/**
 * The per-operation constants come from the paper's two-core points of
 * Figure 7 (Linux about 5,200 cycles, Windows about 5,800 on the 8x4-core
 * AMD): each is that figure less what the mechanism below costs at two
 * cores. Windows sends each IPI through the HAL's interrupt request path; we
 * charge that as one more kernel entry and exit per IPI (the paper's 800
 * cycles for taking an interrupt): an assumption, not a measurement.
 */
export const PERSONALITIES: Record<IpiPersonality, (cost: CostModel) => PersonalityCosts> = {
  linux: () => ({ perOperation: 2695, perIpi: 0 }),
  windows: (cost) => ({ perOperation: 2495, perIpi: cost.ipiTrap() }),
};

export const IPI_KIND = "ipi";
export const IPI_ACK_KIND = "ipi-ack";

type IpiRequest = { op: string; vaddr: number; from: number };

export type IpiKernelState = HostState & {
  /** Taken when the kernel is snapshot, not kept up to date between. */
  cpu: CpuDriverSnapshot | null;
  /** Acks still awaited, per operation this core initiated. */
  awaiting: Record<string, number>;
  /** Operations started here: the next one's number. */
  ops: number;
};

export type IpiKernelResult = AppResult & { tlbHoldsSharedPage: boolean };

export class IpiKernel extends ApplicationHost {
  readonly cpu: CpuDriver;
  private readonly costs: PersonalityCosts;
  private readonly s: IpiKernelState;

  constructor(core: number, env: KernelEnv, personality: IpiPersonality, saved?: IpiKernelState) {
    super(core, env, saved);
    if (saved) this.cpu = CpuDriver.restore(saved.cpu!, env.cost);
    else bootApplication((this.cpu = new CpuDriver(core, env.cost)), env.pages);
    this.costs = PERSONALITIES[personality](env.cost);
    this.s = Object.assign(this.host, { cpu: null, awaiting: saved?.awaiting ?? {}, ops: saved?.ops ?? 0 });
  }

  protected event(e: SimEvent, ctx: Context): void {
    if (e.kind === IPI_KIND) return this.interrupt(ctx, e.data as IpiRequest);
    if (e.kind === IPI_ACK_KIND) return this.acknowledged(ctx, e.src, (e.data as { op: string }).op);
    throw new Error(`core ${this.core}: no handler for event kind "${e.kind}"`);
  }

  /** munmap: clear the PTE here, then interrupt every other core of the run in turn. */
  unmap(vaddr: number): string {
    const ctx = this.ctx;
    const c = this.cost;
    const op = `${this.core}:${this.s.ops++}`;
    ctx.charge(this.costs.perOperation + this.cpu.unmap(APP_DOMAIN, vaddr, 1).cost + c.localLineUpdate());
    let targets = 0;
    for (let t = 0; t < this.env.cores; t++) {
      if (t === this.core) continue;
      // Write the APIC's command register, then wait until the interrupt is delivered.
      ctx.charge(2 * c.ipiWire(this.core, t) + this.costs.perIpi);
      ctx.send(t, IPI_KIND, { op, vaddr, from: this.core }, c.ipiWire(this.core, t), EventClass.Interrupt);
      targets++;
    }
    if (targets) this.s.awaiting[op] = targets;
    else this.done({ op, ok: true, reason: null });
    return op;
  }

  send(): void {
    throw this.noMonitors("URPC messages");
  }

  lrpc(): void {
    throw this.noMonitors("LRPC to a monitor");
  }

  shootdown(): string {
    throw this.noMonitors("shootdown over a routing tree");
  }

  retype(): string {
    throw this.noMonitors("retype by two-phase commit");
  }

  snapshot(): IpiKernelState {
    this.s.cpu = this.cpu.snapshot();
    return this.s;
  }

  result(): IpiKernelResult {
    return { records: this.host.records, tlbHoldsSharedPage: this.cpu.tlbHolds(APP_DOMAIN, SHARED_PAGE) };
  }

  summary(): Json {
    return { operationsInFlight: Object.keys(this.s.awaiting).length };
  }

  /** On a target: take the interrupt, read the request, invalidate, acknowledge. */
  private interrupt(ctx: Context, req: IpiRequest): void {
    const c = this.cost;
    ctx.charge(c.ipiTrap() + c.ipiWire(req.from, this.core) + this.cpu.invalidate(APP_DOMAIN, req.vaddr).cost);
    ctx.send(req.from, IPI_ACK_KIND, { op: req.op }, c.ipiWire(this.core, req.from), EventClass.Interrupt);
  }

  /** On the initiator: one acknowledgement; the operation is done with the last. */
  private acknowledged(ctx: Context, src: number, op: string): void {
    ctx.charge(2 * this.cost.ipiWire(src, this.core));
    if (--this.s.awaiting[op] > 0) return;
    delete this.s.awaiting[op];
    this.done({ op, ok: true, reason: null });
  }

  private noMonitors(what: string): Error {
    return new Error(`core ${this.core}: an IPI-based kernel has no monitors: no ${what}`);
  }
}
