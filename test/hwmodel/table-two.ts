// Table 2 on the line model: every cell of a machine, the paper's value beside
// what the URPC driver measures on the model with the given costs.
import { Machine, PAPER_URPC, presetDescription, representativePair, type CostParameters, type PairClass } from "../../src/hwmodel/index.ts";
import { pingPong, throughput } from "./urpc-bench.ts";

export interface Cell {
  machine: string;
  pair: PairClass;
  cores: [number, number];
  latency: number;
  paperLatency: number;
  latencyError: number;
  throughput: number;
  paperThroughput: number;
  throughputError: number;
}

const pct = (model: number, paper: number) => ((model - paper) / paper) * 100;

export function tableTwo(name: string, costs?: CostParameters): Cell[] {
  const d = presetDescription(name)!;
  const m = Machine.from(costs ? { ...d, costs } : d);
  return PAPER_URPC.filter((f) => f.machine === name).map((f) => {
    const [a, b] = representativePair(m, f.pair)!;
    const latency = pingPong(m, a, b);
    const tput = throughput(m, a, b);
    return {
      machine: name,
      pair: f.pair,
      cores: [a, b],
      latency,
      paperLatency: f.latency,
      latencyError: pct(latency, f.latency),
      throughput: tput,
      paperThroughput: f.throughput,
      throughputError: pct(tput, f.throughput),
    };
  });
}
