// One simulation from boot to the end: the window loop over a transport, then
// every core's report, the simulation's hash and, when kept, its merged trace.
import type { System } from "./kernel.ts";
import { mergeTraces, simulationHash, type TraceRecord } from "./trace.ts";
import { checkConservation } from "./conservation.ts";
import type { CoreReport, Transport } from "./transport.ts";
import { advance, NO_LIMITS, startLoop, type Limits, type LoopState, type StopReason } from "./window-loop.ts";
import { InProcessTransport } from "./inproc.ts";
import { Horizons, type Lookahead, type WindowRule } from "./horizons.ts";

export interface SimulationStats {
  events: number;
  messages: number;
  windows: number;
  /** The latest clock of any core when the simulation ended. */
  simulatedCycles: number;
  wallMs: number;
  stopped: StopReason;
}

export interface SimulationOutcome {
  stats: SimulationStats;
  hash: string;
  cores: CoreReport[];
  trace: TraceRecord[] | null;
}

/** Every core's report, the hash and the trace; a simulation that has drained must have delivered every message it sent, exactly once. */
export async function finish(t: Transport, loop: LoopState, wallMs: number): Promise<SimulationOutcome> {
  const collected = await t.collect();
  if (loop.stopped === "drained") checkConservation(collected.cores);
  const cores = collected.cores.map(({ channels: _, ...report }) => report);
  const { trace } = collected;
  return {
    stats: {
      events: loop.events,
      messages: loop.messages,
      windows: loop.windows,
      simulatedCycles: cores.reduce((m, c) => Math.max(m, c.clock), 0),
      wallMs,
      stopped: loop.stopped ?? "drained",
    },
    hash: simulationHash(cores.map((c) => c.hash)),
    cores,
    trace: trace ? mergeTraces(trace) : null,
  };
}

/**
 * How a long advance shares the object it runs in: it handles events in
 * chunks and pauses between them, so that the object answers requests while
 * it works, and ends at the first pause past a wall-time deadline. (On
 * Workers the clock stands still while code computes and moves on at a
 * pause, so the deadline is looked at after each pause.)
 */
export interface Slice {
  /** Events handled between two pauses (the last window of a chunk may pass it). */
  chunk: number;
  /** The slice ends once this many more events are handled. */
  events: number;
  /** ... or at the first pause after clock() reaches this. */
  deadline: number;
  clock(): number;
  /** Between two chunks; false ends the slice (the object was told to stop meanwhile). */
  pause(): Promise<boolean>;
}

/**
 * A simulation advanced in slices over any transport: to the end for the CLI
 * and the tests, a bounded number of events per invocation inside a Durable
 * Object, so the object keeps answering.
 */
export class SimulationLoop {
  private constructor(
    private readonly transport: Transport,
    private readonly horizons: Horizons,
    private readonly limits: Limits,
    private state: LoopState,
    private readonly startedAt: number,
  ) {}

  static async start(t: Transport, lookahead: Lookahead, limits: Limits = NO_LIMITS, rule?: WindowRule): Promise<SimulationLoop> {
    return new SimulationLoop(t, new Horizons(lookahead, t.agenda.length, rule), limits, await startLoop(t), performance.now());
  }

  get loop(): Readonly<LoopState> {
    return this.state;
  }

  /** Handle windows until at least `events` more events are handled, or the simulation stops. */
  async advance(events = Infinity): Promise<Readonly<LoopState>> {
    this.state = await advance(this.transport, this.state, this.horizons, this.limits, { events });
    return this.state;
  }

  /** Advance by one slice: chunks of events with a pause between them, until the slice's events or its deadline. */
  async advanceSlice(s: Slice): Promise<Readonly<LoopState>> {
    const until = this.state.events + s.events;
    for (;;) {
      await this.advance(Math.min(s.chunk, until - this.state.events));
      if (this.state.stopped || this.state.events >= until) return this.state;
      if (!(await s.pause()) || s.clock() >= s.deadline) return this.state;
    }
  }

  /** Every core's report, once it has stopped. */
  finish(): Promise<SimulationOutcome> {
    if (!this.state.stopped) throw new Error("the simulation has not stopped");
    return finish(this.transport, this.state, performance.now() - this.startedAt);
  }
}

/** Simulate to the end over a transport. */
export async function simulate(t: Transport, lookahead: Lookahead, limits: Limits = NO_LIMITS, rule?: WindowRule): Promise<SimulationOutcome> {
  const s = await SimulationLoop.start(t, lookahead, limits, rule);
  await s.advance();
  return s.finish();
}

/** Simulate a system to the end on the in-process transport; `windows` picks the window rule (horizons.ts). */
export function simulateInProcess(system: System, opts: { trace?: boolean; limits?: Limits; windows?: WindowRule } = {}): Promise<SimulationOutcome> {
  return simulate(new InProcessTransport(system, opts.trace ?? false), system.lookahead, opts.limits, opts.windows);
}
