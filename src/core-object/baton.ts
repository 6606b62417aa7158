// The barrier passed from core to core. While one core at a time has events
// in a window (a message and its answer going back and forth, acknowledgements
// coming in one by one), a window is a round trip to the Simulation for one
// core's work, and then a second call, the delivery, to start the next one.
// Instead the Simulation hands that core a baton: every core's earliest
// pending event (the agenda) and the loop's limits. The core holding it works
// out the next window as the Simulation would: the agenda with every report
// of the window (each due core's next event, then its messages' arrivals), cut
// by the same horizons. It goes on while every core due next is the holder or
// one that its messages of the window go to:
//   - one core due, another: the baton goes to it, in the call that delivers
//     its messages (it starts the window there and holds the baton after);
//   - the holder due alone: it runs the window itself;
//   - several due (a multicast's destinations, say): the holder keeps the
//     baton and starts each of the others in its delivery; once their
//     windows are done (their calls return their reports, after their own
//     messages landed) and its own, it has the whole window and goes on.
// So the windows, their bounds and the results are the ones the Simulation
// would have run, and a window due at the destinations of the last costs no
// call of its own.
import { Horizons, type System, type WindowRule } from "../engine/index.ts";
import type { Baton, PassedWindow } from "./protocol.ts";

/**
 * Windows one baton runs after the one the Simulation started. Each baton
 * passed on in a delivery nests one more call inside the Simulation's, so
 * this bounds a chain of calls to 8 + 3 levels (the design keeps call depth
 * bounded); at 8 the Simulation's round trip is paid once per 9 windows.
 */
export const BATON_WINDOWS = 8;

/** A core due in the next window, and its bound. */
export interface Due {
  core: number;
  bound: number;
}

/** The next window of a baton: the cores due in it, in core order. */
export interface Pass {
  due: Due[];
  baton: Baton;
}

/**
 * The agenda after a window from the reports of every core that handled it:
 * each one's own next event, then every message's earliest arrival (a message
 * to a core also due lowers what that core reported, whatever the order).
 */
export function agendaAfter(agenda: Float64Array, reports: readonly Pick<PassedWindow, "core" | "next" | "sent">[]): void {
  for (const r of reports) agenda[r.core] = r.next;
  for (const r of reports) for (let i = 0; i < r.sent.length; i += 2) if (r.sent[i + 1] < agenda[r.sent[i]]) agenda[r.sent[i]] = r.sent[i + 1];
}

/**
 * Where the baton goes after a window: `reports`, every report of it (the
 * holder's among them when it was due). Null when the simulation stops there
 * (drained, a limit reached), or when a core due next is neither the holder
 * nor one its messages of the window go to (the Simulation starts that window
 * itself).
 */
export function passOn(baton: Baton, horizons: Horizons, reports: readonly PassedWindow[], holder: number): Pass | null {
  if (baton.windows <= 0) return null;
  const eventsLeft = reports.reduce((n, r) => n - r.events, baton.eventsLeft);
  if (eventsLeft <= 0) return null;
  const agenda = Float64Array.from(baton.agenda);
  agendaAfter(agenda, reports);
  const bounds = new Float64Array(agenda.length);
  const T = horizons.bounds(agenda, baton.maxCycles, bounds);
  if (T === Infinity || T >= baton.maxCycles) return null;
  const sent = reports.find((r) => r.core === holder)?.sent ?? [];
  const due: Due[] = [];
  for (let c = 0; c < agenda.length; c++) {
    if (!(agenda[c] < bounds[c])) continue;
    if (c !== holder && !sentTo(sent, c)) return null;
    due.push({ core: c, bound: bounds[c] });
  }
  return { due, baton: { ...baton, agenda, eventsLeft, windows: baton.windows - 1 } };
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
