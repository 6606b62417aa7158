// Fault injection on the durable engine: the failures the platform may cause,
// on purpose, to show that they change nothing. The engine promises that a
// simulation's result and hash do not depend on how its objects live: cores
// are rebuilt from storage as of the last group commit, a core that lost
// windows since makes every core roll back to it, a window asked for again
// is answered from its logged report, deliveries are keyed and retried, and
// every simulation checks message conservation. A run with `faults` evicts and
// restarts core objects and fails and repeats deliveries, and must still give
// the fault-free result and hash.
//
// Every choice is drawn from the seed and the fault's place (core, window,
// destination), never from the clock, so a run with faults is repeatable.
import type { Faults, Issue } from "./protocol.ts";

export type DeliveryFault = "before" | "after" | null;

/** A fault that fires where the plan says; the error a failed call gives, as the platform marks one worth another try. */
export class InjectedFault extends Error {
  readonly retryable = true;
  constructor(message: string) {
    super(`injected fault: ${message}`);
    this.name = "InjectedFault";
  }
}

const EVICT = 1;
const RESTART = 2;
const FAIL_DELIVERY = 3;
const FAIL_WHEN = 4;
const DUPLICATE = 5;

/** The cores `faults` names that a machine of `cores` cores lacks, fields relative to the faults: such a fault could never hit. */
export function missingCores(faults: Faults, cores: number): Issue[] {
  return (["evict", "restart"] as const).flatMap((kind) =>
    (faults[kind]?.cores ?? []).flatMap((c, i) => (c < cores ? [] : [{ field: `${kind}.cores[${i}]`, reason: `the machine has no core ${c} (its cores are 0 to ${cores - 1})` }])),
  );
}

export class FaultPlan {
  constructor(private readonly f: Faults) {}

  /** Drop the core object's memory before it handles `window`, as the platform evicts an object: it is rebuilt from storage (every core rolls back if it had changed since the last commit). */
  evict(core: number, window: number): boolean {
    return this.hits(this.f.evict, EVICT, core, window);
  }

  /** Reset the core object in the middle of `window`, once it has sent its messages and before it logged the window: its memory goes, the call fails, and every core rolls back to the last commit. */
  restart(core: number, window: number): boolean {
    return this.hits(this.f.restart, RESTART, core, window);
  }

  /** Whether the delivery of `src`'s batch for `dst` in `window` fails, before it lands or after (its answer lost); it is retried. */
  failDelivery(src: number, dst: number, window: number): DeliveryFault {
    if (this.draw(FAIL_DELIVERY, src, dst, window) >= this.f.failDeliveries) return null;
    return this.draw(FAIL_WHEN, src, dst, window) < 0.5 ? "before" : "after";
  }

  /** Whether that batch is delivered twice. */
  duplicate(src: number, dst: number, window: number): boolean {
    return this.draw(DUPLICATE, src, dst, window) < this.f.duplicateDeliveries;
  }

  private hits(target: Faults["evict"], kind: number, core: number, window: number): boolean {
    if (!target) return false;
    if (target.cores && !target.cores.includes(core)) return false;
    if (target.windows && !target.windows.includes(window)) return false;
    return this.draw(kind, core, window, 0) < target.rate;
  }

  /** A number in [0, 1) from the seed and the fault's place: a 32-bit hash (MurmurHash3's finaliser per word). */
  private draw(...place: number[]): number {
    let h = this.f.seed >>> 0;
    for (const x of place) {
      h = Math.imul(h ^ (x >>> 0), 0xcc9e2d51);
      h ^= h >>> 15;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
    return (h >>> 0) / 2 ** 32;
  }
}
