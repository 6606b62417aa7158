// One run from boot to the end: the window loop over a transport, then every
// core's report, the run's hash and, when kept, its merged trace.
import type { System } from "./kernel.ts";
import { mergeTraces, runHash, type TraceRecord } from "./trace.ts";
import type { CoreReport, Transport } from "./transport.ts";
import { advance, NO_LIMITS, startLoop, type Limits, type LoopState, type StopReason } from "./window-loop.ts";
import { InProcessTransport } from "./inproc.ts";

export interface RunStats {
  events: number;
  messages: number;
  windows: number;
  /** The latest clock of any core when the run ended. */
  simulatedCycles: number;
  wallMs: number;
  stopped: StopReason;
}

export interface RunOutcome {
  stats: RunStats;
  hash: string;
  cores: CoreReport[];
  trace: TraceRecord[] | null;
}

export async function finish(t: Transport, loop: LoopState, wallMs: number): Promise<RunOutcome> {
  const { cores, trace } = await t.collect();
  return {
    stats: {
      events: loop.events,
      messages: loop.messages,
      windows: loop.windows,
      simulatedCycles: cores.reduce((m, c) => Math.max(m, c.clock), 0),
      wallMs,
      stopped: loop.stopped ?? "drained",
    },
    hash: runHash(cores.map((c) => c.hash)),
    cores,
    trace: trace ? mergeTraces(trace) : null,
  };
}

export async function runOn(t: Transport, lookahead: number, limits: Limits = NO_LIMITS): Promise<RunOutcome> {
  const t0 = performance.now();
  const loop = await advance(t, await startLoop(t), lookahead, limits);
  return finish(t, loop, performance.now() - t0);
}

/** Run a system on the in-process transport. */
export function runInProcess(system: System, opts: { trace?: boolean; limits?: Limits } = {}): Promise<RunOutcome> {
  return runOn(new InProcessTransport(system, opts.trace ?? false), system.lookahead, opts.limits);
}
