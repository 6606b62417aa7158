// The Registry Durable Object: one per deployment (stubs.ts: registryStub), it
// decides which runs run: at most MAX_CONCURRENT_RUNS at once, and up to
// MAX_QUEUED_RUNS more waiting their turn, first come first served; past that
// a run is refused. A running run holds a lease: it takes it when it starts
// (or when the Registry admits it from the queue), renews it while it runs
// and gives it back when it ends, which admits the next in the queue. A run
// that vanishes without giving its lease back (a bug, a lost object) stops
// counting when the lease runs out, so the count cannot leak.
//
// Knowing the runs under way, it is also their watchdog: while any runs or
// waits, its alarm asks each running run, every WATCH_MS, to check that it is
// advancing (lifecycle.ts), which resumes or fails a run whose alarms were
// lost, and admits queued runs into places that came free without a release.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { WATCH_MS } from "./lifecycle.ts";
import type { Admission, RegistryApi, Watch } from "./protocol.ts";
import { runStub } from "./stubs.ts";

/** How long a lease lasts without renewal. Runs renew it every LEASE_MS / 4. */
export const LEASE_MS = 120_000;

/** Run id -> when its lease runs out (ms since the epoch). */
type Leases = Record<string, number>;

export class Registry extends DurableObject<Env> implements RegistryApi {
  /** A place for `run`: a lease if one is free, else a place in the queue, else none. */
  async admit(run: string): Promise<Admission> {
    // Places that came free without a release (a lease ran out) go to the queue first.
    await this.promote();
    const leases = this.live();
    const queue = this.queue();
    let admission: Admission;
    if (run in leases || (Object.keys(leases).length < this.maxRunning() && !queue.length)) {
      leases[run] = Date.now() + LEASE_MS;
      this.save(leases);
      admission = { state: "running" };
    } else if (queue.includes(run)) {
      admission = { state: "queued", position: queue.indexOf(run) + 1 };
    } else if (queue.length < this.maxQueued()) {
      queue.push(run);
      this.saveQueue(queue);
      admission = { state: "queued", position: queue.length };
    } else {
      return { state: "full", running: Object.keys(leases).length, queued: queue.length };
    }
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + WATCH_MS);
    return admission;
  }

  position(run: string): number | null {
    const i = this.queue().indexOf(run);
    return i < 0 ? null : i + 1;
  }

  /** Extend a lease; a run whose lease ran out takes it again, even over the limit: it is already running. */
  renew(run: string): void {
    const leases = this.live();
    leases[run] = Date.now() + LEASE_MS;
    this.save(leases);
  }

  /** The run has ended: its lease, or its place in the queue, goes to the next in the queue. */
  async release(run: string): Promise<void> {
    this.drop(run);
    await this.promote();
  }

  active(): string[] {
    return Object.keys(this.live());
  }

  queued(): string[] {
    return this.queue();
  }

  /** The watchdog's round: admit into free places, then every running run checks itself; one that is gone gives its place back. */
  override async alarm(): Promise<void> {
    await this.promote();
    const runs = Object.keys(this.live());
    const found = await Promise.allSettled(runs.map((run) => runStub(this.env.RUN, run).admitted()));
    found.forEach((f, i) => {
      if (f.status === "fulfilled" && gone(f.value)) this.drop(runs[i]);
    });
    await this.promote();
    if (Object.keys(this.live()).length || this.queue().length) await this.ctx.storage.setAlarm(Date.now() + WATCH_MS);
  }

  /** Give free places to the queue, in order. A queued run that is gone is passed over. */
  private async promote(): Promise<void> {
    for (;;) {
      const leases = this.live();
      const queue = this.queue();
      if (!queue.length || Object.keys(leases).length >= this.maxRunning()) return;
      const run = queue.shift()!;
      leases[run] = Date.now() + LEASE_MS;
      this.save(leases);
      this.saveQueue(queue);
      // A run that did not hear (a transient error) is told again by the next round: it holds its lease meanwhile.
      const heard = await runStub(this.env.RUN, run)
        .admitted()
        .catch(() => null);
      if (heard !== null && gone(heard)) this.drop(run);
    }
  }

  private drop(run: string): void {
    const leases = this.live();
    delete leases[run];
    this.save(leases);
    this.saveQueue(this.queue().filter((r) => r !== run));
  }

  private maxRunning(): number {
    return Number(this.env.MAX_CONCURRENT_RUNS);
  }

  private maxQueued(): number {
    return Number(this.env.MAX_QUEUED_RUNS);
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

  private queue(): string[] {
    return this.ctx.storage.kv.get<string[]>("queue") ?? [];
  }

  private saveQueue(queue: string[]): void {
    this.ctx.storage.kv.put("queue", queue);
  }
}

/** The run has ended or never existed: it holds no place. */
const gone = (w: Watch): boolean => w === "missing" || w === "expired" || w === "ended" || w === "failed";
