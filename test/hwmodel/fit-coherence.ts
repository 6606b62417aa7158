// Fits the line model's latencies to the paper's Table 2, per machine:
//   npm run -s fit:coherence [machine...]
// Deterministic. First a grid over the latencies that the round trips pin
// down (each point scored on the latency cells alone), then, from the best
// few points, a coordinate descent over whole cycles of every fitted value,
// minimising the largest error over all of the machine's Table 2 cells
// (latency and throughput), then the sum of squared errors. Prints the values
// and every cell's error; CALIBRATED_COSTS carries the result.
import { CALIBRATED_COSTS, Machine, PAPER_URPC, presetDescription, representativePair, type CostParameters } from "../../src/hwmodel/index.ts";
import { tableTwo, type Cell } from "./table-two.ts";
import { pingPong } from "./urpc-bench.ts";

type Name = keyof typeof CALIBRATED_COSTS;
type Key = "chipLeg" | "hopLeg" | "probeLookup" | "homeOccupancy" | "homeSlots" | "dieTransfer" | "dieOccupancy";

/**
 * What Table 2 fits per machine. On the Opterons the round trips pin down
 * only about 2 chipLeg + probeLookup, so the fit ties probeLookup to twice
 * chipLeg (a probe crosses the package to the cores' caches and back). On the
 * Xeon chipLeg (half the Core 2's L2 load-to-use latency) and probeLookup (the bus's snoop
 * phase) come from Intel's documents, not from the fit.
 */
const FITTED: Record<Name, Key[]> = {
  "intel-2x4": ["hopLeg", "homeOccupancy", "dieTransfer", "dieOccupancy"],
  "amd-2x2": ["chipLeg", "hopLeg", "homeOccupancy"],
  "amd-4x4": ["chipLeg", "hopLeg", "homeOccupancy"],
  "amd-8x4": ["chipLeg", "hopLeg", "homeOccupancy"],
};

const tied = (name: Name, c: CostParameters): CostParameters => (name === "intel-2x4" ? c : { ...c, probeLookup: 2 * c.chipLeg });

type Score = [number, number];

function score(errors: number[]): Score {
  let max = 0;
  let sq = 0;
  for (const e of errors) {
    max = Math.max(max, Math.abs(e));
    sq += e * e;
  }
  return [max, sq];
}

const better = (a: Score, b: Score) => a[0] < b[0] - 1e-9 || (Math.abs(a[0] - b[0]) <= 1e-9 && a[1] < b[1] - 1e-9);
const cellErrors = (cells: Cell[]) => cells.flatMap((c) => [c.latencyError, c.throughputError]);

/** Latency cells only: the round trip does not depend on the home's occupancy. */
function latencyScore(name: Name, costs: CostParameters): Score {
  const m = Machine.from({ ...presetDescription(name)!, costs });
  return score(
    PAPER_URPC.filter((f) => f.machine === name).map((f) => {
      const [a, b] = representativePair(m, f.pair)!;
      return ((pingPong(m, a, b) - f.latency) / f.latency) * 100;
    }),
  );
}

function grid(name: Name): CostParameters[] {
  const base = CALIBRATED_COSTS[name];
  const points: CostParameters[] = [];
  if (name === "intel-2x4") {
    for (let hopLeg = 60; hopLeg <= 160; hopLeg += 2) for (let dieTransfer = 2; dieTransfer <= 60; dieTransfer += 2) points.push({ ...base, hopLeg, dieTransfer, dieOccupancy: 0 });
  } else {
    for (let chipLeg = 4; chipLeg <= 50; chipLeg += 2) for (let hopLeg = 1; hopLeg <= 13; hopLeg += 2) points.push(tied(name, { ...base, chipLeg, hopLeg }));
  }
  return points
    .map((p) => ({ p, s: latencyScore(name, p) }))
    .sort((x, y) => (better(x.s, y.s) ? -1 : better(y.s, x.s) ? 1 : 0))
    .slice(0, 4)
    .map(({ p }) => p);
}

function descend(name: Name, start: CostParameters): { costs: CostParameters; cells: Cell[]; score: Score } {
  let costs = start;
  let cells = tableTwo(name, costs);
  let best = score(cellErrors(cells));
  const keys = FITTED[name];
  for (const step of [16, 8, 4, 2, 1]) {
    for (let improved = true; improved; ) {
      improved = false;
      const moves: Partial<Record<Key, number>>[] = [];
      for (const k of keys) for (const d of [step, -step]) moves.push({ [k]: costs[k] + d });
      // Trade one latency for another, so that sums the cells pin down can stay put.
      for (const k of keys) for (const j of keys) if (k < j) for (const d of [step, -step]) moves.push({ [k]: costs[k] + d, [j]: costs[j] - d });
      for (const mv of moves) {
        if (Object.entries(mv).some(([k, v]) => v! < (k === "homeOccupancy" || k.startsWith("die") ? 0 : 1))) continue;
        const trial = tied(name, { ...costs, ...mv });
        const c = tableTwo(name, trial);
        const s = score(cellErrors(c));
        if (better(s, best)) [costs, cells, best, improved] = [trial, c, s, true];
      }
    }
  }
  return { costs, cells, score: best };
}

/** homeSlots and loadsPassStores are discrete: the descent runs once for each, from the latency grid's best points. */
export function fit(name: Name): { costs: CostParameters; cells: Cell[] } {
  const paper = PAPER_URPC.filter((f) => f.machine === name);
  // Four transactions per round of the throughput loop, homeSlots of them per homeOccupancy.
  const round = 1000 / (4 * Math.max(...paper.map((f) => f.throughput)));
  let best: ReturnType<typeof descend> | undefined;
  for (const p of grid(name)) {
    for (const loadsPassStores of [true, false]) {
      for (const homeSlots of [1, 2, 3, 4]) {
        const o = Math.round(homeSlots * round);
        const start = { ...p, loadsPassStores, homeSlots, homeOccupancy: o, dieOccupancy: name === "intel-2x4" ? Math.round(round) : 0 };
        const r = descend(name, start);
        if (!best || better(r.score, best.score)) best = r;
      }
    }
  }
  return best!;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = (process.argv.length > 2 ? process.argv.slice(2) : Object.keys(CALIBRATED_COSTS)) as Name[];
  for (const name of names) {
    if (!(name in CALIBRATED_COSTS)) throw new Error(`no preset ${name}`);
    const { costs, cells } = fit(name);
    const keys: (Key | "loadsPassStores")[] = ["chipLeg", "hopLeg", "probeLookup", "homeOccupancy", "homeSlots", "dieTransfer", "dieOccupancy", "loadsPassStores"];
    console.log(`${name}: ${keys.map((k) => `${k}: ${costs[k]}`).join(", ")}`);
    for (const c of cells) {
      console.log(
        `  ${c.pair.padEnd(13)} latency ${c.latency.toFixed(1)} (paper ${c.paperLatency}, ${c.latencyError.toFixed(2)}%)` +
          `  throughput ${c.throughput.toFixed(3)} (paper ${c.paperThroughput}, ${c.throughputError.toFixed(2)}%)`,
      );
    }
  }
}
