// What an experiment is. Each experiment file describes a workload in terms of
// the kernel's own operations; one simulation of it (a point of a sweep, a
// class of core pair) is a SimulationSpec, plain JSON so it can be handed to
// a Simulation Durable Object, booted into a System the engine runs on either
// transport. The experiment turns the simulations' outcomes into a table
// (rows) and/or a sweep (series of cores -> cycles).
import type { z } from "zod";
import type { Machine, MachineDescription } from "../hwmodel/index.ts";
import type { EngineName, Json, SimulationOutcome, SimulationStats, System } from "../engine/index.ts";
import type { RouteSet } from "../monitor/index.ts";

/** One booted machine of an experiment: plain JSON, so it can be handed to a Durable Object. */
export interface SimulationSpec<Point extends Json = Json> {
  experiment: string;
  machine: MachineDescription;
  /** Cores booted: 0 .. cores-1 of the machine. */
  cores: number;
  /** What this run of the experiment measures, e.g. the protocol and the repetitions. */
  params: Point;
  /** Routing trees from the SKB, computed once per run and handed to every monitor at boot. */
  routes?: RouteSet;
}

export interface SeriesPoint {
  cores: number;
  cycles: number;
}

export interface Series {
  name: string;
  points: SeriesPoint[];
}

export interface ExperimentResult {
  experiment: string;
  machine: string;
  engine: EngineName;
  rows: Json[];
  series: Series[];
  stats: Omit<SimulationStats, "stopped">;
  /** The cache lines that queued the longest at their homes, with the simulation they were in. */
  lines: HotLine[];
  /** Hash of every simulation's trace, in plan order. */
  hashes: string[];
}

/** A line's contention at its home: transactions, and their queueing (cycles). */
export type HotLine = { simulation: string; line: string; home: number; transactions: number; meanWait: number; maxWait: number };

/** A parameter that does not fit the machine, e.g. more cores than it has. */
export class ParamError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = "ParamError";
  }
}

/**
 * P: the parameters a user sets (validated by `params`); Point: what one of
 * its planned runs carries.
 */
export interface Experiment<P = unknown, Point extends Json = Json> {
  name: string;
  summary: string;
  /** The machine it runs on when none is named: the paper's. */
  defaultMachine: string;
  /** The parameters a user may set; defaults filled in by parsing. */
  params: z.ZodType<P>;
  /** The runs that make up the experiment on this machine, e.g. one per core count of a sweep. */
  plan(machine: Machine, params: P): Promise<SimulationSpec<Point>[]> | SimulationSpec<Point>[];
  /** A booted machine for one simulation. */
  system(spec: SimulationSpec<Point>): System;
  /** What one simulation measures, for people (e.g. `one-hop, cores 0 and 4`); a sweep's series and cores when absent. */
  label?(spec: SimulationSpec<Point>): string;
  /** Rows and series from the outcomes of the planned runs, in plan order. */
  summarize(machine: Machine, params: P, specs: SimulationSpec<Point>[], outcomes: SimulationOutcome[]): { rows: Json[]; series: Series[] };
}
