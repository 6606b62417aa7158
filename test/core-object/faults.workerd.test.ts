// Fault injection on the durable engine: core objects evicted and restarted
// mid-window, deliveries failed and repeated, and still the fault-free
// outcome and hash, because a core that lost what it did since the last group
// commit makes every core roll back to it, asked-for-again windows answer
// from their report, deliveries are idempotent and every simulation checks
// message conservation. The faults come from the seed: repeatable.
import { describe, expect, it } from "vitest";
import type { Faults } from "../../src/core-object/protocol.ts";
import { simulateInProcess } from "../../src/engine/index.ts";
import { EXPERIMENTS, inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { expectError, finished, request, start } from "../api/helpers.ts";
import { expectInProcessOutcome, simulation } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

const everything = (seed: number) => ({
  seed,
  evict: { rate: 0.3 },
  restart: { rate: 0.15 },
  failDeliveries: 0.3,
  duplicateDeliveries: 0.3,
});

describe("fault injection", () => {
  it("a simulation whose cores are evicted, restarted and mis-delivered gives the fault-free outcome and hash", async () => {
    const spec = relaySpec(6, { hops: 8, stride: 2, spray: 5 });
    const { status, outcome } = await simulation("faulted").run(spec, { fanout: 2, faults: everything(3) });
    expect(status.state).toBe("done");
    expect(status.faults).toBeGreaterThan(10);
    await expectInProcessOutcome(spec, outcome);
  });

  it("restarts along a baton's chain of windows: every core rolls back each time, and the run still ends with the fault-free hashes", { timeout: 90_000 }, async () => {
    // More restarts in one chain of windows than the Simulation retries without progress (the README's example, as a user ran it).
    const params = { protocols: ["unicast"], reps: 5 };
    const id = await start({ experiment: "shootdown", machine: "amd-4x4", cores: [8], params, faults: { seed: 7, restart: { rate: 0.2 } } });
    const s = await finished(id, 60_000);
    expect(s.error).toBeNull();
    expect(s.faults!.injected).toBeGreaterThan(30);
    expect(s.faults!.rollBacks).toBeGreaterThan(0);
    const plain = await runExperiment("shootdown", preset("amd-4x4")!, { ...params, cores: [8] }, inProcessSimulator(), "inproc");
    expect(s.simulations.map((sim) => sim.hash)).toEqual(plain.result.hashes);
  });

  it("a core evicted with windows not yet committed: every core rolls back to the last commit, and the outcome is the fault-free one", async () => {
    const spec = relaySpec(4, { hops: 20 });
    const { status, outcome } = await simulation("lost").run(spec, { faults: { evict: { cores: [1], windows: [9] } } as Faults });
    expect(status.state).toBe("done");
    expect(status.faults).toBe(1);
    // Rebuilt from storage, it would have gone on from the last commit, its windows since silently missing.
    expect(status.rollBacks).toBe(1);
    await expectInProcessOutcome(spec, outcome);
  });

  it("chosen cores at chosen windows: a restart of core 2 in windows 1 and 3", async () => {
    const spec = relaySpec(4, { hops: 6 });
    const { status, outcome } = await simulation("chosen").run(spec, { faults: { restart: { cores: [2], windows: [1, 3] } } as Faults });
    expect(status.faults).toBe(2);
    await expectInProcessOutcome(spec, outcome);
  });

  it("the same seed injects the same faults", async () => {
    const spec = relaySpec(5, { hops: 5 });
    const a = await simulation("seed-a").run(spec, { faults: everything(11) });
    const b = await simulation("seed-b").run(spec, { faults: everything(11) });
    expect(a.status.faults).toBe(b.status.faults);
    expect(a.outcome!.hash).toBe(b.outcome!.hash);
  });

  it("a run with faults: the result and every simulation's hash of the fault-free run", { timeout: 90_000 }, async () => {
    const params = { protocols: ["multicast", "numa-multicast"], reps: 1 };
    const id = await start({ experiment: "shootdown", machine: "amd-4x4", cores: [4, 8], params, faults: everything(5) });
    const s = await finished(id, 60_000);
    expect(s.status).toBe("done");
    expect(s.faults!.injected).toBeGreaterThan(0);
    const plain = await runExperiment("shootdown", preset("amd-4x4")!, { ...params, cores: [4, 8] }, inProcessSimulator(), "inproc");
    expect(s.result!.series).toEqual(plain.result.series);
    expect(s.simulations.map((sim) => sim.hash)).toEqual(plain.result.hashes);
  });

  it("is refused on the in-process engine, and when malformed", async () => {
    await expectError(await request("POST", "/api/runs", { experiment: "lrpc", engine: "inproc", faults: { restart: {} } }), 422, "faults", /durable engine/);
    await expectError(await request("POST", "/api/runs", { experiment: "lrpc", faults: { restart: { rate: 2 } } }), 400, "faults.restart.rate");
    await expectError(await request("POST", "/api/runs", { experiment: "lrpc", faults: { crash: true } }), 400, "faults.crash", /unknown field/);
  });

  it("a run without faults says so", async () => {
    const s = await finished(await start({ experiment: "lrpc", machine: "amd-2x2", params: { calls: 1 } }));
    expect(s.faults).toBeNull();
    const [spec] = (await EXPERIMENTS.plan("lrpc", preset("amd-2x2")!, { calls: 1 })).specs;
    expect(s.simulations[0].hash).toBe((await simulateInProcess(EXPERIMENTS.systemFor(spec))).hash);
  });
});
