// TLB shootdown as Linux and Windows do it, the baselines of the paper's
// Figure 7: no monitors and no messages. The initiator traps into its kernel,
// clears the page-table entry, writes the request to a well-known line and
// sends an inter-processor interrupt to every other core, one after another.
// Each target takes the interrupt, reads the request from the initiator's
// line, invalidates its TLB entry and acknowledges by an atomic update of a
// shared counter in the initiator's memory; the initiator spins on that
// counter, so every acknowledgement bounces the line back to it in turn.
import type { CostModel } from "../hwmodel/index.ts";
import { EventClass, type Context } from "../engine/index.ts";
import { APP_DOMAIN } from "./boot.ts";
import type { CpuDriver } from "./cpu-driver.ts";

export type Personality = "linux" | "windows";

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
export const PERSONALITIES: Record<Personality, (cost: CostModel) => PersonalityCosts> = {
  linux: () => ({ perOperation: 2695, perIpi: 0 }),
  windows: (cost) => ({ perOperation: 2495, perIpi: cost.ipiTrap() }),
};

export const IPI_KIND = "ipi";
export const IPI_ACK_KIND = "ipi-ack";

export interface IpiState {
  /** Acks still awaited, per operation this core initiated. */
  awaiting: Record<string, number>;
}

export class IpiShootdown {
  private readonly costs: PersonalityCosts;

  constructor(
    private readonly core: number,
    private readonly cost: CostModel,
    private readonly cpu: CpuDriver,
    personality: Personality,
    readonly s: IpiState = { awaiting: {} },
  ) {
    this.costs = PERSONALITIES[personality](cost);
  }

  get busy(): boolean {
    for (const _ in this.s.awaiting) return true;
    return false;
  }

  /** munmap on the initiator; returns true when there was no other core to interrupt. */
  start(ctx: Context, op: string, vaddr: number, targets: number[]): boolean {
    const c = this.cost;
    ctx.charge(this.costs.perOperation + this.cpu.unmap(APP_DOMAIN, vaddr, 1).cost + c.localLineUpdate());
    for (const t of targets) {
      // Write the APIC's command register, then wait until the interrupt is delivered.
      ctx.charge(2 * c.ipiWire(this.core, t) + this.costs.perIpi);
      ctx.send(t, IPI_KIND, { op, vaddr, from: this.core }, c.ipiWire(this.core, t), EventClass.Interrupt);
    }
    if (!targets.length) return true;
    this.s.awaiting[op] = targets.length;
    return false;
  }

  /** On a target: take the interrupt, read the request, invalidate, acknowledge. */
  interrupt(ctx: Context, data: { op: string; vaddr: number; from: number }): void {
    const c = this.cost;
    ctx.charge(c.ipiTrap() + c.ipiWire(data.from, this.core) + this.cpu.invalidate(APP_DOMAIN, data.vaddr).cost);
    ctx.send(data.from, IPI_ACK_KIND, { op: data.op }, c.ipiWire(this.core, data.from), EventClass.Interrupt);
  }

  /** On the initiator: one acknowledgement; returns true when it was the last. */
  acknowledged(ctx: Context, src: number, op: string): boolean {
    ctx.charge(2 * this.cost.ipiWire(src, this.core));
    if (--this.s.awaiting[op] > 0) return false;
    delete this.s.awaiting[op];
    return true;
  }
}
