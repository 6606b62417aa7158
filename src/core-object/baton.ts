// The barrier passed from core to core. While one core at a time has events
// in a window (a message and its answer going back and forth, acknowledgements
// coming in one by one), a window is a round trip to the Simulation for one
// core's work, and then a second call, the delivery, to start the next one.
// Instead the Simulation hands that core a baton: every core's earliest
// pending event (the agenda) and the loop's limits. After its window the core
// works out the next window as the Simulation would: the agenda with its own
// next event and its messages' arrivals, cut by the same horizons. When one
// core alone is due in it, and that core is itself or one its messages go to,
// the core runs it itself or starts it in the call that delivers those
// messages. So the windows, their bounds and the results are the ones the
// Simulation would have run, with one call per window instead of two.
import { Horizons, type System, type WindowRule } from "../engine/index.ts";
import type { Baton, PassedWindow } from "./protocol.ts";

/**
 * Windows one baton runs after the one the Simulation started. Each window
 * passed on in a delivery nests one more call inside the Simulation's, so
 * this bounds a chain of calls to 8 + 3 levels (the design keeps call depth
 * bounded); at 8 the Simulation's round trip is paid once per 9 windows.
 */
export const BATON_WINDOWS = 8;

/** The next window of a baton: the one core due in it and its bound. */
export interface Pass {
  core: number;
  bound: number;
  baton: Baton;
}

/** The agenda after a window that one core handled: its own next event, and its messages' earliest arrivals. */
export function agendaAfter(agenda: Float64Array, w: Pick<PassedWindow, "core" | "next" | "sent">): void {
  agenda[w.core] = w.next;
  for (let i = 0; i < w.sent.length; i += 2) if (w.sent[i + 1] < agenda[w.sent[i]]) agenda[w.sent[i]] = w.sent[i + 1];
}

/**
 * Where the baton goes after `w`, the window its core just handled: null when
 * the simulation stops there (drained, a limit reached), when more than one
 * core is due next, or when the one due is a core `w` sent nothing to (the
 * Simulation starts that window itself).
 */
export function passOn(baton: Baton, horizons: Horizons, w: PassedWindow): Pass | null {
  if (baton.windows <= 0) return null;
  const eventsLeft = baton.eventsLeft - w.events;
  if (eventsLeft <= 0) return null;
  const agenda = Float64Array.from(baton.agenda);
  agendaAfter(agenda, w);
  const bounds = new Float64Array(agenda.length);
  const T = horizons.bounds(agenda, baton.maxCycles, bounds);
  if (T === Infinity || T >= baton.maxCycles) return null;
  let due = -1;
  for (let c = 0; c < agenda.length; c++) {
    if (!(agenda[c] < bounds[c])) continue;
    if (due >= 0) return null;
    due = c;
  }
  if (due !== w.core && !sentTo(w.sent, due)) return null;
  return { core: due, bound: bounds[due], baton: { ...baton, agenda, eventsLeft, windows: baton.windows - 1 } };
}

const sentTo = (sent: number[], core: number): boolean => {
  for (let i = 0; i < sent.length; i += 2) if (sent[i] === core) return true;
  return false;
};

const horizonsByRule = new WeakMap<System, Map<WindowRule, Horizons>>();

/** A booted system's horizons under a rule, made once per isolate (the cores of a simulation that share an isolate share its system). */
export function horizonsOf(system: System, rule: WindowRule): Horizons {
  let byRule = horizonsByRule.get(system);
  if (!byRule) horizonsByRule.set(system, (byRule = new Map()));
  let h = byRule.get(rule);
  if (!h) byRule.set(rule, (h = new Horizons(system.lookahead, system.cores, rule)));
  return h;
}
