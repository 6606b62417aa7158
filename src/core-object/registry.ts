// The Registry Durable Object: one per deployment (stubs.ts: registryStub), it
// counts the jobs that are running so that no more than MAX_CONCURRENT_RUNS
// run at once. A job holds a lease: it takes it when it starts, renews it
// while it runs and gives it back when it ends. A job that vanishes without
// giving its lease back (a bug, a lost object) stops counting when the lease
// runs out, so the count cannot leak.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

/** How long a lease lasts without renewal. Jobs renew it every LEASE_MS / 4. */
export const LEASE_MS = 120_000;

export type Lease = { ok: true } | { ok: false; active: number };

/** Run id -> when its lease runs out (ms since the epoch). */
type Leases = Record<string, number>;

export class Registry extends DurableObject<Env> {
  /** Take a lease for `job` if fewer than `max` others hold one. */
  acquire(job: string, max: number): Lease {
    const leases = this.live();
    if (!(job in leases) && Object.keys(leases).length >= max) return { ok: false, active: Object.keys(leases).length };
    leases[job] = Date.now() + LEASE_MS;
    this.save(leases);
    return { ok: true };
  }

  /** Extend a lease; a job whose lease ran out takes it again, even over the limit: it is already running. */
  renew(job: string): void {
    const leases = this.live();
    leases[job] = Date.now() + LEASE_MS;
    this.save(leases);
  }

  release(job: string): void {
    const leases = this.live();
    delete leases[job];
    this.save(leases);
  }

  /** Jobs holding a lease now. */
  active(): string[] {
    return Object.keys(this.live());
  }

  private live(): Leases {
    const now = Date.now();
    const leases = this.ctx.storage.kv.get<Leases>("leases") ?? {};
    for (const [job, until] of Object.entries(leases)) if (until <= now) delete leases[job];
    return leases;
  }

  private save(leases: Leases): void {
    this.ctx.storage.kv.put("leases", leases);
  }
}
