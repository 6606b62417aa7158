import { preset, syntheticMachine, type Machine } from "../src/hwmodel/index.ts";
import { SystemKnowledgeBase } from "../src/skb/index.ts";
import type { BenchEntry, Row } from "./entry";
import { median } from "../src/experiments/sweep.ts";

// Building a machine's SKB (facts and rules in tau-prolog) and having its
// rules compute the NUMA-aware multicast tree: the steady state, after
// warm-up runs (the first build in a process also parses the rules, ~20 ms).
const WARMUP = 3;
const CASES: { machine: () => Machine; reps: number; targetMs: number }[] = [
  { machine: () => preset("amd-8x4")!, reps: 31, targetMs: 20 },
  { machine: () => syntheticMachine(1024), reps: 5, targetMs: 2000 },
];

const round2 = (x: number): number => Math.round(x * 100) / 100;

const skb: BenchEntry = {
  name: "skb",
  title: "SKB: facts for a machine + its numa-multicast tree from core 0, in Node (tau-prolog)",
  async run() {
    const rows: Row[] = [];
    for (const { machine, reps, targetMs } of CASES) {
      const m = machine();
      const facts: number[] = [];
      const tree: number[] = [];
      for (let i = 0; i < WARMUP + reps; i++) {
        const t0 = performance.now();
        const kb = await SystemKnowledgeBase.for(m);
        const t1 = performance.now();
        await kb.route("numa-multicast", 0);
        const t2 = performance.now();
        if (i < WARMUP) continue;
        facts.push(t1 - t0);
        tree.push(t2 - t1);
      }
      const total = facts.map((f, i) => f + tree[i]);
      rows.push({
        machine: m.name,
        cores: m.numCores,
        reps,
        "facts ms": round2(median(facts)),
        "tree ms": round2(median(tree)),
        "total ms (median)": round2(median(total)),
        "total ms (max)": round2(Math.max(...total)),
        "target ms": targetMs,
        within: median(total) < targetMs ? "yes" : "NO",
      });
    }
    return rows;
  },
};

export default skb;
