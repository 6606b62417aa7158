// Every list a run takes is bounded: protocols, kernels and variants are the
// experiment's own choices, each at most once, and a run plans at most
// MAX_SIMULATIONS simulations.
import { describe, expect, it } from "vitest";
import { EXPERIMENTS, MAX_SIMULATIONS, ParamError, parseParams, type Experiment } from "../../src/experiments/index.ts";
import { MAX_REPLICA_CAPS } from "../../src/experiments/twopc.ts";
import { preset } from "../../src/hwmodel/index.ts";

const refusal = (fn: () => unknown): ParamError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ParamError);
    return e as ParamError;
  }
  throw new Error("expected a ParamError");
};

const parse = (name: string, params: unknown) => () => parseParams(EXPERIMENTS.byName(name)!, params);

describe("bounded lists", () => {
  it.each([
    ["shootdown", "protocols", ["unicast", "broadcast", "multicast", "numa-multicast"]],
    ["unmap", "kernels", ["barrelfish", "linux", "windows"]],
    ["twopc", "variants", ["single", "pipelined"]],
  ])("%s: %s are the experiment's own, each once", (experiment, field, all) => {
    expect(parseParams(EXPERIMENTS.byName(experiment)!, { [field]: [...all].reverse() })).toMatchObject({ [field]: [...all].reverse() });
    const twice = refusal(parse(experiment, { [field]: [all[0], all[0]] }));
    expect(twice.field).toBe(`${field}[1]`);
    expect(twice.reason).toMatch(new RegExp(`"${all[0]}" is named twice`));
    const many = refusal(parse(experiment, { [field]: Array.from({ length: 1000 }, () => all[0]) }));
    expect(many.field).toBe(field);
    expect(many.reason).toMatch(new RegExp(`^must name at most ${all.length} `));
  });

  it(`a run plans at most ${MAX_SIMULATIONS} simulations`, async () => {
    const wide: Experiment<unknown> = {
      ...EXPERIMENTS.byName("lrpc")!,
      name: "wide",
      plan: (machine) => Array.from({ length: MAX_SIMULATIONS + 1 }, () => ({ experiment: "wide", machine: machine.description, cores: 1, params: null })),
    };
    const set = EXPERIMENTS.with(wide);
    await expect(set.plan("wide", preset("amd-2x2")!, {})).rejects.toThrow(`params: ${MAX_SIMULATIONS + 1} simulations; a run has at most ${MAX_SIMULATIONS}`);
  });

  it("twopc holds at most MAX_REPLICA_CAPS capabilities in the replicas of a simulation", async () => {
    const amd84 = preset("amd-8x4")!;
    // 32 cores x 300 retypes x 17: the run that took the local server's memory.
    await expect(EXPERIMENTS.plan("twopc", amd84, { reps: 300, variants: ["single"] })).rejects.toThrow(
      `reps: 163200 capabilities in the replicas of one simulation (cores x retypes x 17); at most ${MAX_REPLICA_CAPS}`,
    );
    await expect(EXPERIMENTS.plan("twopc", amd84, { reps: 16, cores: [32] })).rejects.toBeInstanceOf(ParamError);
    expect((await EXPERIMENTS.plan("twopc", amd84, { reps: 15, cores: [2, 32] })).specs).toHaveLength(4);
  });
});
