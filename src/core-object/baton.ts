// The barrier passed from core to core. A window the Simulation starts is a
// round trip to it, and the next needs more calls from it, though one core's
// messages often make the next window's cores due (a message and its answer
// going back and forth, acknowledgements coming in one by one, a multicast's
// first hop). Instead the Simulation hands the first core due a baton: every
// core's earliest pending event (the agenda) and the loop's limits; that core
// starts the other cores due through its barrier tree, and once their windows
// are done (their messages to it arrive after its bound) runs its own. The
// core holding the baton works out the next window as the Simulation would:
// the agenda with every part of the window (each due core's next event, then
// its messages' arrivals), cut by the same horizons, and starts it:
//   - one core due, another: the baton goes to it, in the call that delivers
//     its messages if the holder sent it any, else in a call of its own;
//   - several due: the holder keeps the baton; it runs its own window if it
//     is due, starts the cores its messages of the window go to in those
//     deliveries, and calls the others through the barrier tree, as the
//     Simulation would;
//     once their windows are done (the calls return their reports, after
//     their own messages landed) and its own, it has the whole window.
// So the windows, their bounds and the results are the ones the Simulation
// would have run; a window due at the destinations of the holder's messages
// costs no call of its own, and no window costs more calls than it would from
// the Simulation.
import { Horizons, type System, type WindowRule } from "../engine/index.ts";
import type { Baton, WindowPart } from "./protocol.ts";

/**
 * Windows one baton runs after the one the Simulation started. Each baton
 * passed on nests one more call inside the Simulation's, so this bounds a
 * chain of calls to 8 + 3 levels (the design keeps call depth bounded); at 8
 * the Simulation's round trip is paid once per 9 windows.
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
 * The agenda after a window from its parts (the reports of the cores that
 * handled it, alone or summed over a subtree): each core's own next event,
 * then every message's earliest arrival (a message to a core also due lowers
 * what that core reported, whatever the order).
 */
export function agendaAfter(agenda: Float64Array, parts: readonly Pick<WindowPart, "next" | "sent">[]): void {
  for (const p of parts) for (let i = 0; i < p.next.length; i += 2) agenda[p.next[i]] = p.next[i + 1];
  for (const p of parts) for (let i = 0; i < p.sent.length; i += 2) if (p.sent[i + 1] < agenda[p.sent[i]]) agenda[p.sent[i]] = p.sent[i + 1];
}

/** The next window after one whose parts are `parts`; null when the simulation stops there (drained, a limit reached) or the baton has run its windows. */
export function passOn(baton: Baton, horizons: Horizons, parts: readonly WindowPart[]): Pass | null {
  if (baton.windows <= 0) return null;
  const eventsLeft = parts.reduce((n, p) => n - p.events, baton.eventsLeft);
  if (eventsLeft <= 0) return null;
  const agenda = Float64Array.from(baton.agenda);
  agendaAfter(agenda, parts);
  const bounds = new Float64Array(agenda.length);
  const T = horizons.bounds(agenda, baton.maxCycles, bounds);
  if (T === Infinity || T >= baton.maxCycles) return null;
  const due: Due[] = [];
  for (let c = 0; c < agenda.length; c++) if (agenda[c] < bounds[c]) due.push({ core: c, bound: bounds[c] });
  return { due, baton: { ...baton, agenda, eventsLeft, windows: baton.windows - 1 } };
}

/** How the holder starts the cores due next. */
export interface Starts {
  /** Its own window, when it is due. */
  self: Due | null;
  /** Cores its messages of the window go to, started in those deliveries. */
  delivered: Due[];
  /** The others, called through the barrier tree. */
  called: Due[];
  /** Whether the baton goes on to the one core due, another. */
  moves: boolean;
}

/**
 * How `holder`, whose messages of the window went where `sent` says, starts
 * the window `pass` cuts. It calls at most `fanout` others besides the tree
 * that delivers its messages: so it starts cores in its deliveries only
 * while the others due number no more than the fan-out, and calls every one
 * through the barrier tree otherwise.
 */
export function startsOf(pass: Pass, holder: number, sent: readonly number[], fanout: number): Starts {
  const others = pass.due.filter((d) => d.core !== holder);
  const to = new Set<number>();
  if (others.length <= fanout) for (let i = 0; i < sent.length; i += 2) to.add(sent[i]);
  return {
    self: pass.due.find((d) => d.core === holder) ?? null,
    delivered: others.filter((d) => to.has(d.core)),
    called: others.filter((d) => !to.has(d.core)),
    moves: others.length === 1 && pass.due.length === 1,
  };
}

const horizonsByRule = new WeakMap<System, Map<WindowRule, Horizons>>();

/** A booted system's horizons under a rule, made once per isolate (the cores of a simulation that share an isolate share its system). */
export function horizonsOf(system: System, rule: WindowRule): Horizons {
  let byRule = horizonsByRule.get(system);
  if (!byRule) horizonsByRule.set(system, (byRule = new Map()));
  let h = byRule.get(rule);
  if (!h) byRule.set(rule, (h = new Horizons(system.lookahead, system.cores, rule)));
  return h;
}
