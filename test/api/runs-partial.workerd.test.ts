// A run that does not finish keeps what it has: cancelled, or stopped by the
// event limit, its result holds the rows and series of the simulations that
// finished, and `missing` lists the others with their states.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/core-object/run.ts";
import { runStub } from "../../src/core-object/stubs.ts";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { LOSE_ALARMS } from "../worker.ts";
import { finished, json, request, start } from "./helpers.ts";

const series = async (params: object) => (await runExperiment("shootdown", preset("amd-4x4")!, params, inProcessSimulator(), "inproc")).result.series;

describe("partial results", () => {
  it("a cancelled run keeps the simulations that finished, and names the others", async () => {
    const id = "c".repeat(32);
    const object = env.RUN.getByName(id) as unknown as DurableObjectStub<Run>;
    // Its alarms are lost, so that it advances only when told: one simulation a slice.
    await runInDurableObject(object, (_, state) => state.storage.kv.put(LOSE_ALARMS, true));
    const params = { cores: [2, 4, 8], protocols: ["unicast", "multicast"], reps: 1 };
    const started = await runStub(env.RUN, id).start({ experiment: "shootdown", machine: preset("amd-4x4")!.description, params, engine: "inproc", trace: false, faults: null });
    expect(started.ok).toBe(true);
    for (let i = 0; i < 2; i++) await runInDurableObject(object, (run) => run.alarm());
    const s = await json(await request("DELETE", `/api/runs/${id}`), 200);
    expect(s).toMatchObject({ status: "cancelled", progress: { simulationsDone: 2 } });
    const expected = await series({ ...params, cores: [2, 4], protocols: ["unicast"] });
    expect(s.result.series).toEqual([expected[0], { name: "multicast", points: [] }]);
    expect(s.result.missing).toEqual([
      { index: 2, label: "unicast, 8 cores", state: "cancelled" },
      { index: 3, label: "multicast, 2 cores", state: "pending" },
      { index: 4, label: "multicast, 4 cores", state: "pending" },
      { index: 5, label: "multicast, 8 cores", state: "pending" },
    ]);
    expect(s.result.stats.events).toBeGreaterThan(0);
  });

  it("a run stopped by the event limit keeps the simulations before it", async () => {
    // With a trace a simulation handles at most 50,000 events: 2000 unicast shootdowns take 4000 on 2 cores, 60,000 on 16.
    const params = { protocols: ["unicast"], reps: 2000 };
    const id = await start({ experiment: "shootdown", machine: "amd-4x4", cores: [2, 16], params, engine: "inproc", trace: true });
    const s = await finished(id);
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/^simulation 1 \(unicast, 16 cores\) stopped after \d+ events: at most 50000 per simulation with a trace$/);
    expect(s.result!.series).toEqual(await series({ ...params, cores: [2] }));
    expect(s.result!.missing).toEqual([{ index: 1, label: "unicast, 16 cores", state: "failed" }]);
  });

  it("a run that is done misses nothing", async () => {
    const s = await finished(await start({ experiment: "shootdown", machine: "amd-4x4", cores: [2], params: { protocols: ["unicast"], reps: 1 }, engine: "inproc" }));
    expect(s.result!.missing).toEqual([]);
  });
});
