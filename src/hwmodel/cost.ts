// The cost model: what each hardware mechanism costs, in integer cycles of the
// simulated machine. Everything the kernel charges comes from here.
//
// The central mechanism is the cache line. A URPC message is one line written
// by the sender and polled by the receiver; delivering it costs two line
// transfers between the two cores (the sender's write invalidates the
// receiver's copy, then the receiver's poll fetches the line). A transfer
// costs by distance: through a shared cache, across a package, or across
// `h` interconnect hops (lineRemote + (h - 1) * lineHop), unless a measured
// core-to-core matrix gives it.
import {
  BLOCK_AND_WAKE,
  IPI_TRAP,
  LOCAL_LINE_UPDATE,
  LRPC_USER_PATH,
  POLL_BUDGET,
  SYSCALL_TRAP,
  URPC_RECEIVE,
  URPC_SEND,
} from "./defaults.ts";
import type { Machine } from "./machine.ts";

export class CostModel {
  constructor(readonly machine: Machine) {}

  /** Latency of moving one cache line from core a to core b. Fractional: callers round. */
  line(a: number, b: number): number {
    const m = this.machine;
    if (a === b) return 0;
    if (m.measured) return m.measured[a * m.numCores + b];
    const c = m.costs;
    if (m.sharedCacheLevel(a, b)) return c.lineShared;
    if (m.corePackage[a] === m.corePackage[b]) return c.linePackage;
    return c.lineRemote + (m.hops(a, b) - 1) * c.lineHop;
  }

  /**
   * The smallest line transfer between two different cores, in whole cycles:
   * no message between cores can arrive sooner, so it is the engine's lookahead.
   */
  minLine(): number {
    const m = this.machine;
    let min = Infinity;
    if (m.measured) {
      for (let a = 0; a < m.numCores; a++) for (let b = 0; b < m.numCores; b++) if (a !== b) min = Math.min(min, m.measured[a * m.numCores + b]);
    } else {
      const c = m.costs;
      if (m.numPackages > 1) min = c.lineRemote;
      for (const cores of m.packageCores) {
        if (cores.length < 2) continue;
        const caches = new Set(cores.map((k) => m.coreCache[k]));
        if (caches.size > 1 || caches.has(-1)) min = Math.min(min, c.linePackage);
        if ([...caches].some((k) => k >= 0)) min = Math.min(min, c.lineShared);
      }
    }
    return Number.isFinite(min) ? Math.max(1, Math.round(min)) : 1;
  }

  /**
   * Cycles the sender is busy sending a message: writing the payload and the
   * header, stalled while its write invalidates the receiver's copy of the
   * slot (the first of the two transfers).
   */
  urpcSend(a: number, b: number): number {
    return URPC_SEND + Math.round(this.line(a, b));
  }

  /** From the sender's write to the line landing at the polling receiver (the second transfer). */
  urpcWire(a: number, b: number): number {
    return Math.max(1, Math.round(this.line(a, b)));
  }

  /** Cycles the receiver is busy taking a message out of its slot once it has the line. */
  urpcReceive(): number {
    return URPC_RECEIVE;
  }

  /** One-way latency of a URPC message to a receiver that is polling. */
  urpcOneWay(a: number, b: number): number {
    return this.urpcSend(a, b) + this.urpcWire(a, b) + URPC_RECEIVE;
  }

  /** The ping-pong round trip of Table 2. */
  urpcRoundTrip(a: number, b: number): number {
    return this.urpcOneWay(a, b) + this.urpcOneWay(b, a);
  }

  /**
   * Occupancy of a channel's ring per message when messages stream: the
   * slot lines bounce between the two caches while both ends work on
   * neighbouring slots, so a stream delivers at most one message per this
   * many cycles. Grows with the distance by the machine's occPerLine.
   */
  urpcOccupancy(a: number, b: number): number {
    const c = this.machine.costs;
    return Math.round(c.occBase + c.occPerLine * this.line(a, b));
  }

  /** Pipelined throughput in messages per 1000 cycles (Table 2's unit). */
  urpcThroughput(a: number, b: number): number {
    return 1000 / Math.max(this.urpcOccupancy(a, b), this.urpcSend(a, b), URPC_RECEIVE);
  }

  /** Kernel entry and exit for a system call into the CPU driver. */
  trap(): number {
    return SYSCALL_TRAP;
  }

  /** Switching the core to another dispatcher and upcalling it. */
  dispatcherSwitch(): number {
    return Math.round(this.machine.costs.dispatcherSwitch);
  }

  /** One-way LRPC between two dispatchers on one core (Table 1): trap, switch, user-level dispatch. */
  lrpc(): number {
    return SYSCALL_TRAP + this.dispatcherSwitch() + LRPC_USER_PATH;
  }

  /** Taking an interprocessor interrupt on the target core. */
  ipiTrap(): number {
    return IPI_TRAP;
  }

  /** Delivery of an IPI from a to b: an interconnect message, like one line transfer. */
  ipiWire(a: number, b: number): number {
    return Math.max(1, Math.round(this.line(a, b)));
  }

  tlbInvalidate(): number {
    return Math.round(this.machine.costs.tlbInvalidate);
  }

  localLineUpdate(): number {
    return LOCAL_LINE_UPDATE;
  }

  /**
   * A receiver that waits `wait` cycles for a message: it polls for up to the
   * poll budget, then blocks and is woken by an IPI. Returns the cycles spent
   * polling and the latency that blocking adds to the message.
   */
  pollingWait(wait: number, budget = POLL_BUDGET): { polled: number; added: number } {
    return wait <= budget ? { polled: wait, added: 0 } : { polled: budget, added: BLOCK_AND_WAKE };
  }

  /**
   * n cores (the given list) each updating the same k cache lines in shared
   * memory, over and over, with no locks. Every update of a line migrates it
   * from its last writer, and each core has one request outstanding at a
   * time, so requests for a line queue at whoever holds it: with every core
   * contending, a request waits for the line to pass through all n cores
   * (n transfers, the mean between the participants), and a core updates its
   * k lines one after another. Returns the cycles one update of all k lines
   * takes one core.
   */
  sharedUpdate(cores: readonly number[], k: number): number {
    const n = cores.length;
    if (n === 0 || k <= 0) return 0;
    if (n === 1) return k * LOCAL_LINE_UPDATE;
    let sum = 0;
    for (const a of cores) for (const b of cores) if (a !== b) sum += this.line(a, b);
    const mean = sum / (n * (n - 1));
    return Math.round(k * (LOCAL_LINE_UPDATE + n * mean));
  }
}
