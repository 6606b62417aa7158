// The macro results come out of the mechanisms; these tests pin their shape
// (who wins, where it crosses over) and the two-core calibration points.
import { describe, expect, it } from "vitest";
import { inProcessSimulator, runExperiment, type Series } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";

const at = (series: Series[], name: string, cores: number) => series.find((s) => s.name === name)!.points.find((p) => p.cores === cores)!.cycles;

describe("the paper's sweeps", () => {
  it("shootdown (Figure 6): the NUMA-aware multicast is cheapest at 32 cores, unicast and broadcast grow fastest", async () => {
    const { result } = await runExperiment("shootdown", preset("amd-8x4")!, { cores: [2, 32], reps: 3 }, inProcessSimulator(), "inproc");
    const s = result.series;
    expect(s.map((x) => x.name)).toEqual(["unicast", "broadcast", "multicast", "numa-multicast"]);
    // With two cores every protocol is the same one exchange.
    expect(new Set(s.map((x) => at(s, x.name, 2))).size).toBe(1);
    expect(at(s, "numa-multicast", 32)).toBeLessThan(at(s, "multicast", 32));
    expect(at(s, "multicast", 32)).toBeLessThan(at(s, "unicast", 32));
    expect(at(s, "multicast", 32)).toBeLessThan(at(s, "broadcast", 32));
  });

  it("unmap (Figure 7): two-core points match the calibration, and Barrelfish scales better than the IPI kernels", async () => {
    const { result } = await runExperiment("unmap", preset("amd-8x4")!, { cores: [2, 32], reps: 3 }, inProcessSimulator(), "inproc");
    const s = result.series;
    for (const [kernel, paper] of [["barrelfish", 10300], ["linux", 5200], ["windows", 5800]] as const) {
      expect(Math.abs(at(s, kernel, 2) - paper) / paper, kernel).toBeLessThan(0.02);
    }
    expect(at(s, "barrelfish", 32)).toBeLessThan(at(s, "windows", 32));
    expect(at(s, "barrelfish", 32) / at(s, "barrelfish", 2)).toBeLessThan(at(s, "linux", 32) / at(s, "linux", 2));
  });

  it("twopc (Figure 8): pipelining costs less per operation than one at a time, at every size", async () => {
    const { result } = await runExperiment("twopc", preset("amd-8x4")!, { cores: [2, 8, 32], reps: 2 }, inProcessSimulator(), "inproc");
    for (const n of [2, 8, 32]) expect(at(result.series, "pipelined", n)).toBeLessThan(at(result.series, "single", n));
    expect(at(result.series, "single", 32)).toBeGreaterThan(at(result.series, "single", 2));
  });

  it("shared-update (Figure 3): shared memory grows with cores and lines until it dwarfs the messages, and the server outruns all sharers", async () => {
    const { result } = await runExperiment("shared-update", preset("amd-4x4")!, { cores: [2, 16] }, inProcessSimulator(), "inproc");
    const s = result.series;
    for (const k of [1, 2, 4, 8]) expect(at(s, `SHM${k}`, 16)).toBeGreaterThan(at(s, `SHM${k}`, 2));
    expect(at(s, "SHM8", 16)).toBeGreaterThan(at(s, "SHM1", 16));
    expect(at(s, "SHM8", 16)).toBeGreaterThan(at(s, "MSG8", 16));
    // One server core does more updates per cycle than the 16 sharing cores together.
    expect(1 / at(s, "Server", 16)).toBeGreaterThan(16 / at(s, "SHM8", 16));
  });

  it("rejects core counts the machine does not have, and unknown protocols", async () => {
    await expect(runExperiment("shootdown", preset("amd-4x4")!, { cores: [2, 32] }, inProcessSimulator(), "inproc")).rejects.toThrow("cores[1]: must be at most 16 (amd-4x4 has 16 cores), got 32");
    await expect(runExperiment("shootdown", preset("amd-8x4")!, { protocols: ["carrier-pigeon"] }, inProcessSimulator(), "inproc")).rejects.toThrow(/unknown protocol "carrier-pigeon"/);
  });
});
