// Round-robin scheduling of the core's runnable dispatchers, in the order
// they were created: deterministic, and every runnable dispatcher runs once
// before any runs twice.
import type { DomainId } from "./cspace.ts";
import { cloneDispatcher, type Dispatcher } from "./dispatcher.ts";
import { KernelError } from "./errors.ts";

export type SchedulerSnapshot = {
  /** In creation order. */
  dispatchers: Dispatcher[];
  current: DomainId | null;
  lastRun: DomainId | null;
};

export class Scheduler {
  private dispatchers = new Map<DomainId, Dispatcher>();
  private running: DomainId | null = null;
  /** Where round robin resumes: after the last dispatcher run. */
  private lastRun: DomainId | null = null;

  /** The dispatcher running now; null while the core idles. */
  get current(): DomainId | null {
    return this.running;
  }

  add(d: Dispatcher): void {
    if (this.dispatchers.has(d.domain)) {
      throw new KernelError("dispatcher_exists", `domain ${d.domain} already has a dispatcher on core ${d.core}`);
    }
    this.dispatchers.set(d.domain, d);
  }

  get(domain: DomainId): Dispatcher {
    const d = this.dispatchers.get(domain);
    if (!d) throw new KernelError("no_such_dispatcher", `domain ${domain} has no dispatcher on this core`);
    return d;
  }

  /** The dispatcher whose control block is at `dcb`, if it is on this core. */
  byDcb(dcb: number): Dispatcher | undefined {
    for (const d of this.dispatchers.values()) if (d.dcb === dcb) return d;
    return undefined;
  }

  all(): Dispatcher[] {
    return [...this.dispatchers.values()];
  }

  block(domain: DomainId): void {
    this.get(domain).state = "blocked";
    if (this.running === domain) this.running = null;
  }

  unblock(domain: DomainId): void {
    this.get(domain).state = "runnable";
  }

  /** Run `domain` now, out of turn (LRPC hands the core straight to its target). */
  switchTo(domain: DomainId): void {
    this.get(domain);
    this.running = this.lastRun = domain;
  }

  /** Pick the next runnable dispatcher after the last one run, and run it; null if none is runnable. */
  next(): DomainId | null {
    const order = [...this.dispatchers.keys()];
    const start = this.lastRun === null ? 0 : order.indexOf(this.lastRun) + 1;
    for (let i = 0; i < order.length; i++) {
      const domain = order[(start + i) % order.length];
      if (this.dispatchers.get(domain)!.state === "runnable") {
        this.switchTo(domain);
        return domain;
      }
    }
    this.running = null;
    return null;
  }

  snapshot(): SchedulerSnapshot {
    return { dispatchers: this.all().map(cloneDispatcher), current: this.current, lastRun: this.lastRun };
  }

  static restore(json: SchedulerSnapshot): Scheduler {
    const s = new Scheduler();
    for (const d of json.dispatchers) s.add(cloneDispatcher(d));
    s.running = json.current;
    s.lastRun = json.lastRun;
    return s;
  }
}
