// Every bad request to POST /api/runs is a 4xx naming the field and the
// reason, and starts nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { registryStub } from "../../src/core-object/stubs.ts";
import { expectError, request } from "./helpers.ts";

/** A one-package machine of these core ids. */
const tiny = (cores: number[]) => ({ name: "tiny", clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores }] }], interconnect: { type: "fsb" } });

const post = (body: unknown, headers?: Record<string, string>) => request("POST", "/api/runs", body, headers);

describe("POST /api/runs refuses", () => {
  it.each([
    ["an unknown experiment", { experiment: "nope" }, 400, "experiment", /must be one of .*shootdown/],
    ["an unknown machine", { experiment: "lrpc", machine: "cray-1" }, 400, "machine", /must be one of .*amd-8x4/],
    ["more cores than the machine has", { experiment: "shootdown", machine: "amd-2x2", cores: 5 }, 422, "cores", /1\.\.4: amd-2x2 has 4 cores/],
    ["a core count the experiment refuses", { experiment: "shootdown", cores: 1 }, 422, "cores", /at least 2 cores/],
    ["cores in a list, one out of range", { experiment: "unmap", machine: "amd-4x4", cores: [2, 64] }, 422, "cores", /not 64/],
    ["cores for an experiment that boots its own", { experiment: "lrpc", cores: 2 }, 422, "cores", /leave cores out/],
    ["cores given twice", { experiment: "unmap", cores: 2, params: { cores: [4] } }, 400, "cores", /not both/],
    ["params.cores beyond the machine", { experiment: "unmap", machine: "amd-2x2", params: { cores: [8] } }, 422, "params.cores[0]", /amd-2x2 has 4/],
    ["an unknown protocol", { experiment: "shootdown", params: { protocols: ["smoke-signals"] } }, 422, "params.protocols[0]", /unknown protocol/],
    ["a protocol named twice", { experiment: "shootdown", params: { protocols: ["unicast", "unicast"] } }, 422, "params.protocols[1]", /"unicast" is named twice/],
    ["a thousand protocols", { experiment: "shootdown", params: { protocols: Array.from({ length: 1000 }, () => "unicast") } }, 422, "params.protocols", /at most 4 protocols/],
    ["kernels named twice", { experiment: "unmap", params: { kernels: ["linux", "linux"] } }, 422, "params.kernels[1]", /named twice/],
    ["more variants than there are", { experiment: "twopc", params: { variants: ["single", "pipelined", "single"] } }, 422, "params.variants", /at most 2 variants/],
    ["a twopc run that would hold too many capabilities", { experiment: "twopc", engine: "inproc", params: { reps: 300 } }, 422, "params.reps", /at most 131072/],
    ["an unknown parameter", { experiment: "lrpc", params: { colour: "red" } }, 422, "params.colour", /not a parameter/],
    ["a parameter of the wrong type", { experiment: "lrpc", params: { calls: "many" } }, 422, "params.calls", /number/],
    ["a field of the wrong type", { experiment: "lrpc", engine: 3 }, 400, "engine", null],
    ["trace that is not a boolean", { experiment: "lrpc", trace: "yes" }, 400, "trace", /boolean/],
    ["cores that are not numbers", { experiment: "unmap", cores: "four" }, 400, "cores", /number of cores/],
    ["more core counts than a run takes", { experiment: "unmap", cores: Array.from({ length: 65 }, (_, i) => 2 + (i % 30)) }, 400, "cores", /^at most 64 core counts$/],
    ["a core count that is not whole", { experiment: "unmap", cores: [2, 2.5] }, 400, "cores", /^item 1: must be an integer$/],
    ["a core count that is not a number", { experiment: "unmap", cores: [2, "4"] }, 400, "cores", /^item 1: must be a number$/],
    ["no core count", { experiment: "unmap", cores: 0 }, 400, "cores", /^at least 1 core$/],
    ["an extra field", { experiment: "lrpc", colour: "red" }, 400, "colour", /unknown field/],
    ["no experiment", {}, 400, "experiment", null],
    ["a machine and a description", { experiment: "lrpc", machine: "amd-2x2", machineDescription: tiny([0]) }, 400, "machineDescription", /not both/],
    ["a description that does not fit the format", { experiment: "lrpc", machineDescription: { ...tiny([0]), clockGHz: "fast" } }, 400, "machineDescription.clockGHz", /number/],
    ["a description that is not a machine", { experiment: "lrpc", machineDescription: tiny([1]) }, 422, "machineDescription.packages[0].dies[0].cores[0]", /dense/],
    ["a body that is not an object", [1, 2], 400, "body", null],
    ["a cost no machine has", { experiment: "lrpc", machineDescription: { ...tiny([0, 1]), costs: { dispatcherSwitch: 1e308 } } }, 400, "machineDescription.costs.dispatcherSwitch", /at most 1000000 cycles/],
    ["a clock no machine has", { experiment: "lrpc", machineDescription: { ...tiny([0, 1]), clockGHz: 1e-300 } }, 400, "machineDescription.clockGHz", /0\.1 to 10 GHz/],
    ["latencies no machine has", { experiment: "lrpc", machineDescription: { ...tiny([0, 1]), latencyMatrix: { unit: "ns", values: [[0, 1e308], [1e308, 0]] } } }, 422, "machineDescription.latencyMatrix.values[0][1]", /at most 1000000 cycles/],
    ["faults on a core the machine lacks", { experiment: "shootdown", machine: "amd-2x2", engine: "durable", faults: { restart: { cores: [1, 4] } } }, 422, "faults.restart.cores[1]", /no core 4 \(its cores are 0 to 3\)/],
    ["faults on the in-process engine", { experiment: "shootdown", engine: "inproc", faults: { evict: {} } }, 422, "faults", /only the durable engine/],
    ["a poll budget past any clock", { experiment: "unmap", params: { pollBudget: 2e6 } }, 422, "params.pollBudget", /at most 1000000 \(Barrelfish polls 2000\)/],
  ])("%s", async (_what, body, status, field, reason) => {
    await expectError(await post(body), status, field, reason ?? undefined);
  });

  it("malformed JSON", async () => {
    await expectError(await post('{"experiment": "lrpc",'), 400, "body", /not valid JSON/);
  });

  it("a body that is not JSON", async () => {
    await expectError(await post("experiment=lrpc", { "content-type": "application/x-www-form-urlencoded" }), 415, "Content-Type");
  });

  it("a body over 256 KiB", async () => {
    await expectError(await post({ experiment: "lrpc", params: { pad: "x".repeat(300 * 1024) } }), 413, "body", /256 KiB/);
  });

  it("a machine description larger than a run may be", async () => {
    const machineDescription = tiny(Array.from({ length: 1028 }, (_, i) => i));
    await expectError(await post({ experiment: "lrpc", machineDescription }), 422, "machineDescription", /at most 1024/);
  });

  it("and starts nothing", async () => {
    expect(await registryStub(env.REGISTRY).active()).toEqual([]);
  });
});
