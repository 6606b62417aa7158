// Pieces shared by the sweeps of the paper's evaluation: the core counts to
// run, checked against the machine, and the median of repeated measurements.
import { z } from "zod";
import type { Machine } from "../hwmodel/index.ts";
import { ParamError } from "./experiment.ts";

export const coresParam = (defaults: number[]) =>
  z.array(z.number().int("must be an integer").min(2, "at least 2 cores")).min(1, "name at least one core count").max(64, "at most 64 points").default(defaults);

export function checkCores(machine: Machine, cores: number[]): number[] {
  for (const [i, n] of cores.entries()) {
    if (n > machine.numCores) throw new ParamError(`cores[${i}]`, `${n} cores, but ${machine.name} has ${machine.numCores}`);
  }
  return [...new Set(cores)].sort((a, b) => a - b);
}

/** A subset of named variants, in the order given, e.g. --protocol unicast,broadcast. */
export const subsetParam = <T extends string>(all: readonly T[], what: string) =>
  z
    .array(z.enum(all as [T, ...T[]], { error: (i) => `unknown ${what} "${String(i.input)}"; ${what}s are ${all.join(", ")}` }))
    .min(1, `name at least one ${what}`)
    .default([...all]);

export function median(xs: number[]): number {
  if (!xs.length) throw new Error("no measurements");
  return [...xs].sort((a, b) => a - b)[xs.length >> 1];
}
