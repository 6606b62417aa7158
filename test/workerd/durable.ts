// Shared by the durable engine's tests: reaching Run objects, and the
// in-process run every durable run must reproduce exactly.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { runInProcess, type RunOutcome } from "../../src/engine/index.ts";
import { systemFor, type RunSpec } from "../../src/experiments/index.ts";
import { coreStub, runStub, type CoreStub, type RunStub } from "../../src/core-object/stubs.ts";
import "./toy.ts";

export const run = (runId: string): RunStub => runStub(env.RUN, runId);
export const core = (runId: string, c: number): CoreStub => coreStub(env.CORE, runId, c);

/** The durable outcome equals the in-process one: hash, per-core reports, stats but wall time, trace. */
export async function expectInProcessOutcome(spec: RunSpec, outcome: RunOutcome | null, trace: boolean | null = null): Promise<void> {
  const expected = await runInProcess(systemFor(spec), { trace: trace ?? false });
  expect(outcome).not.toBeNull();
  expect(outcome!.hash).toBe(expected.hash);
  expect(outcome!.cores).toEqual(expected.cores);
  expect({ ...outcome!.stats, wallMs: 0 }).toEqual({ ...expected.stats, wallMs: 0 });
  if (trace) expect(outcome!.trace).toEqual(expected.trace);
}

/** Step a manually driven run until it ends; returns its final status. */
export async function stepToEnd(stub: RunStub, windows?: number) {
  for (;;) {
    const s = await stub.step(windows);
    if (s.state !== "running") return s;
  }
}
