// The paper's micro-benchmark figures that the cost model is calibrated on,
// carried here with their source (the experiments measure the model against
// them: src/experiments/calibration.ts).
//
// Source: A. Baumann et al., "The Multikernel: A New OS Architecture for
// Scalable Multicore Systems", SOSP 2009: Table 1 (LRPC, one way, user to
// user, cycles) and Table 2 (URPC ping-pong latency in cycles and pipelined
// throughput in messages per 1000 cycles, queue of 16 messages).
import type { Machine, PairClass } from "./machine.ts";

export const PAPER_LRPC: Record<string, number> = {
  "intel-2x4": 845,
  "amd-2x2": 757,
  "amd-4x4": 1463,
  "amd-8x4": 1549,
};

export interface UrpcFigure {
  machine: string;
  pair: PairClass;
  latency: number;
  throughput: number;
}

export const PAPER_URPC: UrpcFigure[] = [
  { machine: "intel-2x4", pair: "shared-cache", latency: 180, throughput: 11.97 },
  { machine: "intel-2x4", pair: "not-shared", latency: 570, throughput: 3.78 },
  { machine: "amd-2x2", pair: "same-die", latency: 450, throughput: 3.42 },
  { machine: "amd-2x2", pair: "one-hop", latency: 532, throughput: 3.19 },
  { machine: "amd-4x4", pair: "shared-cache", latency: 448, throughput: 3.57 },
  { machine: "amd-4x4", pair: "one-hop", latency: 545, throughput: 3.53 },
  { machine: "amd-4x4", pair: "two-hop", latency: 558, throughput: 3.51 },
  { machine: "amd-8x4", pair: "shared-cache", latency: 538, throughput: 2.77 },
  { machine: "amd-8x4", pair: "one-hop", latency: 613, throughput: 2.79 },
  { machine: "amd-8x4", pair: "two-hop", latency: 618, throughput: 2.75 },
];

/** The lowest-numbered pair of cores of a class, e.g. the first two-hop pair. */
export function representativePair(m: Machine, cls: PairClass): [number, number] | undefined {
  if (cls === "same-core") return [0, 0];
  for (let a = 0; a < m.numCores; a++) for (let b = a + 1; b < m.numCores; b++) if (m.pairClass(a, b) === cls) return [a, b];
  return undefined;
}

/** Every class of core pair the machine has, each with its lowest-numbered pair. */
export function pairClasses(m: Machine): { pair: PairClass; cores: [number, number] }[] {
  const seen = new Map<PairClass, [number, number]>();
  for (let a = 0; a < m.numCores; a++) {
    for (let b = a + 1; b < m.numCores; b++) {
      const cls = m.pairClass(a, b);
      if (!seen.has(cls)) seen.set(cls, [a, b]);
    }
  }
  return [...seen].map(([pair, cores]) => ({ pair, cores }));
}
