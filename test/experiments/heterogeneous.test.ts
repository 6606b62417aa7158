// The workloads on a machine of mixed clocks (amd-8x4-biglittle): a slow
// core's own work takes twice the time, what lies outside the cores does not,
// and the NUMA-aware tree, with fast cores forwarding, beats the plain
// multicast by more than on the homogeneous amd-8x4.
import { describe, expect, it } from "vitest";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { Machine, PAPER_LRPC, preset, presetDescription } from "../../src/hwmodel/index.ts";

const run = (name: string, machine: string, params: object) => runExperiment(name, preset(machine)!, params, inProcessSimulator(), "inproc");
const points = async (name: string, machine: string, params: object) => (await run(name, machine, params)).result.series[0].points.map((p) => p.cycles);

describe("experiments on amd-8x4-biglittle", () => {
  it("an LRPC on core 0, at half clock, takes exactly twice Table 1's amd-8x4 figure: it is all the core's own work", async () => {
    const { result } = await run("lrpc", "amd-8x4-biglittle", {});
    expect((result.rows[0] as { latency: number }).latency).toBe(2 * PAPER_LRPC["amd-8x4"]);
  });

  it("unmap and twopc run, on every tree, and a slow initiator makes every point dearer than on amd-8x4", async () => {
    for (const protocol of ["unicast", "multicast", "numa-multicast"]) {
      const params = { cores: [2, 8, 32], kernels: ["barrelfish"], protocol, reps: 1 };
      const [slow, ref] = [await points("unmap", "amd-8x4-biglittle", params), await points("unmap", "amd-8x4", params)];
      for (let i = 0; i < 3; i++) expect(slow[i]).toBeGreaterThan(ref[i]);
    }
    const two = await points("twopc", "amd-8x4-biglittle", { cores: [4], variants: ["single"], reps: 1 });
    expect(two[0]).toBeGreaterThan((await points("twopc", "amd-8x4", { cores: [4], variants: ["single"], reps: 1 }))[0]);
  });

  it("the NUMA-aware tree saves more over the plain multicast than on amd-8x4, where the leaders are as fast as any core", async () => {
    const gap = async (machine: string) => {
      const at = (protocol: string) => points("twopc", machine, { cores: [8, 32], variants: ["single"], protocol, reps: 1 });
      const [plain, numa] = [await at("multicast"), await at("numa-multicast")];
      return plain.map((p, i) => p - numa[i]);
    };
    const [hetero, homo] = [await gap("amd-8x4-biglittle"), await gap("amd-8x4")];
    for (let i = 0; i < 2; i++) expect(hetero[i]).toBeGreaterThan(homo[i]);
  });

  it("amd-8x4 with every package naming its own clock, 2.0 GHz, is amd-8x4: the same results and trace hashes", async () => {
    const d = structuredClone(presetDescription("amd-8x4")!);
    for (const p of d.packages) p.clockGHz = 2;
    const params = { cores: [2, 8, 32], reps: 1 };
    for (const name of ["unmap", "twopc"]) {
      const [a, b] = [await run(name, "amd-8x4", params), await runExperiment(name, Machine.from(d), params, inProcessSimulator(), "inproc")];
      expect(b.result.hashes).toEqual(a.result.hashes);
      expect(b.result.series).toEqual(a.result.series);
    }
  });
});
