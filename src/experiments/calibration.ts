// Tables 1 and 2 as the simulated mechanism gives them: the lrpc and urpc
// experiments, run in-process on each preset (or on a preset with other cost
// parameters, for the fit), beside the paper's figures (hwmodel/calibration.ts).
// This is the calibration of the model: nothing here is a formula.
import { Machine, PAPER_LRPC, PAPER_URPC, presetDescription, type CostParameters, type PairClass, type Table2Latency } from "../hwmodel/index.ts";
import { inProcessSimulator, runExperiment } from "./registry.ts";

export interface CalibrationRow {
  table: "lrpc" | "urpc";
  machine: string;
  pair: PairClass;
  metric: "latency" | "throughput";
  paper: number;
  model: number;
  errorPct: number;
}

type UrpcRow = { pair: PairClass; latency: number; throughput: number };

const errorPct = (model: number, paper: number) => Math.round(((model - paper) / paper) * 10000) / 100;

/** A preset machine, with other cost parameters if given. */
export function presetWith(name: string, costs?: Partial<CostParameters>, table2: Table2Latency = "round-trip"): Machine {
  const d = presetDescription(name, table2);
  if (!d) throw new RangeError(`no preset ${name}`);
  return Machine.from(costs ? { ...d, costs: { ...d.costs, ...costs } } : d);
}

/** Table 2's cells of one machine, measured by the urpc experiment. `params` may shorten it (the fit does). */
export async function urpcCells(machine: Machine, params: Record<string, number> = {}): Promise<CalibrationRow[]> {
  const { result } = await runExperiment("urpc", machine, params, inProcessSimulator(), "inproc");
  return (result.rows as UrpcRow[]).flatMap((row) => {
    const f = PAPER_URPC.find((p) => p.machine === machine.name && p.pair === row.pair);
    if (!f) return [];
    return [
      { table: "urpc", machine: machine.name, pair: row.pair, metric: "latency", paper: f.latency, model: row.latency, errorPct: errorPct(row.latency, f.latency) },
      { table: "urpc", machine: machine.name, pair: row.pair, metric: "throughput", paper: f.throughput, model: row.throughput, errorPct: errorPct(row.throughput, f.throughput) },
    ] satisfies CalibrationRow[];
  });
}

/** Every cell of Tables 1 and 2: the paper's value beside what the lrpc and urpc experiments measure. */
export async function calibrate(table2: Table2Latency = "round-trip"): Promise<CalibrationRow[]> {
  const rows: CalibrationRow[] = [];
  for (const [name, paper] of Object.entries(PAPER_LRPC)) {
    const m = presetWith(name, undefined, table2);
    const { result } = await runExperiment("lrpc", m, {}, inProcessSimulator(), "inproc");
    const model = (result.rows[0] as { latency: number }).latency;
    rows.push({ table: "lrpc", machine: name, pair: "same-core", metric: "latency", paper, model, errorPct: errorPct(model, paper) });
  }
  for (const name of Object.keys(PAPER_LRPC)) rows.push(...(await urpcCells(presetWith(name, undefined, table2))));
  return rows;
}
