// Whole runs through the API on the durable engine, as a visitor starts them:
// the default unmap and shootdown sweeps on amd-8x4 (target: each under 10 s)
// and a 1024-core numa-multicast shootdown, in local workerd, each beside the
// same run on the in-process engine, with how long the run's status took to
// answer while it ran. The sweeps run once with
// MAX_PARALLEL_SIMULATIONS as a deploy has it (wrangler.toml) and once as a
// local workerd has it (LOCAL_VARS: one simulation after another), so the
// table shows what running in parallel costs or saves locally; every durable
// run must give the in-process hashes.
import { deployedVars, LOCAL_VARS, startWorker, type LocalWorker } from "../src/cli/local-worker.ts";
import type { RunStatus } from "../src/core-object/protocol.ts";
import { inProcessSimulator, runExperiment } from "../src/experiments/index.ts";
import { preset, syntheticMachine, type Machine } from "../src/hwmodel/index.ts";
import type { BenchEntry, Row } from "./entry";

interface Case {
  name: string;
  experiment: string;
  machine: Machine;
  /** The request's machine: a preset by name, else the description. */
  preset: boolean;
  params: Record<string, unknown>;
}

const CASES: Case[] = [
  { name: "unmap, default sweep", experiment: "unmap", machine: preset("amd-8x4")!, preset: true, params: {} },
  { name: "shootdown, default sweep", experiment: "shootdown", machine: preset("amd-8x4")!, preset: true, params: {} },
  { name: "shootdown, 1024 cores, numa-multicast", experiment: "shootdown", machine: syntheticMachine(1024), preset: false, params: { cores: [1024], protocols: ["numa-multicast"], reps: 1 } },
];

const POLL_MS = 100;

/** A run through the API to its end, polled as the demo polls it (more often); how long each status request took to answer. */
async function apiRun(worker: LocalWorker, c: Case): Promise<{ ms: number; status: RunStatus; answers: number[] }> {
  const body = { experiment: c.experiment, ...(c.preset ? { machine: c.machine.name } : { machineDescription: c.machine.description }), params: c.params, engine: "durable" };
  const t0 = performance.now();
  const res = await worker.miniflare.dispatchFetch("http://edgefish.local/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST /api/runs ${c.name}: ${res.status} ${text}`);
  const { id } = JSON.parse(text) as { id: string };
  const answers: number[] = [];
  for (;;) {
    const asked = performance.now();
    const status = await worker.getJson<RunStatus>(`/api/runs/${id}`);
    answers.push(performance.now() - asked);
    if (status.status !== "running" && status.status !== "queued") {
      if (status.status !== "done") throw new Error(`${c.name}: ${status.status}: ${status.error}`);
      return { ms: performance.now() - t0, status, answers };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

const entry: BenchEntry = {
  name: "sweeps",
  title: "whole durable runs through the API in local workerd (target: default unmap and shootdown sweeps each under 10 s), beside in-process",
  async run() {
    const rows: Row[] = [];
    const inproc = new Map<string, { ms: number; hashes: string[] }>();
    for (const c of CASES) {
      const t0 = performance.now();
      const { result } = await runExperiment(c.experiment, c.machine, c.params, inProcessSimulator(), "inproc");
      inproc.set(c.name, { ms: performance.now() - t0, hashes: result.hashes });
    }
    // The sweeps with MAX_PARALLEL_SIMULATIONS as deployed, then as a local workerd has it; the one-simulation 1024-core run last, once.
    const deployed = deployedVars().MAX_PARALLEL_SIMULATIONS;
    const passes: [string, Case[]][] = [
      [deployed, CASES.filter((c) => c.machine.numCores < 1024)],
      [LOCAL_VARS.MAX_PARALLEL_SIMULATIONS, CASES.filter((c) => c.machine.numCores < 1024)],
      [LOCAL_VARS.MAX_PARALLEL_SIMULATIONS, CASES.filter((c) => c.machine.numCores >= 1024)],
    ];
    for (const [parallel, cases] of passes) {
      const worker = await startWorker({ vars: { MAX_PARALLEL_SIMULATIONS: parallel } });
      try {
        for (const c of cases) {
          const { status: s, ms, answers } = await apiRun(worker, c);
          answers.sort((a, b) => a - b);
          const ref = inproc.get(c.name)!;
          const row: Row = {
            case: c.name,
            simulations: s.progress.simulations,
            "at once": s.progress.parallel,
            windows: s.progress.windows,
            "durable s": seconds(ms),
            "in-process s": Math.round(ref.ms) / 1000,
            "durable / in-process": Math.round(ms / ref.ms),
            "status answer ms, median": Math.round(answers[answers.length >> 1]),
            "status answer ms, max": Math.round(answers[answers.length - 1]),
            "same hashes": s.simulations.map((x) => x.hash).join() === ref.hashes.join() ? "yes" : "NO",
          };
          // A row as soon as it is measured: the whole entry takes minutes.
          console.log(JSON.stringify(row));
          rows.push(row);
        }
      } finally {
        await worker.dispose();
      }
    }
    return rows;
  },
};

export default entry;
