// The main correctness test of the durable engine: the same run gives the
// same result, hash and trace on Core Durable Objects as in one process.
import { describe, expect, it } from "vitest";
import { EXPERIMENTS, type SimulationSpec } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { expectInProcessOutcome, simulation } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

async function firstSpec(name: string, machine: string, params: Record<string, unknown>): Promise<SimulationSpec> {
  const e = EXPERIMENTS.byName(name)!;
  return (await e.plan(preset(machine)!, e.params.parse(params)))[0];
}

describe("durable and in-process runs are identical", () => {
  // Small points of every experiment: the first run each plan makes, and an IPI-based kernel's.
  const cases: [string, string, Record<string, unknown>][] = [
    ["urpc", "amd-2x2", { warmup: 1, iterations: 2, stream: 32, queue: 4 }],
    ["lrpc", "amd-2x2", { calls: 4 }],
    ["shootdown", "amd-4x4", { cores: [4], protocols: ["numa-multicast"], reps: 1 }],
    ["twopc", "amd-4x4", { cores: [4], reps: 1 }],
    ["unmap", "amd-4x4", { cores: [4], kernels: ["barrelfish"], reps: 1 }],
    ["unmap", "intel-2x4", { cores: [4], kernels: ["linux"], reps: 1 }],
    ["shared-update", "amd-4x4", { cores: [4], variants: ["MSG1"], updates: 2 }],
    // Cores of two clocks: 0-1 and 4-5 at half the reference clock; the NUMA-aware tree's leader of package 1 is core 6.
    ["unmap", "amd-8x4-biglittle", { cores: [8], kernels: ["barrelfish"], reps: 1 }],
    ["unmap", "amd-8x4-biglittle", { cores: [8], kernels: ["linux"], reps: 1 }],
    ["twopc", "amd-8x4-biglittle", { cores: [8], reps: 1 }],
    ["sharing", "amd-8x4", { cores: [8], schemes: ["per-package"], reads: 50, ops: 4, warmup: 1 }],
    ["sharing", "amd-8x4", { cores: [8], schemes: ["op-log"], reads: 50, ops: 4, warmup: 1 }],
  ];

  it("covers every experiment", () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(EXPERIMENTS.names));
  });

  it.each(cases)("%s on %s", async (name, machine, params) => {
    const spec = await firstSpec(name, machine, params);
    const { status, outcome } = await simulation(`eq-${name}-${machine}-${Object.values(params).flat().join("-")}`).run(spec, {});
    expect(status.state).toBe("done");
    await expectInProcessOutcome(spec, outcome);
  });

  it("with the global window too: the in-process run under the same rule, windows and all", async () => {
    const spec = await firstSpec("shootdown", "amd-4x4", { cores: [8], protocols: ["multicast"], reps: 1 });
    const { outcome } = await simulation("eq-global").run(spec, { windows: "global" });
    await expectInProcessOutcome(spec, outcome, null, "global");
    const horizons = await simulation("eq-horizons").run(spec, {});
    expect(horizons.outcome!.hash).toBe(outcome!.hash);
    expect(horizons.outcome!.stats.windows).toBeLessThan(outcome!.stats.windows);
  });

  it("a core saves its whole state only at checkpoints, and a checkpoint only the chunks that changed", async () => {
    // Four rounds: the coordinator handles more windows than a checkpoint spans.
    const spec = await firstSpec("twopc", "amd-4x4", { cores: [8], reps: 4 });
    const { status, outcome } = await simulation("eq-stored").run(spec, {});
    await expectInProcessOutcome(spec, outcome);
    expect(status.stored.written).toBeGreaterThan(0);
    // Between checkpoints a window saves its inputs, not its state: a few percent of saving the state whole every window.
    expect(status.stored.written).toBeLessThan(status.stored.whole / 10);
  });

  it("cores evicted mid-run, on a real experiment: the same outcome", async () => {
    const spec = await firstSpec("shootdown", "amd-4x4", { cores: [8], protocols: ["numa-multicast"], reps: 1 });
    const { status, outcome } = await simulation("eq-evicted").run(spec, { faults: { seed: 1, evict: { rate: 0.5 }, restart: { rate: 0.2 }, failDeliveries: 0, duplicateDeliveries: 0 } });
    expect(status.faults).toBeGreaterThan(5);
    await expectInProcessOutcome(spec, outcome);
  });

  it("tokens relayed round 12 cores through a barrier tree of fan-out 3, with the trace", async () => {
    const spec = relaySpec(12, { hops: 4, stride: 5 });
    const stub = simulation("eq-relay");
    const { status, outcome } = await stub.run(spec, { fanout: 3, trace: true });
    expect(status.state).toBe("done");
    expect(status.calls.depth).toBeGreaterThanOrEqual(3); // Simulation, subtree roots, their subtrees
    await expectInProcessOutcome(spec, { ...outcome!, trace: await stub.traceRecords() }, true);
  });
});
