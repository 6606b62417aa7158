// Pieces shared by the sweeps of the paper's evaluation: the core counts to
// run, checked against the machine, and the median of repeated measurements.
import { z } from "zod";
import type { Machine } from "../hwmodel/index.ts";
import type { SimulationOutcome } from "../engine/index.ts";
import type { RouteSet } from "../monitor/index.ts";
import { ParamError, type SimulationSpec, type Series } from "./experiment.ts";

export const coresParam = (defaults: number[]) =>
  z.array(z.number().int("must be an integer").min(2, "at least 2 cores")).min(1, "name at least one core count").max(64, "at most 64 points").default(defaults);

/** The core counts of a sweep, each checked against the machine, once each, ascending. */
export function coreCounts(machine: Machine, cores: number[]): number[] {
  for (const [i, n] of cores.entries()) {
    if (n > machine.numCores) throw new ParamError(`cores[${i}]`, `${n} cores, but ${machine.name} has ${machine.numCores}`);
  }
  return [...new Set(cores)].sort((a, b) => a - b);
}

/**
 * A subset of named variants, in the order given, e.g. --protocol
 * unicast,broadcast: each of the experiment's own, each at most once, so a
 * list is never longer than the experiment's choices.
 */
export const subsetParam = <T extends string>(all: readonly T[], what: string) =>
  z
    .array(z.enum(all as [T, ...T[]], { error: (i) => `unknown ${what} "${String(i.input)}"; ${what}s are ${all.join(", ")}` }))
    .min(1, `name at least one ${what}`)
    .max(all.length, `at most ${all.length} ${what}s, each once: ${all.join(", ")}`)
    .superRefine((names, ctx) => {
      const seen = new Set<T>();
      names.forEach((name, i) => {
        if (seen.has(name)) ctx.addIssue({ code: "custom", path: [i], message: `${what} "${name}" is named twice` });
        seen.add(name);
      });
    })
    .default([...all]);

export function median(xs: number[]): number {
  if (!xs.length) throw new Error("no measurements");
  return [...xs].sort((a, b) => a - b)[xs.length >> 1];
}

/** A run of a sweep carries the name of its series (a protocol, a kernel, a variant), for `seriesOf`. */
export type SweepPoint = { series: string };

/** The plan of a sweep: one run per variant (a series) and core count. */
export async function sweep<V extends string, Point extends SweepPoint>(
  experiment: string,
  machine: Machine,
  variants: readonly V[],
  cores: number[],
  point: (variant: V, cores: number) => Promise<{ params: Point; routes?: RouteSet }> | { params: Point; routes?: RouteSet },
): Promise<SimulationSpec<Point>[]> {
  const specs: SimulationSpec<Point>[] = [];
  for (const series of variants) {
    for (const n of coreCounts(machine, cores)) {
      const { params, routes } = await point(series, n);
      specs.push({ experiment, machine: machine.description, cores: n, params, ...(routes ? { routes } : {}) });
    }
  }
  return specs;
}

/** The series of a sweep: for each variant, a point per core count measured from its run's outcome. */
export function seriesOf(variants: readonly string[], specs: SimulationSpec<SweepPoint>[], outcomes: SimulationOutcome[], measure: (o: SimulationOutcome) => number): Series[] {
  return variants.map((name) => ({
    name,
    points: specs.flatMap((s, i) => (s.params.series === name ? [{ cores: s.cores, cycles: measure(outcomes[i]) }] : [])),
  }));
}
