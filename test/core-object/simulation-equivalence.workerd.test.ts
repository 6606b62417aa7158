// The main correctness test of the durable engine: the same run gives the
// same result, hash and trace on Core Durable Objects as in one process.
import { describe, expect, it } from "vitest";
import { EXPERIMENTS } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { expectInProcessOutcome, simulation } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

describe("durable and in-process runs are identical", () => {
  // Small points of the paper's experiments: the first run each plan makes.
  it.each([
    ["urpc", "amd-2x2", { warmup: 1, iterations: 2, stream: 32, queue: 4 }],
    ["lrpc", "amd-2x2", { calls: 4 }],
    ["shootdown", "amd-4x4", { cores: [4], protocols: ["numa-multicast"], reps: 1 }],
    ["twopc", "amd-4x4", { cores: [4], reps: 1 }],
    ["unmap", "amd-4x4", { cores: [4], kernels: ["barrelfish"], reps: 1 }],
    // Cores of two clocks: 0-1 and 4-5 at half the reference clock; the NUMA-aware tree's leader of package 1 is core 6.
    ["unmap", "amd-8x4-biglittle", { cores: [8], kernels: ["barrelfish"], reps: 1 }],
    ["unmap", "amd-8x4-biglittle", { cores: [8], kernels: ["linux"], reps: 1 }],
    ["twopc", "amd-8x4-biglittle", { cores: [8], reps: 1 }],
    ["sharing", "amd-8x4", { cores: [8], schemes: ["per-package"], reads: 50, ops: 4, warmup: 1 }],
    ["sharing", "amd-8x4", { cores: [8], schemes: ["op-log"], reads: 50, ops: 4, warmup: 1 }],
  ])("%s on %s", async (name, machine, params) => {
    const e = EXPERIMENTS.byName(name)!;
    const [spec] = await e.plan(preset(machine)!, e.params.parse(params));
    const { status, outcome } = await simulation(`eq-${name}-${machine}-${Object.values(params).flat().join("-")}`).run(spec, {});
    expect(status.state).toBe("done");
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
