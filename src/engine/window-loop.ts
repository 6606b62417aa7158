// Conservative windows. Before each window every core gets a bound, the
// earliest time a message could still reach it (horizons.ts), and handles its
// events before it: no core receives a message in its past. Windows start at
// the next event, so empty stretches of time cost nothing. The loop's state
// is plain JSON so a Simulation object can advance it a bounded number of
// windows at a time.
import type { Horizons } from "./horizons.ts";
import type { Transport } from "./transport.ts";

export type StopReason = "drained" | "max-events" | "max-cycles";

export interface LoopState {
  /** Earliest pending event time; null when none (JSON has no Infinity). */
  next: number | null;
  windows: number;
  events: number;
  messages: number;
  stopped: StopReason | null;
}

export interface Limits {
  maxEvents: number;
  /** Events arriving at or after this time are not handled. */
  maxCycles: number;
}

export const NO_LIMITS: Limits = { maxEvents: Number.MAX_SAFE_INTEGER, maxCycles: Number.MAX_SAFE_INTEGER };

export async function startLoop(t: Transport): Promise<LoopState> {
  const next = await t.start();
  return { next: Number.isFinite(next) ? next : null, windows: 0, events: 0, messages: 0, stopped: next === Infinity ? "drained" : null };
}

/** How far one call of `advance` may go: windows, and events handled (the last window may pass the mark). */
export interface Budget {
  windows?: number;
  events?: number;
}

/** Advance within the budget; the state says whether the simulation has stopped. */
export async function advance(t: Transport, s: LoopState, horizons: Horizons, limits: Limits, budget: Budget = {}): Promise<LoopState> {
  const state = { ...s };
  const bounds = new Float64Array(horizons.cores);
  const maxWindows = budget.windows ?? Infinity;
  const until = state.events + (budget.events ?? Infinity);
  for (let w = 0; w < maxWindows && !state.stopped && state.events < until; w++) {
    const T = horizons.bounds(t.agenda, limits.maxCycles, bounds);
    if (T >= limits.maxCycles) {
      state.stopped = "max-cycles";
      break;
    }
    const pending = t.window(bounds);
    const r = pending instanceof Promise ? await pending : pending;
    state.next = Number.isFinite(r.next) ? r.next : null;
    state.windows += r.windows ?? 1;
    state.events += r.events;
    state.messages += r.messages;
    state.stopped = r.next === Infinity ? "drained" : state.events >= limits.maxEvents ? "max-events" : null;
  }
  return state;
}
