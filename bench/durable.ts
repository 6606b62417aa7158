import { startLocalDurable } from "../src/cli/local-durable.ts";
import { inProcessSimulator, runExperiment } from "../src/experiments/index.ts";
import { preset, syntheticMachine, type Machine } from "../src/hwmodel/index.ts";
import type { BenchEntry, Row } from "./entry";

interface Case {
  name: string;
  experiment: string;
  machine: Machine;
  params: Record<string, unknown>;
}

// Sweeps of the paper's experiments, then big synthetic machines with small
// workloads; the largest runs the message-based shared update (every core
// sends to core 0 and waits for its answer). A 1024-core shootdown, and
// whole sweeps through the API, are in bench/sweeps.ts.
const CASES: Case[] = [
  { name: "urpc sweep", experiment: "urpc", machine: preset("amd-8x4")!, params: {} },
  { name: "shootdown sweep", experiment: "shootdown", machine: preset("amd-8x4")!, params: { protocols: ["unicast", "numa-multicast"], reps: 2 } },
  { name: "shootdown 256", experiment: "shootdown", machine: syntheticMachine(256), params: { cores: [256], protocols: ["numa-multicast"], reps: 1 } },
  { name: "MSG1 update 256", experiment: "shared-update", machine: syntheticMachine(256), params: { cores: [256], variants: ["MSG1"], updates: 1 } },
  { name: "MSG1 update 1024", experiment: "shared-update", machine: syntheticMachine(1024), params: { cores: [1024], variants: ["MSG1"], updates: 1 } },
];

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

const durable: BenchEntry = {
  name: "durable",
  title: "the durable engine (one DO per core) in local workerd: speed, DO calls per message, same hashes as in-process",
  async run() {
    const local = await startLocalDurable();
    try {
      const rows: Row[] = [];
      for (const c of CASES) {
        const t0 = performance.now();
        const inproc = await runExperiment(c.experiment, c.machine, c.params, inProcessSimulator(), "inproc");
        const inprocMs = performance.now() - t0;
        local.statuses.length = 0;
        const t1 = performance.now();
        const dur = await runExperiment(c.experiment, c.machine, c.params, local.simulator, "durable");
        const durableMs = performance.now() - t1;
        const s = dur.result.stats;
        const calls = local.statuses.reduce((n, st) => n + st.calls.total, 0);
        rows.push({
          case: c.name,
          simulations: local.statuses.length,
          "max cores": Math.max(...local.statuses.map((st) => st.cores)),
          events: s.events,
          messages: s.messages,
          windows: s.windows,
          "DO calls": calls,
          "calls/message": round(calls / s.messages, 2),
          "durable s": round(durableMs / 1000, 2),
          "ms/window": round(durableMs / s.windows, 2),
          "messages/s": Math.round(s.messages / (durableMs / 1000)),
          "in-process s": round(inprocMs / 1000, 3),
          "same hashes": inproc.result.hashes.join() === dur.result.hashes.join() ? "yes" : "NO",
        });
      }
      return rows;
    } finally {
      await local.dispose();
    }
  },
};

export default durable;
