// How the engine reaches its cores. Two implementations: in-process (all
// cores in one heap) and durable (one Durable Object per core). The window
// loop and the kernels are the same on both.
import type { Json } from "./event.ts";
import type { ChannelCounts } from "./conservation.ts";
import type { TraceRecord } from "./trace.ts";

export interface WindowReport {
  events: number;
  messages: number;
  /** Earliest arrival time of any pending event after the window, Infinity when none. */
  next: number;
  /** Windows this call ran, when the cores ran more than the one asked for (the durable transport's baton); 1 when left out. */
  windows?: number;
}

export interface CoreReport {
  core: number;
  /** The core's clock: when its last handler ended. */
  clock: number;
  events: number;
  messages: number;
  pending: number;
  hash: string;
  result: Json;
}

/** A core's report as the transport collects it: with its channel counts, which the simulation checks and leaves out of its outcome. */
export interface CollectedCore extends CoreReport {
  channels: ChannelCounts;
}

export interface Transport {
  /** Boot every core with its initial events; the earliest event time. */
  start(): Promise<number>;
  /**
   * Each core's earliest pending event, Infinity when none, between windows:
   * a lower bound (a message to a core busy past its arrival counts at its
   * arrival). The windows' bounds are cut from it.
   */
  readonly agenda: Float64Array;
  /**
   * Every core c handles its events that arrive before `bounds[c]`; messages
   * reach their destinations. In-process windows answer synchronously: a
   * promise per window would cost more than the window. The report may be
   * reused by the next call.
   */
  window(bounds: Float64Array): WindowReport | Promise<WindowReport>;
  /** Every core's report, in core order, and its trace records when they were kept. */
  collect(): Promise<{ cores: CollectedCore[]; trace: TraceRecord[][] | null }>;
}

/** The two transports a simulation runs on: every core in one heap, or one Durable Object per core. */
export const ENGINES = ["inproc", "durable"] as const;
export type EngineName = (typeof ENGINES)[number];
