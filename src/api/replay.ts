// A core as it stood at a moment of a finished simulation: the simulation
// replayed in-process from its plan up to that cycle. A simulation is
// deterministic (the same trace hash on either engine), so the replay is the
// run's own state, whichever engine ran it; the run's trace bounds its events.
import { InProcessTransport, SimulationLoop } from "../engine/index.ts";
import { EXPERIMENTS, type SimulationSpec } from "../experiments/index.ts";
import { TRACE_MAX_EVENTS, type CoreState } from "../core-object/protocol.ts";

export type ReplayedCore = Omit<CoreState, "simulation" | "window">;

/** Core `core` after every event that starts before cycle `at`, and none after. */
export async function replayCore(spec: SimulationSpec, core: number, at: number): Promise<ReplayedCore> {
  const system = EXPERIMENTS.systemFor(spec);
  const transport = new InProcessTransport(system);
  const loop = await SimulationLoop.start(transport, system.lookahead, { maxEvents: TRACE_MAX_EVENTS, maxCycles: at });
  await loop.advance();
  const rt = transport.cores[core];
  const next = rt.nextTime();
  return {
    core,
    clock: rt.clock,
    next: Number.isFinite(next) ? next : null,
    pending: rt.pending,
    events: rt.events,
    messages: rt.messages,
    hash: rt.hash,
    kernel: rt.kernel.summary ? rt.kernel.summary() : rt.kernel.snapshot(),
  };
}
