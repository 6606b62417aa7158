// A run through the API on the in-process engine, inside the run's own
// object: the same result shape as the durable engine and the CLI.
import { describe, expect, it } from "vitest";
import { toChromeTrace, simulateInProcess } from "../../src/engine/index.ts";
import { EXPERIMENTS, inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { expectError, finished, json, request, start } from "./helpers.ts";

describe("POST /api/runs, engine inproc", () => {
  it("sweeps shootdown over two core counts and gives runExperiment's rows and series", async () => {
    const params = { protocols: ["multicast", "unicast"], reps: 1 };
    const id = await start({ experiment: "shootdown", machine: "amd-4x4", cores: [2, 4], params, engine: "inproc" });
    const s = await finished(id);
    expect(s.status).toBe("done");
    expect(s.simulations.map((r) => r.label)).toEqual(["multicast, 2 cores", "multicast, 4 cores", "unicast, 2 cores", "unicast, 4 cores"]);
    const { result } = await runExperiment("shootdown", preset("amd-4x4")!, { ...params, cores: [2, 4] }, inProcessSimulator(), "inproc");
    expect(s.result!.rows).toEqual(result.rows);
    expect(s.result!.series).toEqual(result.series);
    expect({ ...s.result!.stats, wallMs: 0 }).toEqual({ ...result.stats, wallMs: 0 });
    expect(s.result).toMatchObject({ experiment: "shootdown", machine: "amd-4x4", engine: "inproc" });
  });

  it("waits for a small run with wait: true and answers 200 with the result", async () => {
    const res = await request("POST", "/api/runs", { experiment: "lrpc", machine: "amd-2x2", params: { calls: 3 }, engine: "inproc", wait: true });
    const s = await json(res, 200);
    expect(res.headers.get("location")).toBe(`/api/runs/${s.id}`);
    const { result } = await runExperiment("lrpc", preset("amd-2x2")!, { calls: 3 }, inProcessSimulator(), "inproc");
    expect(s).toMatchObject({ status: "done", result: { rows: result.rows, series: [] } });
  });

  it("takes ?wait=true too", async () => {
    const s = await json(await request("POST", "/api/runs?wait=true", { experiment: "lrpc", machine: "amd-2x2", params: { calls: 1 }, engine: "inproc" }), 200);
    expect(s.status).toBe("done");
  });

  it("keeps the trace when asked, as Chrome trace events", async () => {
    const id = await start({ experiment: "lrpc", machine: "amd-2x2", params: { calls: 2 }, engine: "inproc", trace: true });
    await finished(id);
    const res = await request("GET", `/api/runs/${id}/trace`);
    const trace = await json(res, 200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const [spec] = (await EXPERIMENTS.plan("lrpc", preset("amd-2x2")!, { calls: 2 })).specs;
    const expected = await simulateInProcess(EXPERIMENTS.systemFor(spec), { trace: true });
    expect(trace).toEqual(toChromeTrace([{ index: 0, name: "lrpc on amd-2x2: same core", clockGHz: 2.8, records: expected.trace! }]));
    await expectError(await request("GET", `/api/runs/${id}/cores/0`), 409, "engine");
  });

  it("has no trace for a run started without one", async () => {
    const id = await start({ experiment: "lrpc", machine: "amd-2x2", params: { calls: 1 }, engine: "inproc" });
    await finished(id);
    await expectError(await request("GET", `/api/runs/${id}/trace`), 409, "trace");
  });
});
