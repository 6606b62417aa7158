// A run through the API on Durable Objects, one per simulated core: started,
// followed, and summarised exactly as the in-process engine summarises it.
import { describe, expect, it } from "vitest";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { finished, json, request, start } from "./helpers.ts";

describe("POST /api/runs, engine durable", () => {
  it("runs shootdown on two cores and gives the in-process result", async () => {
    const params = { protocols: ["unicast"], reps: 1 };
    const id = await start({ experiment: "shootdown", machine: "amd-2x2", cores: 2, params });
    const s = await finished(id);
    expect(s).toMatchObject({ id, status: "done", experiment: "shootdown", machine: "amd-2x2", engine: "durable", error: null });
    const { result } = await runExperiment("shootdown", preset("amd-2x2")!, { ...params, cores: [2] }, inProcessSimulator(), "inproc");
    expect(s.simulations).toEqual([{ index: 0, label: "unicast, 2 cores", cores: 2, state: "done", hash: result.hashes[0] }]);
    expect(s.result).toEqual({ ...result, engine: "durable", hashes: undefined, stats: { ...result.stats, wallMs: s.result!.stats.wallMs }, missing: [] });
    expect(s.progress).toMatchObject({ simulations: 1, simulationsDone: 1, events: result.stats.events, messages: result.stats.messages, windows: result.stats.windows });
  });

  it("runs twopc on the heterogeneous preset and gives the in-process result", async () => {
    const params = { variants: ["single"], protocol: "numa-multicast", reps: 1 };
    const id = await start({ experiment: "twopc", machine: "amd-8x4-biglittle", cores: [8], params });
    const s = await finished(id, 60_000);
    expect(s).toMatchObject({ status: "done", machine: "amd-8x4-biglittle", engine: "durable", error: null });
    const { result } = await runExperiment("twopc", preset("amd-8x4-biglittle")!, { ...params, cores: [8] }, inProcessSimulator(), "inproc");
    expect(s.simulations.map((x) => x.hash)).toEqual(result.hashes);
    expect(s.result!.series).toEqual(result.series);
  }, 90_000);

  it("shows a core of the run from its Durable Object", async () => {
    const id = await start({ experiment: "lrpc", machine: "amd-2x2", params: { calls: 2 } });
    await finished(id);
    const core = await json(await request("GET", `/api/runs/${id}/cores/0`), 200);
    expect(core).toMatchObject({ id, simulation: 0, core: 0, pending: 0, next: null });
    expect(core.clock).toBeGreaterThan(0);
    expect(core).toHaveProperty("kernel");
    expect(core).not.toHaveProperty("simulationId");
  });
});
