// Pieces shared by the experiments of the paper's evaluation: their
// parameters, whose errors all say what the value must be and what it was;
// the core counts of a sweep, checked against the machine; the median of
// repeated measurements.
import { z } from "zod";
import { MAX_CYCLES_COST, POLL_BUDGET, type Machine } from "../hwmodel/index.ts";
import type { SimulationOutcome } from "../engine/index.ts";
import type { RouteSet } from "../monitor/index.ts";
import { ParamError, type SimulationSpec, type Series } from "./experiment.ts";

/** An integer from min to max; `why` explains the maximum. */
export const intParam = (min: number, max = Number.MAX_SAFE_INTEGER, why?: string) =>
  z
    .number()
    .int({ error: (i) => `must be an integer, got ${String(i.input)}` })
    .min(min, { error: (i) => `must be at least ${min}, got ${String(i.input)}` })
    .max(max, { error: (i) => `must be at most ${max}${why ? ` (${why})` : ""}, got ${String(i.input)}` });

/** Whether the monitors' channels notify by IPI: an explicit choice, off as between Barrelfish's monitors on x86. */
export const notificationParam = z
  .enum(["none", "ipi"], { error: (i) => `must be none or ipi, got ${JSON.stringify(i.input)}` })
  .default("none")
  .describe(
    "the monitors' channels: plain UMP, which an idle monitor polls for ever (none, as on x86), or with IPI notification, where it blocks after pollBudget cycles and an IPI wakes it (ipi)",
  );

export const pollBudgetParam = intParam(0, MAX_CYCLES_COST, `Barrelfish polls ${POLL_BUDGET}`)
  .default(POLL_BUDGET).describe("with notification ipi: the cycles an idle monitor polls before it blocks");

/** The monitors' notification, as MonitorConfig takes it. */
export const notificationOf = (p: { notification: "none" | "ipi"; pollBudget: number }) =>
  p.notification === "ipi" ? { pollBudget: p.pollBudget } : null;

/** The core counts of a sweep; each is checked against the machine when planned (coreCounts). */
export const coresParam = (defaults: number[]) =>
  z
    .array(
      z
        .number()
        .int({ error: (i) => `must be an integer, got ${String(i.input)}` })
        .min(2, { error: (i) => `must be at least 2 cores, got ${String(i.input)}` }),
    )
    .min(1, "must name at least one core count")
    .max(64, { error: (i) => `must be at most 64 core counts, got ${(i.input as unknown[]).length}` })
    .default(defaults)
    .describe("the core counts to sweep, one simulation each per series; by default the paper's, those the machine has, ending at its own count");

/** The core counts of a sweep, each checked against the machine, once each, ascending. */
export function coreCounts(machine: Machine, cores: number[]): number[] {
  for (const [i, n] of cores.entries()) {
    if (n > machine.numCores) throw new ParamError(`cores[${i}]`, `must be at most ${machine.numCores} (${machine.name} has ${machine.numCores} cores), got ${n}`);
  }
  return [...new Set(cores)].sort((a, b) => a - b);
}

/**
 * A subset of named variants, in the order given, e.g. --protocols
 * unicast,broadcast: each of the experiment's own, each at most once, so a
 * list is never longer than the experiment's choices.
 */
export const subsetParam = <T extends string>(all: readonly T[], what: string) =>
  z
    .array(z.enum(all as [T, ...T[]], { error: (i) => `unknown ${what} "${String(i.input)}"; ${what}s are ${all.join(", ")}` }))
    .min(1, `must name at least one ${what}`)
    .max(all.length, `must name at most ${all.length} ${what}s, each once: ${all.join(", ")}`)
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
