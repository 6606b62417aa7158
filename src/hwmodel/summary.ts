// What the CLI and the HTTP API show of a machine: a one-line listing, and the
// derived summary (topology counts, each class of core pair with its URPC
// cost, the round trip between every pair of cores).
import { pairClasses } from "./calibration.ts";
import { CostModel } from "./cost.ts";
import type { Machine, PairClass } from "./machine.ts";
import type { MachineDescription } from "./description.ts";

export interface MachineListing {
  name: string;
  cores: number;
  packages: number;
  /** The reference clock: the unit of simulated time. */
  clockGHz: number;
  /** The cores' distinct clocks, fastest first: one entry on a homogeneous machine. */
  coreClocksGHz: number[];
  interconnect: "hypertransport" | "fsb";
  description: string;
}

export interface PairClassCost {
  pair: PairClass;
  /** The lowest-numbered pair of cores of the class. */
  cores: [number, number];
  /** URPC round trip on an idle machine, cycles (the urpc experiment measures throughput too). */
  roundTrip: number;
}

export interface MachineSummary {
  /** The description, with the costs in force filled in. */
  machine: MachineDescription;
  cores: number;
  packages: number;
  /** Interconnect hops between the two furthest packages. */
  diameter: number;
  /** Each core's clock, GHz. */
  coreClockGHz: number[];
  pairClasses: PairClassCost[];
  /** roundTrip[a][b]: URPC round trip from core a to core b in cycles (0 on the diagonal); null when left out. */
  roundTrip: number[][] | null;
}

export function machineListing(m: Machine): MachineListing {
  return {
    name: m.name,
    cores: m.numCores,
    packages: m.numPackages,
    clockGHz: m.clockGHz,
    coreClocksGHz: m.clocksGHz,
    interconnect: m.interconnect,
    description: m.description.description ?? "",
  };
}

/** The matrix has cores² entries, so a caller may leave it out for a large machine. */
export function machineSummary(m: Machine, opts: { matrix?: boolean } = {}): MachineSummary {
  const cost = new CostModel(m);
  const n = m.numCores;
  const roundTrip =
    opts.matrix === false ? null : Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => cost.roundTrip(a, b)));
  return {
    machine: m.toJSON(),
    cores: n,
    packages: m.numPackages,
    diameter: m.diameter,
    coreClockGHz: Array.from(m.coreClockGHz),
    pairClasses: pairClasses(m).map(({ pair, cores: [a, b] }) => ({
      pair,
      cores: [a, b],
      roundTrip: cost.roundTrip(a, b),
    })),
    roundTrip,
  };
}
