// What the Run and the Core objects say to each other. Everything here crosses
// a Durable Object boundary by structured clone: plain data, where Infinity
// means "no pending event".
import type { CoreReport, SimEvent, TraceRecord } from "../engine/index.ts";
import type { RunSpec } from "../experiments/experiment.ts";

/** How a run's cores behave; fixed when they boot. */
export interface CoreOptions {
  /** Keep trace records. */
  trace: boolean;
  /** Subtree roots any one object calls per operation (the barrier tree's fan-out). */
  fanout: number;
}

/** A window's messages from one core to another. */
export interface Batch {
  core: number;
  events: SimEvent[];
}

export interface CoreInit {
  runId: string;
  spec: RunSpec;
  options: CoreOptions;
}

/** The Durable Object name of a run's core. */
export const coreName = (runId: string, core: number): string => `${runId}/${core}`;

/** Durable Object calls an operation made below its caller. */
export interface Calls {
  total: number;
  /** The most calls one object made: subtree roots, plus deliveries in a window (at most twice the fan-out). */
  peak: number;
  /** The most subtree roots of the barrier one object called: the tree's fan-out as it was. */
  fanout: number;
  /** Levels of objects the operation went through. */
  depth: number;
}

export const NO_CALLS: Calls = { total: 0, peak: 0, fanout: 0, depth: 0 };

/** The calls of a subtree whose root called `roots` subtree roots and made `other` further calls. */
export function subtreeCalls(roots: number, other: number, below: Calls[]): Calls {
  return {
    total: below.reduce((s, c) => s + c.total, roots + other),
    peak: below.reduce((m, c) => Math.max(m, c.peak), roots + other),
    fanout: below.reduce((m, c) => Math.max(m, c.fanout), roots),
    depth: 1 + below.reduce((m, c) => Math.max(m, c.depth), 0),
  };
}

/** Calls of two operations together. */
export function addCalls(a: Calls, b: Calls): Calls {
  return {
    total: a.total + b.total,
    peak: Math.max(a.peak, b.peak),
    fanout: Math.max(a.fanout, b.fanout),
    depth: Math.max(a.depth, b.depth),
  };
}

/**
 * A core whose kernel failed (threw, or broke a bound of the run). It comes
 * back up the tree as data, not as an exception: exceptions are left to the
 * transport's own failures, which are worth retrying; a kernel's are not.
 */
export interface Failure {
  core: number;
  message: string;
}

export const isFailure = (x: object): x is Failure => "message" in x;

/** The failure of the lowest-numbered core, so the run's error does not depend on timing. */
export function firstFailure(fs: (Failure | null)[]): Failure | null {
  return fs.reduce<Failure | null>((a, f) => (f && (!a || f.core < a.core) ? f : a), null);
}

export interface BootSummary {
  /** (core, earliest pending event) pairs, flat. */
  next: number[];
  failure: Failure | null;
  calls: Calls;
}

/** What a subtree of cores answers for one window. */
export interface WindowSummary {
  events: number;
  messages: number;
  /**
   * (core, earliest pending event) pairs, flat, for every core that handled
   * the window; taken when the core finished, so it may miss messages other
   * cores were still sending it, which `sent` accounts for.
   */
  next: number[];
  /** (destination core, earliest arrival) pairs, flat, of the messages sent in the window. */
  sent: number[];
  failure: Failure | null;
  calls: Calls;
}

export interface CollectSummary {
  cores: CoreReport[];
  /** Each core's trace records in the order it made them, when the run keeps a trace. */
  traces: { core: number; records: TraceRecord[] }[] | null;
  calls: Calls;
}

/** One core as the API shows it. */
export interface CoreState {
  runId: string;
  core: number;
  /** The last window the core handled; -1 after boot. */
  window: number;
  clock: number;
  /** Its earliest pending event; null when none. */
  next: number | null;
  pending: number;
  events: number;
  messages: number;
  hash: string;
  /** The kernel's own summary (channels, replica) when it has one, else its full state. */
  kernel: unknown;
}
