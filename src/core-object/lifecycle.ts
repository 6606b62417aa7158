// What the Run and the Simulation objects have in common, as partyserver's
// Server gives every room one lifecycle: a record kept in storage under one
// key; an object that must be reached by name, which is all it knows of
// itself; work done in bounded slices by alarm, a transient platform error
// retried with back-off and anything else ending it; ended once; and deleted
// RUN_RETENTION_SECONDS after it ended, by the same alarm.
//
// An object that drives itself by alarm depends on the alarm coming: one set
// from inside a running alarm for the same millisecond is the case suspected
// of being dropped, and the platform gives up on an alarm whose handler fails
// six times (an isolate reset each time, say). So every alarm is set later
// than the last one, and a watchdog (watch(), called by the Registry for the
// runs under way) resumes an object that has made no progress for STALL_MS,
// and fails it, with the reason, after MAX_RESUMES resumptions in vain: then
// it ends, and expires like any other.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { SimulationState, Watch } from "./protocol.ts";
import { Store } from "./store.ts";

export type Final = Extract<SimulationState, "done" | "failed" | "cancelled">;
const FINAL: readonly string[] = ["done", "failed", "cancelled"] satisfies Final[];

/** Slices that fail with a transient error in a row, before the object gives up. */
export const MAX_RETRIES = 5;

/** An object under way with no progress for this long has lost the alarm that drives it. Slices take seconds at most. */
export const STALL_MS = 60_000;
/** Resumptions without progress before the watchdog fails the object. */
export const MAX_RESUMES = 3;
/** How often the watchdog looks (the Registry's alarm, a waiting run() call). */
export const WATCH_MS = 30_000;

export interface LifecycleRecord {
  state: string;
  error: string | null;
  /** Transient failures retried in a row. */
  retries: number;
  /** When a slice last made progress, or the watchdog last resumed the object. */
  progressAt: number;
  /** Resumptions by the watchdog since the last progress. */
  resumes: number;
  /** The last alarm this object set (ms since the epoch). */
  alarmAt: number | null;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
}

/** A new record's lifecycle fields. */
export const newLifecycle = (now: number) => ({ error: null, retries: 0, progressAt: now, resumes: 0, alarmAt: null, createdAt: now, updatedAt: now, endedAt: null });



export abstract class Lifecycle<R extends LifecycleRecord> extends DurableObject<Env> {
  protected rec: R | null;
  /** Made on first use: asking after a name nothing was started under must leave no storage behind. */
  private docs: Store | null = null;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly key: string,
  ) {
    super(ctx, env);
    this.rec = ctx.storage.kv.get<R>(key) ?? null;
  }

  /** One slice of work, driven by alarm; it fails through failed(). */
  protected abstract advance(): Promise<void>;

  /** What ending does beyond the record and the retention alarm. */
  protected onEnd(_state: Final): Promise<void> | void {}

  /** What deletion does before the object's own storage goes. */
  protected onDestroy(): Promise<void> | void {}

  /** Whether the object advances by its own alarms now (the watchdog leaves the others alone). */
  protected abstract drivesItself(): boolean;

  override async alarm(): Promise<void> {
    // An alarm with no record is a leftover of an object that stored something else: clear it.
    if (!this.rec) return this.ctx.storage.deleteAll();
    // An alarm set to advance the object may fire after it ended: it deletes it only once it has expired.
    if (this.ended()) return Date.now() >= this.expiresAt() ? this.destroy() : this.setAlarm(this.expiresAt());
    await this.advance();
  }

  /**
   * The watchdog. An object that drives itself and has made no progress for
   * STALL_MS is resumed; after MAX_RESUMES resumptions without progress it
   * fails, saying so. An ended object past its retention is deleted.
   */
  async watch(): Promise<Watch> {
    const r = this.rec;
    if (!r) return "missing";
    const now = Date.now();
    if (this.ended()) {
      if (now < this.expiresAt()) return "ended";
      await this.destroy();
      return "expired";
    }
    if (!this.drivesItself()) return "waiting";
    const idle = now - (r.progressAt ?? r.updatedAt);
    if (idle < STALL_MS) return "ok";
    if ((r.resumes ?? 0) >= MAX_RESUMES) {
      await this.end("failed", `stalled: no progress for ${Math.round(idle / 1000)} s, though resumed ${r.resumes} times`);
      return "failed";
    }
    r.resumes = (r.resumes ?? 0) + 1;
    r.progressAt = now;
    this.persist();
    await this.continueLater();
    return "resumed";
  }

  /** Delete the object and everything it made. */
  async destroy(): Promise<void> {
    await this.onDestroy();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.rec = null;
    this.docs = null;
  }

  /** The name the object was reached by. */
  protected name(kind: string): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error(`a ${kind} must be reached by name: getByName(name)`);
    return name;
  }

  protected get store(): Store {
    return (this.docs ??= new Store(this.ctx.storage));
  }

  protected record(): R {
    if (!this.rec) throw new Error("nothing was started here: start() it first");
    return this.rec;
  }

  protected ended(): boolean {
    return FINAL.includes(this.record().state);
  }

  protected persist(): void {
    const r = this.record();
    r.updatedAt = Date.now();
    this.ctx.storage.kv.put(this.key, r);
  }

  protected expiresAt(): number {
    return this.record().endedAt! + Number(this.env.RUN_RETENTION_SECONDS) * 1000;
  }

  /** A slice made progress: the watchdog starts counting again. */
  protected progressed(): void {
    const r = this.record();
    r.progressAt = Date.now();
    r.resumes = 0;
  }

  /** Continue with the next slice: now, or after `delayMs`. */
  protected continueLater(delayMs = 0): Promise<void> {
    return this.setAlarm(Date.now() + delayMs);
  }

  /** Set the alarm, later than the last one set (which may be the one running now, set for this very millisecond). */
  private async setAlarm(at: number): Promise<void> {
    const r = this.record();
    r.alarmAt = Math.max(at, (r.alarmAt ?? 0) + 1);
    this.ctx.storage.kv.put(this.key, r);
    await this.ctx.storage.setAlarm(r.alarmAt);
  }

  /** A slice failed: a transient platform error is retried after a back-off, anything else ends the object. */
  protected async failed(e: unknown, transient: boolean): Promise<void> {
    const r = this.record();
    if (transient && r.retries < MAX_RETRIES) {
      r.retries++;
      this.persist();
      return this.continueLater(100 * 2 ** r.retries);
    }
    await this.end("failed", errorMessage(e));
  }

  protected async end(state: Final, error: string | null): Promise<void> {
    const r = this.record();
    r.state = state;
    r.error = error;
    r.endedAt = Date.now();
    this.persist();
    await this.setAlarm(this.expiresAt());
    await this.onEnd(state);
  }
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Errors worth another try: those the platform marks retryable, and a call to an object that was reset (it starts again from storage). */
export const isTransient = (e: unknown): boolean => {
  const x = e as { retryable?: boolean; durableObjectReset?: boolean } | null;
  return x?.retryable === true || x?.durableObjectReset === true;
};
