// The facts the SKB derives from a machine: its cores, packages, dies and
// their clocks, shared caches, interconnect links and hop counts, and the round trip of a message
// between every ordered pair of cores (from the cost model, or measured values
// a run supplies).
//
// Round trips scale as n^2: 1M pairs on 1024 cores, far too many clauses for
// tau-prolog (about 6 us to add each, and it indexes the first argument only).
// So they are rows: rtt_row(A, Row) gives core A a compound term
// row(C1, ..., Ck) and rtt_slot(B, I) says which entry holds B, read with
// arg/3 in O(1). Two shapes, chosen per machine:
//  - per package, when every core of package P has the same round trip to
//    every other core of package Q (always so under the cost model when a
//    package has at most one shared cache and one clock: the AMD presets, the
//    synthetic machines): one row per package, shared by its cores; slots are
//    package positions. 1024 cores in packages of 4 cost 256 rows of 256 entries.
//  - per core otherwise (intel-2x4's two L2s per package, measured values):
//    one row per core, slot = core id + 1.
// Either way rtt(A, B, C) answers for any pair, and equal numbers share one
// term object, so a row costs a pointer per entry. Hop counts are rows too.
import { CostModel, type Machine } from "../hwmodel/index.ts";
import { SkbFieldError } from "./errors.ts";

/** A Prolog term as data: a number, an atom (a string), a list, or a compound term. */
export type PlTerm = number | string | readonly PlTerm[] | Compound;

export interface Compound {
  readonly functor: string;
  readonly args: readonly PlTerm[];
}

export interface Fact {
  readonly name: string;
  readonly args: readonly PlTerm[];
}

/**
 * Round trips (cycles, a -> b -> a) that replace the cost model's, e.g. measured
 * by a run: a function of the two cores, or an n x n matrix (diagonal ignored).
 */
export type RttOverride = ((a: number, b: number) => number) | readonly (readonly number[])[];

/** The round trip of every ordered pair of distinct cores, checked. */
export function roundTrips(machine: Machine, override?: RttOverride): (a: number, b: number) => number {
  const n = machine.numCores;
  if (override === undefined) {
    const cost = new CostModel(machine);
    return (a, b) => cost.roundTrip(a, b);
  }
  if (typeof override === "function") {
    return (a, b) => {
      const v = override(a, b);
      if (!Number.isFinite(v) || v < 0) throw new SkbFieldError(`rtt(${a},${b})`, `must be a finite number >= 0, got ${v}`);
      return v;
    };
  }
  if (override.length !== n) throw new SkbFieldError("rtt", `must have ${n} rows (one per core), has ${override.length}`);
  override.forEach((row, a) => {
    if (row.length !== n) throw new SkbFieldError(`rtt[${a}]`, `must have ${n} columns, has ${row.length}`);
    row.forEach((v, b) => {
      if (a !== b && (!Number.isFinite(v) || v < 0)) throw new SkbFieldError(`rtt[${a}][${b}]`, `must be a finite number >= 0, got ${v}`);
    });
  });
  return (a, b) => override[a][b];
}

const row = (values: ArrayLike<number>): Compound => ({ functor: "row", args: Array.from(values) });

/**
 * One row per package of the round trip shared by all its core pairs, or
 * null if some pair of packages has mixed values. When the round trips come
 * from the topology, two cores of different packages cost what any other two
 * of those packages cost (no cache spans packages), so one pair stands for
 * them all and only pairs within a package need checking: O(n * cores per
 * package) rather than O(n^2).
 */
function packageRows(m: Machine, rtt: (a: number, b: number) => number, fromTopology: boolean): number[][] | null {
  const rows: number[][] = [];
  // A core's clock prices its end of the round trip: one pair stands for two packages only if each has one clock.
  const oneClock = m.packageCores.map((cores) => cores.every((c) => m.corePeriod[c] === m.corePeriod[cores[0]]));
  for (const [i, from] of m.packageCores.entries()) {
    const r: number[] = [];
    for (const [j, to] of m.packageCores.entries()) {
      let v = Number.NaN;
      const sample = fromTopology && from !== to && oneClock[i] && oneClock[j];
      for (const a of sample ? from.slice(0, 1) : from) {
        for (const b of sample ? to.slice(0, 1) : to) {
          if (a === b) continue;
          const x = rtt(a, b);
          if (Number.isNaN(v)) v = x;
          else if (x !== v) return null;
        }
      }
      r.push(Number.isNaN(v) ? 0 : v); // NaN: a one-core package has no pair with itself
    }
    rows.push(r);
  }
  return rows;
}

export function machineFacts(machine: Machine, override?: RttOverride): Fact[] {
  const m = machine;
  const n = m.numCores;
  const ids = m.packageIds;
  const d = m.description;
  const facts: Fact[] = [];
  const fact = (name: string, ...args: PlTerm[]) => facts.push({ name, args });

  fact("machine", m.name, n, m.numPackages, m.clockGHz, m.interconnect);
  fact("rtt_source", override ? "override" : m.measured ? "measured" : "model");
  for (let c = 0; c < n; c++) fact("core", c);
  ids.forEach((p, i) => {
    fact("package", p);
    fact("package_index", p, i + 1);
    fact("package_cores", p, m.packageCores[i]);
  });
  for (let c = 0; c < n; c++) {
    fact("core_package", c, ids[m.corePackage[c]]);
    fact("core_die", c, m.coreDie[c]);
  }
  // Which of a package's cores is fittest to forward for it (rules.ts, forwarder/2): the fastest, the lowest of equals.
  ids.forEach((p, i) => {
    const byClock = [...m.packageCores[i]].sort((a, b) => m.coreClockGHz[b] - m.coreClockGHz[a] || a - b);
    fact("package_cores_by_clock", p, byClock);
    fact("package_forwarder", p, byClock[0], m.packageCores[i].filter((c) => c !== byClock[0]));
    if (m.coreClockGHz[byClock[0]] !== m.coreClockGHz[byClock.at(-1)!]) fact("mixed_clocks", p);
  });
  let die = 0;
  d.packages.forEach((p) => p.dies.forEach(() => fact("die", die++, p.id)));
  // A clock is a die's: one fact a die, not a core (rules.ts, core_clock/2).
  m.dieClockGHz.forEach((ghz, k) => fact("die_clock", k, ghz));
  d.sharedCaches.forEach((cache, k) => fact("shared_cache", k, cache.level, [...cache.cores].sort((a, b) => a - b)));
  for (let c = 0; c < n; c++) if (m.coreCache[c] >= 0) fact("core_cache", c, m.coreCache[c]);
  if (d.interconnect.type === "hypertransport") {
    const links = new Set(d.interconnect.links.flatMap(([a, b]) => [`${a},${b}`, `${b},${a}`]));
    for (const l of links) fact("link", ...l.split(",").map(Number));
  }
  const p = m.numPackages;
  ids.forEach((id, i) => fact("hops_row", id, row(m.packageHops.subarray(i * p, (i + 1) * p))));

  const rtt = roundTrips(m, override);
  const rows = packageRows(m, rtt, !override && !m.measured);
  if (rows) {
    const shared = rows.map(row);
    for (let c = 0; c < n; c++) fact("rtt_row", c, shared[m.corePackage[c]]);
    for (let c = 0; c < n; c++) fact("rtt_slot", c, m.corePackage[c] + 1);
  } else {
    for (let a = 0; a < n; a++) fact("rtt_row", a, row(Array.from({ length: n }, (_, b) => (a === b ? 0 : rtt(a, b)))));
    for (let c = 0; c < n; c++) fact("rtt_slot", c, c + 1);
  }
  return facts;
}
