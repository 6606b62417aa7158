// The in-process engine: simulated events per wall second on a large sweep
// of the paper's experiments, and the biggest machine booting and running a
// broadcast. Target: at least 2 million events per second on one core.
import type { BenchEntry, Row } from "./entry";
import { inProcessRunner, runExperiment } from "../src/experiments/index.ts";
import { preset, syntheticMachine, type Machine } from "../src/hwmodel/index.ts";

async function measure(label: string, machine: Machine, experiment: string, params: object): Promise<Row> {
  const t0 = performance.now();
  const { result } = await runExperiment(experiment, machine, params, inProcessRunner(), "inproc");
  const totalMs = performance.now() - t0;
  const s = result.stats;
  return {
    case: label,
    events: s.events,
    windows: s.windows,
    "run ms": Math.round(s.wallMs),
    "total ms": Math.round(totalMs),
    "M events/s": Math.round((s.events / s.wallMs) * 1e3) / 1e6,
  };
}

const entry: BenchEntry = {
  name: "engine",
  title: "in-process engine: simulated events per wall second (target >= 2 M/s), and a 4096-core broadcast",
  async run() {
    const amd = preset("amd-8x4")!;
    // Warm the JIT on a small run first: the figures are for the steady state.
    await measure("warm-up", amd, "shootdown", { cores: [8], reps: 200 });
    return [
      await measure("shootdown sweep, amd-8x4, 2..32 cores x 4 protocols x 2000 reps", amd, "shootdown", { cores: [2, 4, 8, 16, 32], reps: 2000 }),
      await measure("urpc, amd-8x4, streams of 100000", amd, "urpc", { stream: 100000, iterations: 5000 }),
      await measure("twopc sweep, amd-8x4, single and pipelined x 20 reps", amd, "twopc", { cores: [2, 8, 16, 32], reps: 20 }),
      await measure("shootdown, synthetic 1024 cores, numa-multicast x 50", syntheticMachine(1024), "shootdown", { cores: [1024], protocols: ["numa-multicast"], reps: 50 }),
      await measure("shootdown, synthetic 4096 cores, broadcast x 2 (boot included in total)", syntheticMachine(4096), "shootdown", { cores: [4096], protocols: ["broadcast"], reps: 2 }),
    ];
  },
};

export default entry;
