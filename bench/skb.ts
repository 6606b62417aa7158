import { preset, syntheticMachine, type Machine } from "../src/hwmodel/index.ts";
import { SystemKnowledgeBase } from "../src/skb/index.ts";
import type { BenchEntry, Row } from "./entry";
import { median } from "../src/experiments/sweep.ts";

// Building a machine's SKB (facts and rules in tau-prolog) and having its
// rules compute the NUMA-aware multicast tree, then queries as a user sends
// them: the steady state, after warm-up runs (the first build in a process
// also parses the rules, ~20 ms).
const WARMUP = 3;
const BUILDS: { machine: () => Machine; reps: number; targetMs: number }[] = [
  { machine: () => preset("amd-8x4")!, reps: 31, targetMs: 20 },
  { machine: () => syntheticMachine(1024), reps: 5, targetMs: 2000 },
];
const QUERIES: { machine: () => Machine; query: string; reps: number; targetMs: number }[] = [
  { machine: () => preset("amd-8x4")!, query: "leader(1, L)", reps: 101, targetMs: 2 },
  { machine: () => preset("amd-8x4")!, query: "rtt(0, B, C), C > 615", reps: 101, targetMs: 5 },
  { machine: () => preset("amd-8x4")!, query: "route(multicast, 0, Sends)", reps: 31, targetMs: 20 },
  { machine: () => syntheticMachine(1024), query: "rtt(0, 1000, C)", reps: 31, targetMs: 5 },
];

const round2 = (x: number): number => Math.round(x * 100) / 100;

function row(what: string, m: Machine, times: number[], targetMs: number): Row {
  return {
    what,
    machine: m.name,
    reps: times.length,
    "median ms": round2(median(times)),
    "max ms": round2(Math.max(...times)),
    "target ms": targetMs,
    within: median(times) < targetMs ? "yes" : "NO",
  };
}

async function timed(reps: number, body: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + reps; i++) {
    const t0 = performance.now();
    await body();
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  return times;
}

const skb: BenchEntry = {
  name: "skb",
  title: "SKB in Node (tau-prolog): facts + numa-multicast tree from core 0; queries as users send them",
  async run() {
    const rows: Row[] = [];
    for (const { machine, reps, targetMs } of BUILDS) {
      const m = machine();
      rows.push(row("facts + numa-multicast tree", m, await timed(reps, async () => (await SystemKnowledgeBase.for(m)).route("numa-multicast", 0)), targetMs));
    }
    for (const { machine, query, reps, targetMs } of QUERIES) {
      const m = machine();
      const kb = await SystemKnowledgeBase.for(m);
      rows.push(row(`query ${query}`, m, await timed(reps, () => kb.query(query)), targetMs));
    }
    return rows;
  },
};

export default skb;
