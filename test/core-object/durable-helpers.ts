// Shared by the durable engine's tests: reaching Simulation objects, and the
// in-process simulation every durable one must reproduce exactly.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { simulateInProcess, type SimulationOutcome, type WindowRule } from "../../src/engine/index.ts";
import type { SimulationSpec } from "../../src/experiments/index.ts";
import { coreStub, simulationStub, type CoreStub, type SimulationStub } from "../../src/core-object/stubs.ts";
import { TEST_EXPERIMENTS } from "./relay-experiment.ts";

export const simulation = (name: string): SimulationStub => simulationStub(env.SIMULATION, name);
export const core = (name: string, c: number): CoreStub => coreStub(env.CORE, name, c);

/** The durable outcome equals the in-process one: hash, per-core reports, stats but wall time, trace. */
export async function expectInProcessOutcome(spec: SimulationSpec, outcome: SimulationOutcome | null, trace: boolean | null = null, windows: WindowRule = "horizons"): Promise<void> {
  const expected = await simulateInProcess(TEST_EXPERIMENTS.systemFor(spec), { trace: trace ?? false, windows });
  expect(outcome).not.toBeNull();
  expect(outcome!.hash).toBe(expected.hash);
  expect(outcome!.cores).toEqual(expected.cores);
  expect({ ...outcome!.stats, wallMs: 0 }).toEqual({ ...expected.stats, wallMs: 0 });
  if (trace) expect(outcome!.trace).toEqual(expected.trace);
}

/** Step a manually driven simulation until it ends; returns its final status. */
export async function stepToEnd(stub: SimulationStub, windows?: number) {
  for (;;) {
    const s = await stub.step(windows);
    if (s.state !== "running") return s;
  }
}
