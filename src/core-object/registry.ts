// The Registry Durable Object: one per deployment (stubs.ts: registryStub), it
// counts the runs that are running so that no more than MAX_CONCURRENT_RUNS
// run at once. A run holds a lease: it takes it when it starts, renews it
// while it runs and gives it back when it ends. A run that vanishes without
// giving its lease back (a bug, a lost object) stops counting when the lease
// runs out, so the count cannot leak.
//
// Knowing the runs under way, it is also their watchdog: while any holds a
// lease, its alarm asks each, every WATCH_MS, to check that it is advancing
// (lifecycle.ts), which resumes or fails a run whose alarms were lost.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { WATCH_MS } from "./lifecycle.ts";
import type { Lease, RegistryApi } from "./protocol.ts";
import { runStub } from "./stubs.ts";

/** How long a lease lasts without renewal. Runs renew it every LEASE_MS / 4. */
export const LEASE_MS = 120_000;

/** Run id -> when its lease runs out (ms since the epoch). */
type Leases = Record<string, number>;

export class Registry extends DurableObject<Env> implements RegistryApi {
  /** Take a lease for `run` if fewer than `max` others hold one. */
  async acquire(run: string, max: number): Promise<Lease> {
    const leases = this.live();
    if (!(run in leases) && Object.keys(leases).length >= max) return { ok: false, active: Object.keys(leases).length };
    leases[run] = Date.now() + LEASE_MS;
    this.save(leases);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + WATCH_MS);
    return { ok: true };
  }

  /** The watchdog's round: every run under way checks itself; one that is gone gives its lease back. */
  override async alarm(): Promise<void> {
    const runs = Object.keys(this.live());
    const found = await Promise.allSettled(runs.map((run) => runStub(this.env.RUN, run).watch()));
    found.forEach((f, i) => {
      if (f.status === "fulfilled" && (f.value === "missing" || f.value === "expired")) this.release(runs[i]);
    });
    if (Object.keys(this.live()).length) await this.ctx.storage.setAlarm(Date.now() + WATCH_MS);
  }

  /** Extend a lease; a run whose lease ran out takes it again, even over the limit: it is already running. */
  renew(run: string): void {
    const leases = this.live();
    leases[run] = Date.now() + LEASE_MS;
    this.save(leases);
  }

  release(run: string): void {
    const leases = this.live();
    delete leases[run];
    this.save(leases);
  }

  /** Runs holding a lease now. */
  active(): string[] {
    return Object.keys(this.live());
  }

  private live(): Leases {
    const now = Date.now();
    const leases = this.ctx.storage.kv.get<Leases>("leases") ?? {};
    for (const [run, until] of Object.entries(leases)) if (until <= now) delete leases[run];
    return leases;
  }

  private save(leases: Leases): void {
    this.ctx.storage.kv.put("leases", leases);
  }
}
