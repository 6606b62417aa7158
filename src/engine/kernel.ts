// The contract between the engine and the simulated kernel it runs. The
// engine knows nothing of CPU drivers or monitors: it hands each event to the
// core's kernel with a context, and the kernel charges cycles and sends.
import { EventClass, type Json, type SimEvent } from "./event.ts";

/** What a handler may do while it runs on its core. */
export interface Context {
  readonly core: number;
  /** The core's clock inside the handler: its start plus the cycles charged so far. */
  readonly now: number;
  /** Keep the core busy for more cycles. */
  charge(cycles: number): void;
  /** A message to another core, arriving `delay` cycles from now (at least the lookahead). */
  send(dst: number, kind: string, data: Json, delay: number, cls?: EventClass): void;
  /** An event for this core itself, `delay` cycles from now. */
  after(delay: number, kind: string, data: Json, cls?: EventClass): void;
}

/** One core's kernel: handles its events; its state is plain JSON so a core can be persisted and resumed. */
export interface Kernel {
  handle(event: SimEvent, ctx: Context): void;
  snapshot(): Json;
  /** What this core measured, collected when the run ends. */
  result(): Json;
  /** A short account of the core's state for people (channels, replica); the snapshot when absent. */
  summary?(): Json;
}

/** A booted machine as the engine sees it: how many cores, how to make their kernels, what starts the run. */
export interface System {
  readonly cores: number;
  /** No message between two cores arrives sooner than this many cycles after it is sent. */
  readonly lookahead: number;
  boot(core: number): Kernel;
  restore(core: number, state: Json): Kernel;
  /** Events a core has in its queue at boot. */
  initial(core: number): SimEvent[];
}

export { EventClass };
