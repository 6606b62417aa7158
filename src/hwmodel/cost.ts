// The cost model: what each mechanism a core runs costs, in integer cycles of
// the simulated machine. A core's own work (a trap, a switch, a TLB
// invalidation) is in cycles of that core's clock, which the engine turns
// into simulated time (Machine.time); an interrupt's wire, an APIC access and
// a round trip are times, in cycles of the machine's reference clock. Cache lines are not priced here: every access to
// shared memory is a transaction on the cache-line model (coherence.ts),
// simulated where it happens; what is left are the costs local to a core
// (traps, dispatch, TLB, a line it owns) and the interrupts between cores.
import { HomeAgent, homeFor } from "./coherence.ts";
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
import { interconnectOf } from "./interconnect.ts";
import type { Machine } from "./machine.ts";

/** Idle round trips by package pair (and, on a bus, whether the two cores share a die), per machine. */
const roundTrips = new WeakMap<Machine, Map<string, number>>();

export class CostModel {
  constructor(readonly machine: Machine) {}

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

  /** An IPI from core a to core b (Interconnect.ipiWire). */
  ipiWire(a: number, b: number): number {
    const m = this.machine;
    return interconnectOf(m).ipiWire(m.corePackage[a], m.corePackage[b]);
  }

  /**
   * One uncached access to the core's local APIC (a read or a write of ICR):
   * a round trip over the on-chip path that the line model's chip legs price
   * (fitted to Table 2), not a measured figure.
   */
  apicAccess(): number {
    return 2 * interconnectOf(this.machine).t.chip;
  }

  tlbInvalidate(): number {
    return Math.round(this.machine.costs.tlbInvalidate);
  }

  localLineUpdate(): number {
    return LOCAL_LINE_UPDATE;
  }

  /**
   * A receiver that waits `wait` cycles for a message: it polls for up to the
   * poll budget, then blocks and is woken by an IPI. Returns the time spent
   * polling and the latency that blocking adds to the message. `wait` and
   * `budget` are times (a slow core's budget lasts longer: Machine.time);
   * `added` is the core's own work, in its cycles.
   */
  pollingWait(wait: number, budget = POLL_BUDGET): { polled: number; added: number } {
    return wait <= budget ? { polled: wait, added: 0 } : { polled: budget, added: BLOCK_AND_WAKE };
  }

  /**
   * The round trip of one URPC message from core a to core b and back on an
   * idle machine, through the cache-line model: a's write of the slot (which
   * invalidates b's copy), b's read of it, and the same back, the channel's
   * rings in b's memory (b bound it), each slot warm as after a first lap.
   * What the SKB takes as the measured round trip between two cores. A
   * machine with a measured core-to-core latency matrix gives it from the
   * matrix instead: each message two line transfers (the write's
   * invalidation, the read's fetch) and the send and receive paths. The send
   * and receive paths run at each end's own clock: a slow core's round trips
   * are longer.
   */
  roundTrip(a: number, b: number): number {
    if (a === b) return 0;
    const m = this.machine;
    if (m.measured) {
      const n = m.numCores;
      const paths = m.time(a, URPC_SEND) + m.time(b, URPC_RECEIVE) + m.time(b, URPC_SEND) + m.time(a, URPC_RECEIVE);
      return Math.round(paths + 2 * (m.measured[a * n + b] + m.measured[b * n + a]));
    }
    // Under a probe filter an idle transaction between two packages involves only them, so only their distance
    // matters; under broadcast probes every package's distance from the home does.
    const [pa, pb] = [m.corePackage[a], m.corePackage[b]];
    const where = interconnectOf(m).probeFilter ? `h${m.hops(a, b)}` : `${pa}:${pb}:${m.coreDie[a] === m.coreDie[b] ? 1 : 0}`;
    const key = m.heterogeneous ? `${where}:${m.corePeriod[a]}:${m.corePeriod[b]}` : where;
    let cache = roundTrips.get(m);
    if (!cache) roundTrips.set(m, (cache = new Map()));
    let rtt = cache.get(key);
    if (rtt === undefined) cache.set(key, (rtt = this.idleRoundTrip(a, b)));
    return rtt;
  }

  private idleRoundTrip(a: number, b: number): number {
    const m = this.machine;
    const h = homeFor(m, m.corePackage[b]);
    // One line per direction: its writer owns it, its reader holds a copy.
    const home = new HomeAgent(m, h.package, h.core, (line) => (line === "ab" ? [[a, "O"], [b, "S"]] : [[b, "O"], [a, "S"]]));
    const oneWay = (from: number, to: number, line: string, start: number): number => {
      const write = home.request(home.arrival(from, start + m.time(from, URPC_SEND)), { requester: from, line, op: "write" });
      const seen = write.notices.find((n) => n.core === to)?.at ?? write.serviced;
      const read = home.request(home.arrival(to, seen), { requester: to, line, op: "read" });
      return read.complete + m.time(to, URPC_RECEIVE);
    };
    return oneWay(b, a, "ba", oneWay(a, b, "ab", 0));
  }
}
