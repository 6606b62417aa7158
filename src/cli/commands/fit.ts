// `cli fit [preset...]`: refit a preset's cache-line latencies to the paper's
// Table 2 through the simulated mechanism itself (the urpc experiment, run as
// Barrelfish's ump_bench). Deterministic. From the costs in force, a
// coordinate descent over whole cycles of every fitted value, for each choice
// of the discrete ones (homeSlots, loadsPassStores), minimising the largest
// error over the machine's Table 2 cells, then the sum of squared errors.
// Prints the values and every cell's error; src/hwmodel/defaults.ts
// (CALIBRATED_COSTS) carries the result.
import { CALIBRATED_COSTS, PRESET_NAMES, type CostParameters, type Table2Latency } from "../../hwmodel/index.ts";
import { presetWith, urpcCells, type CalibrationRow } from "../../experiments/calibration.ts";
import { UsageError } from "../args.ts";
import { ASSUME_FLAG, table2FromFlags } from "../machine-flags.ts";
import type { Command } from "../command.ts";

type Name = keyof typeof CALIBRATED_COSTS;
type Key = "chipLeg" | "hopLeg" | "homeOccupancy" | "dieTransfer" | "dieOccupancy";

/**
 * What Table 2 fits per machine. On the Opterons the round trips pin down
 * only about 2 chipLeg + probeLookup, so probeLookup stays tied to twice
 * chipLeg (a probe crosses the package to the cores' caches and back). On the
 * Xeon chipLeg and probeLookup come from Intel's documents (defaults.ts).
 */
const FITTED: Record<Name, Key[]> = {
  "intel-2x4": ["hopLeg", "homeOccupancy", "dieTransfer", "dieOccupancy"],
  "amd-2x2": ["chipLeg", "hopLeg", "homeOccupancy"],
  "amd-4x4": ["chipLeg", "hopLeg", "homeOccupancy"],
  "amd-8x4": ["chipLeg", "hopLeg", "homeOccupancy"],
};

const tied = (name: Name, c: CostParameters): CostParameters => (name === "intel-2x4" ? c : { ...c, probeLookup: 2 * c.chipLeg });

/** A shorter run of the experiment than its defaults: the fit evaluates it thousands of times. */
const FIT_RUN = { warmup: 2, iterations: 8, stream: 160 };

type Score = [max: number, squares: number];

const scoreOf = (rows: CalibrationRow[]): Score => [Math.max(...rows.map((r) => Math.abs(r.errorPct))), rows.reduce((s, r) => s + r.errorPct ** 2, 0)];
const better = (a: Score, b: Score) => a[0] < b[0] - 1e-9 || (Math.abs(a[0] - b[0]) <= 1e-9 && a[1] < b[1] - 1e-9);

async function evaluate(name: Name, costs: CostParameters, table2: Table2Latency): Promise<{ rows: CalibrationRow[]; score: Score }> {
  const rows = await urpcCells(presetWith(name, costs, table2), FIT_RUN);
  return { rows, score: scoreOf(rows) };
}

async function descend(name: Name, start: CostParameters, table2: Table2Latency): Promise<{ costs: CostParameters; score: Score }> {
  let costs = start;
  let best = (await evaluate(name, costs, table2)).score;
  const keys = FITTED[name];
  for (const step of [8, 4, 2, 1]) {
    for (let improved = true; improved; ) {
      improved = false;
      const moves: Partial<Record<Key, number>>[] = [];
      for (const k of keys) for (const d of [step, -step]) moves.push({ [k]: costs[k] + d });
      // Trade one latency for another, so that sums the cells pin down can stay put.
      for (const k of keys) for (const j of keys) if (k < j) for (const d of [step, -step]) moves.push({ [k]: costs[k] + d, [j]: costs[j] - d });
      for (const mv of moves) {
        if (Object.entries(mv).some(([k, v]) => v! < (k === "homeOccupancy" || k.startsWith("die") ? 0 : 1))) continue;
        const trial = tied(name, { ...costs, ...mv });
        const { score } = await evaluate(name, trial, table2);
        if (better(score, best)) [costs, best, improved] = [trial, score, true];
      }
    }
  }
  return { costs, score: best };
}

/** The discrete choices are tried each from the costs in force; the best descent wins. */
export async function fit(name: Name, table2: Table2Latency = "round-trip"): Promise<{ costs: CostParameters; rows: CalibrationRow[] }> {
  let best: { costs: CostParameters; score: Score } | undefined;
  const from = presetWith(name, undefined, table2).costs;
  for (const loadsPassStores of [true, false]) {
    for (const homeSlots of [1, 2, 3, 4]) {
      const r = await descend(name, tied(name, { ...from, loadsPassStores, homeSlots }), table2);
      if (!best || better(r.score, best.score)) best = r;
    }
  }
  // The fitted values, measured by the experiment as it runs by default.
  return { costs: best!.costs, rows: await urpcCells(presetWith(name, best!.costs, table2)) };
}

export const fitCommand: Command = {
  name: "fit",
  args: "[preset...]",
  summary: "refit a preset's cache-line latencies to Table 2 through the urpc experiment (slow: minutes)",
  flags: ASSUME_FLAG,
  async run(args) {
    const table2 = table2FromFlags(args);
    const names = (args.positionals.length ? args.positionals : Object.keys(CALIBRATED_COSTS)) as Name[];
    for (const n of names) if (!(n in CALIBRATED_COSTS)) throw new UsageError(`no calibrated preset "${n}"; presets are ${PRESET_NAMES.join(", ")}`);
    const out: { machine: Name; costs: CostParameters; rows: CalibrationRow[] }[] = [];
    const text: string[] = [];
    for (const machine of names) {
      const { costs, rows } = await fit(machine, table2);
      out.push({ machine, costs, rows });
      const keys = ["chipLeg", "hopLeg", "probeLookup", "homeOccupancy", "homeSlots", "dieTransfer", "dieOccupancy", "loadsPassStores"] as const;
      text.push(`${machine}: ${keys.map((k) => `${k} ${costs[k]}`).join(", ")}`);
      for (const r of rows) text.push(`  ${r.pair.padEnd(13)} ${r.metric.padEnd(10)} ${String(r.model).padStart(7)}  paper ${String(r.paper).padStart(6)}  ${r.errorPct.toFixed(2)}%`);
    }
    return { json: out, text: text.join("\n") };
  },
};
