// A durable sweep runs its simulations in parallel, up to
// MAX_PARALLEL_SIMULATIONS at once, each on its own Simulation object: the
// same results and hashes as the in-process engine and as one simulation
// after another; progress lists those under way; a cancel keeps those done.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RunStatus } from "../../src/core-object/protocol.ts";
import type { Json } from "../../src/engine/index.ts";
import type { Run } from "../../src/core-object/run.ts";
import { runStub } from "../../src/core-object/stubs.ts";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { LOSE_ALARMS, ONE_STEP, PARALLEL } from "../worker.ts";
import { finished, json, request } from "./helpers.ts";

const machine = preset("amd-4x4")!;
const inproc = (params: object) => runExperiment("shootdown", machine, params, inProcessSimulator(), "inproc");

let runs = 0;
/** A durable shootdown run on a Run object with test settings stored before it starts; its id. */
async function startWith(params: Json, settings: Record<string, unknown>): Promise<{ id: string; object: DurableObjectStub<Run> }> {
  const id = `${(++runs).toString(16).padStart(2, "0")}${"a".repeat(30)}`;
  const object = env.RUN.getByName(id) as unknown as DurableObjectStub<Run>;
  await runInDurableObject(object, (_, state) => {
    for (const [k, v] of Object.entries(settings)) state.storage.kv.put(k, v);
  });
  const started = await runStub(env.RUN, id).start({ experiment: "shootdown", machine: machine.description, params, engine: "durable", trace: false, faults: null });
  expect(started.ok).toBe(true);
  return { id, object };
}

const status = async (id: string): Promise<RunStatus> => json<RunStatus>(await request("GET", `/api/runs/${id}`), 200);

describe("a parallel durable sweep", () => {
  it("gives the in-process results and hashes, and those of a sequential sweep", async () => {
    const params = { cores: [2, 4, 8], protocols: ["unicast", "numa-multicast"], reps: 1 };
    const expected = await inproc(params);
    const results = [];
    for (const parallel of [4, 1]) {
      const { id } = await startWith(params, { [PARALLEL]: parallel });
      const s = await finished(id, 60_000);
      expect(s.status).toBe("done");
      expect(s.progress.parallel).toBe(parallel);
      expect(s.simulations.map((sim) => sim.hash)).toEqual(expected.result.hashes);
      expect(s.result).toEqual({ ...expected.result, engine: "durable", hashes: undefined, stats: { ...expected.result.stats, wallMs: s.result!.stats.wallMs }, missing: [] });
      results.push({ ...s.result, stats: { ...s.result!.stats, wallMs: 0 } });
    }
    expect(results[0]).toEqual(results[1]);
  }, 90_000);

  it("lists the simulations under way, then keeps those done when cancelled", async () => {
    // Each needs more than one step (over 256 windows: 510 to 707 with per-core horizons); stepped once a slice, by hand.
    const params = { cores: [16], protocols: ["unicast", "multicast", "broadcast"], reps: 8 };
    const { id, object } = await startWith(params, { [PARALLEL]: 2, [ONE_STEP]: true, [LOSE_ALARMS]: true });
    const slice = () => runInDurableObject(object, (run) => run.alarm());
    await slice();
    let s = await status(id);
    expect(s.progress.underWay.map((u) => u.index)).toEqual([0, 1]);
    expect(s.simulations.map((sim) => sim.state)).toEqual(["running", "running", "pending"]);
    for (const u of s.progress.underWay) {
      expect(u).toMatchObject({ label: s.simulations[u.index].label, cores: 16 });
      expect(u.windows).toBeGreaterThan(0);
    }
    expect(s.progress.windows).toBe(s.progress.underWay.reduce((n, u) => n + u.windows, 0));
    while (s.progress.simulationsDone === 0) {
      await slice();
      s = await status(id);
      expect(s.status).toBe("running");
      expect(s.progress.underWay.length).toBeLessThanOrEqual(2);
    }
    const done = s.simulations.filter((sim) => sim.state === "done").map((sim) => sim.index);
    expect(done.length).toBeLessThan(3);
    const cancelled = await json<RunStatus>(await request("DELETE", `/api/runs/${id}`), 200);
    expect(cancelled.status).toBe("cancelled");
    // Those that held a place are cancelled; the others never started.
    expect(cancelled.result!.missing).toEqual(
      s.simulations.filter((sim) => sim.state !== "done").map(({ index, label }) => ({ index, label, state: index < done.length + 2 ? "cancelled" : "pending" })),
    );
    // The finished ones as the in-process engine gives them.
    const full = await inproc(params);
    expect(done.map((i) => cancelled.simulations[i].hash)).toEqual(done.map((i) => full.result.hashes[i]));
    expect(cancelled.result!.series).toEqual(full.result.series.map((series, i) => (done.includes(i) ? series : { name: series.name, points: [] })));
  }, 90_000);
});
