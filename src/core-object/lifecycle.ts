// What the Run and the Simulation objects have in common, as partyserver's
// Server gives every room one lifecycle: a record kept in storage under one
// key; an object that must be reached by name, which is all it knows of
// itself; work done in bounded slices by alarm, a transient platform error
// retried with back-off and anything else ending it; ended once; and deleted
// RUN_RETENTION_SECONDS after it ended, by the same alarm.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { SimulationState } from "./protocol.ts";
import { Store } from "./store.ts";

export type Final = Extract<SimulationState, "done" | "failed" | "cancelled">;
const FINAL: readonly string[] = ["done", "failed", "cancelled"] satisfies Final[];

/** Slices that fail with a transient error in a row, before the object gives up. */
const MAX_RETRIES = 5;

export interface LifecycleRecord {
  state: string;
  error: string | null;
  /** Transient failures retried in a row. */
  retries: number;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
}

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

  override async alarm(): Promise<void> {
    // An alarm with no record is a leftover of an object that stored something else: clear it.
    if (!this.rec) return this.ctx.storage.deleteAll();
    // An alarm set to advance the object may fire after it ended: it deletes it only once it has expired.
    if (this.ended()) return Date.now() >= this.expiresAt() ? this.destroy() : this.ctx.storage.setAlarm(this.expiresAt());
    await this.advance();
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

  /** Continue with the next slice: now, or after `delayMs`. */
  protected continueLater(delayMs = 0): Promise<void> {
    return this.ctx.storage.setAlarm(Date.now() + delayMs);
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
    await this.ctx.storage.setAlarm(this.expiresAt());
    await this.onEnd(state);
  }
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Errors the platform marks as worth another try (an object reset, an overloaded host). */
export const isTransient = (e: unknown): boolean => (e as { retryable?: boolean } | null)?.retryable === true;
