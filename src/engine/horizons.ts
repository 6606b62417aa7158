// How far each core may go in a window: conservative PDES's earliest input
// time (Chandy and Misra; Fujimoto, "Parallel and Distributed Simulation
// Systems", 2000, ch. 3). A core may handle its events up to the earliest
// time any message could still reach it. Every message between two cores takes
// at least the lag between them (the machine's distance matrix, from the
// cache-line model: Lookahead), and a core sends only from a handler, which
// runs no sooner than its next pending event. So nothing reaches core c
// before
//   - min over other cores d of (next(d) + lag(d, c)): d sends to c, or d
//     sends to e which sends on to c (no shorter than lag(d, c) once the lags
//     are closed under the triangle inequality), or
//   - next(c) + the shortest round trip from c: c itself sends, and the answer
//     comes back, which bounds a core that only waits for replies.
// Messages sent in earlier windows are already in their destinations'
// queues, so their arrivals are in next(). The cores are grouped (a package
// per group on a kernel system): the lag depends on the groups only, so a
// window costs one pass over the cores and one over pairs of busy groups.
//
// The global window ("global") is the rule this replaced, kept to measure
// against: every core goes up to T + L, T the earliest pending event of all
// and L the smallest lag of the machine.

/**
 * Lags as groups of cores: `between[a * groups + b]` is the least delay of a
 * message from a core of group a to another core of group b, null when none
 * ever sends one. Plain JSON.
 */
export interface LagTable {
  groups: number;
  /** Each core's group. */
  group: number[];
  between: (number | null)[];
}

/** No message between two cores arrives sooner than this: one figure for every pair, or per pair of groups. */
export type Lookahead = number | LagTable;

export type WindowRule = "horizons" | "global";
export const WINDOW_RULES: readonly WindowRule[] = ["horizons", "global"];

/** The lag table of a lookahead over `cores` cores: a single figure is one group. */
export function lagTable(l: Lookahead, cores: number): LagTable {
  if (typeof l === "number") return { groups: 1, group: new Array<number>(cores).fill(0), between: [l] };
  if (l.group.length !== cores) throw new RangeError(`lookahead: ${l.group.length} cores grouped, the system has ${cores}`);
  if (l.between.length !== l.groups * l.groups) throw new RangeError(`lookahead: ${l.between.length} lags for ${l.groups} groups`);
  return l;
}

/** The least delay of any message from core `src` to core `dst` (src !== dst); Infinity when it sends none. */
export function lagOf(t: LagTable, src: number, dst: number): number {
  return t.between[t.group[src] * t.groups + t.group[dst]] ?? Infinity;
}

/** The smallest lag between any two cores: the global window's L. */
export function smallestLag(l: Lookahead): number {
  if (typeof l === "number") return l;
  let min = Infinity;
  for (const x of l.between) if (x !== null && x < min) min = x;
  return min;
}

const closures = new WeakMap<LagTable, { lag: Float64Array; roundTrip: Float64Array }>();

/** The lags closed under the triangle inequality, and each group's round trip: cubic in the groups, so made once per table. */
function closure(t: LagTable): { lag: Float64Array; roundTrip: Float64Array } {
  let c = closures.get(t);
  if (c) return c;
  if (!t.between.every((x) => x === null || (Number.isInteger(x) && x >= 1))) throw new RangeError("lookahead: every lag must be an integer >= 1 cycle, or null");
  const g = t.groups;
  const d = Float64Array.from(t.between, (x) => x ?? Infinity);
  // Floyd-Warshall.
  for (let k = 0; k < g; k++) {
    for (let i = 0; i < g; i++) {
      const ik = d[i * g + k];
      if (ik === Infinity) continue;
      for (let j = 0; j < g; j++) if (ik + d[k * g + j] < d[i * g + j]) d[i * g + j] = ik + d[k * g + j];
    }
  }
  const roundTrip = new Float64Array(g).fill(Infinity);
  for (let i = 0; i < g; i++) for (let k = 0; k < g; k++) roundTrip[i] = Math.min(roundTrip[i], d[i * g + k] + d[k * g + i]);
  closures.set(t, (c = { lag: d, roundTrip }));
  return c;
}

export class Horizons {
  private readonly g: number;
  private readonly group: Int32Array;
  /** The lags closed under the triangle inequality (Floyd-Warshall): no chain of messages is shorter than its ends' entry. */
  private readonly lag: Float64Array;
  /** Each group's shortest round trip: out to any core and back. */
  private readonly roundTrip: Float64Array;
  private readonly smallest: number;
  // Scratch per window, by group: the earliest and second earliest next event, the core of the earliest, and the busy groups.
  private readonly first: Float64Array;
  private readonly second: Float64Array;
  private readonly firstCore: Int32Array;
  private readonly inbound: Float64Array;
  private readonly busy: Int32Array;

  constructor(
    lookahead: Lookahead,
    readonly cores: number,
    readonly rule: WindowRule = "horizons",
  ) {
    const t = lagTable(lookahead, cores);
    const g = (this.g = t.groups);
    this.group = Int32Array.from(t.group);
    this.smallest = smallestLag(lookahead);
    ({ lag: this.lag, roundTrip: this.roundTrip } = closure(t));
    this.first = new Float64Array(g);
    this.second = new Float64Array(g);
    this.firstCore = new Int32Array(g);
    this.inbound = new Float64Array(g);
    this.busy = new Int32Array(g);
  }

  /**
   * Each core's bound for the next window into `out`, from every core's
   * earliest pending event (`next`, a lower bound will do; Infinity when
   * none), capped at `limit`. Returns the earliest pending event of all.
   * Cores with none get no bound.
   */
  bounds(next: Float64Array, limit: number, out: Float64Array): number {
    const n = this.cores;
    let T = Infinity;
    for (let c = 0; c < n; c++) if (next[c] < T) T = next[c];
    if (this.rule === "global") {
      out.fill(Math.min(T + this.smallest, limit));
      return T;
    }
    const { g, group, lag, first, second, firstCore, inbound, busy } = this;
    first.fill(Infinity);
    second.fill(Infinity);
    for (let c = 0; c < n; c++) {
      const t = next[c];
      if (t === Infinity) continue;
      const q = group[c];
      if (t < first[q]) {
        second[q] = first[q];
        first[q] = t;
        firstCore[q] = c;
      } else if (t < second[q]) second[q] = t;
    }
    let nb = 0;
    for (let q = 0; q < g; q++) if (first[q] < Infinity) busy[nb++] = q;
    // Only busy groups have events to handle, and only busy groups send.
    for (let i = 0; i < nb; i++) {
      const p = busy[i];
      let earliest = Infinity;
      for (let j = 0; j < nb; j++) {
        const q = busy[j];
        if (q !== p && first[q] + lag[q * g + p] < earliest) earliest = first[q] + lag[q * g + p];
      }
      inbound[p] = earliest;
    }
    for (let c = 0; c < n; c++) {
      const t = next[c];
      if (t === Infinity) continue;
      const p = group[c];
      const mates = firstCore[p] === c ? second[p] : first[p];
      out[c] = Math.min(inbound[p], mates + lag[p * g + p], t + this.roundTrip[p], limit);
    }
    return T;
  }
}
