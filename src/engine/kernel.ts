// The contract between the engine and the simulated kernel it runs. The
// engine knows nothing of CPU drivers or monitors: it hands each event to the
// core's kernel with a context, and the kernel charges cycles and sends.
//
// Time is one global unit for every core: cycles of the machine's reference
// clock. A kernel charges its own work in cycles of its core's clock, which
// may differ from core to core (a heterogeneous machine); the kernel tells
// the engine what they come to in global time (Kernel.time). Delays (a
// message's, a timer's) and stalls are global time already.
import { EventClass, type Json, type SimEvent } from "./event.ts";
import type { Lookahead } from "./horizons.ts";

/** What a handler may do while it runs on its core. */
export interface Context {
  readonly core: number;
  /** The core's clock inside the handler: its start plus the cycles charged so far. */
  readonly now: number;
  /** When the CPU is next free: the end of the handler under way, or of the last one. */
  readonly cpuFreeAt: number;
  /** Keep the core busy for `cycles` of its own clock: work it does (not from a hardware event). */
  charge(cycles: number): void;
  /** Keep the core busy for `cycles` of global time: a wait on something outside it (an APIC, the interconnect) that its clock does not speed up (not from a hardware event). */
  stall(cycles: number): void;
  /** A message to another core, arriving `delay` cycles from now (at least the lookahead between the two); its sequence number. */
  send(dst: number, kind: string, data: Json, delay: number, cls?: EventClass): number;
  /** An event for this core itself, `delay` cycles from now; its sequence number. */
  after(delay: number, kind: string, data: Json, cls?: EventClass): number;
  /**
   * A message for the CPU that reached this core through the memory system
   * (another core's write, read here now): it keeps the identity of the event
   * that sent it, `src` and `seq`, so the trace draws it from its sender.
   */
  arrive(kind: string, data: Json, src: number, seq: number): void;
  /** A span for the trace only (a transaction at a home, say): it changes nothing of the run. */
  annotate(name: string, start: number, end: number, args: Json): void;
}

/** One core's kernel: handles its events; its state is plain JSON so a core can be persisted and resumed. */
export interface Kernel {
  handle(event: SimEvent, ctx: Context): void;
  snapshot(): Json;
  /** What this core measured, collected when the run ends. */
  result(): Json;
  /** A short account of the core's state for people (channels, replica); the snapshot when absent. */
  summary?(): Json;
  /** The global time that `cycles` of this core's clock take, an integer; the identity when absent (a core at the reference clock). */
  time?(cycles: number): number;
}

/** A booted machine as the engine sees it: how many cores, how to make their kernels, what starts the run. */
export interface System {
  readonly cores: number;
  /** No message between two cores arrives sooner than this many cycles after it is sent: one figure, or per pair of core groups. */
  readonly lookahead: Lookahead;
  boot(core: number): Kernel;
  restore(core: number, state: Json): Kernel;
  /** Events a core has in its queue at boot. */
  initial(core: number): SimEvent[];
}

export { EventClass };
