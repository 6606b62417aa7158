// A sweep left without core counts runs the paper's sweep as far as the
// machine goes, ending at the machine's own count; counts given are kept.
import { describe, expect, it } from "vitest";
import { EXPERIMENTS } from "../../src/experiments/index.ts";
import { Machine, preset } from "../../src/hwmodel/index.ts";

const coresOf = async (experiment: string, machine: Machine, params: object = {}) => [
  ...new Set((await EXPERIMENTS.plan(experiment, machine, params)).specs.map((s) => s.cores)),
];

describe("the default sweep fits the machine", () => {
  it("shootdown: the paper's counts up to 32 on amd-8x4, up to 16 on amd-4x4, 2, 4, 8 on intel-2x4", async () => {
    expect(await coresOf("shootdown", preset("amd-8x4")!)).toEqual([2, 4, 8, 12, 16, 20, 24, 28, 32]);
    expect(await coresOf("shootdown", preset("amd-4x4")!)).toEqual([2, 4, 8, 12, 16]);
    expect(await coresOf("unmap", preset("intel-2x4")!)).toEqual([2, 4, 8]);
    expect(await coresOf("shared-update", preset("intel-2x4")!)).toEqual([2, 4, 6, 8]);
  });

  it("ends at the machine's own count when the paper's sweep passes it", async () => {
    const six = Machine.from({ name: "six", clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1, 2, 3, 4, 5] }] }], interconnect: { type: "fsb" } });
    expect(await coresOf("twopc", six, { reps: 2 })).toEqual([2, 4, 6]);
  });

  it("keeps counts that are given, and refuses those the machine does not have", async () => {
    expect(await coresOf("shootdown", preset("amd-4x4")!, { cores: [3, 5] })).toEqual([3, 5]);
    await expect(EXPERIMENTS.plan("shootdown", preset("amd-4x4")!, { cores: [32] })).rejects.toThrow(/at most 16/);
  });

  it("leaves experiments that boot the cores they need alone", async () => {
    expect((await EXPERIMENTS.plan("urpc", preset("amd-4x4")!, {})).params).not.toHaveProperty("cores");
  });
});
