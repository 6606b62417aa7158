// Windows' cost per IPI is an assumption (it has no public source): moving it
// keeps the two-core calibration point and moves the curve, by about the
// change times the IPIs beyond the first.
import { describe, expect, it } from "vitest";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";

async function windows(perIpi: number): Promise<[number, number]> {
  const params = { kernels: ["windows"], cores: [2, 32], windowsPerIpi: perIpi };
  const { result } = await runExperiment("unmap", preset("amd-8x4")!, params, inProcessSimulator(), "inproc");
  const [two, thirtyTwo] = result.series[0].points;
  return [two.cycles, thirtyTwo.cycles];
}

describe("Windows' per-IPI assumption", () => {
  it("keeps the two-core point and moves the 32-core one by about the change on each of its 30 more IPIs", async () => {
    const [base, cheap, dear] = await Promise.all([windows(800), windows(400), windows(1600)]);
    expect([base[0], cheap[0], dear[0]]).toEqual([5800, 5800, 5800]);
    // About: the later IPIs also shift when the targets' clears reach the flush line.
    expect(Math.abs(base[1] - cheap[1] - 30 * 400)).toBeLessThan(0.02 * 30 * 400);
    expect(Math.abs(dear[1] - base[1] - 30 * 800)).toBeLessThan(0.02 * 30 * 800);
  });
});
