import { startLocalDurable } from "../src/cli/local-durable.ts";
import { EXPERIMENTS, inProcessSimulator, runExperiment } from "../src/experiments/index.ts";
import { preset, syntheticMachine, type Machine } from "../src/hwmodel/index.ts";
import type { BenchEntry, Row } from "./entry";
import { InProcessTransport, simulate, type Transport, type WindowReport, type WindowRule } from "../src/engine/index.ts";
import { BATON_WINDOWS } from "../src/core-object/baton.ts";
import { NO_CALLS_BY_KIND, type CallsByKind } from "../src/core-object/protocol.ts";

interface Case {
  name: string;
  experiment: string;
  machine: Machine;
  params: Record<string, unknown>;
}

// Sweeps of the paper's experiments (unmap's is the demo's default), then big
// synthetic machines with small workloads; the largest runs the message-based
// shared update (every core sends to core 0 and waits for its answer). A
// 1024-core shootdown, and whole sweeps through the API, are in
// bench/sweeps.ts.
const CASES: Case[] = [
  { name: "urpc sweep", experiment: "urpc", machine: preset("amd-8x4")!, params: {} },
  { name: "unmap sweep", experiment: "unmap", machine: preset("amd-8x4")!, params: {} },
  { name: "shootdown sweep", experiment: "shootdown", machine: preset("amd-8x4")!, params: { protocols: ["unicast", "numa-multicast"], reps: 2 } },
  { name: "shootdown 256", experiment: "shootdown", machine: syntheticMachine(256), params: { cores: [256], protocols: ["numa-multicast"], reps: 1 } },
  { name: "MSG1 update 256", experiment: "shared-update", machine: syntheticMachine(256), params: { cores: [256], variants: ["MSG1"], updates: 1 } },
  { name: "MSG1 update 1024", experiment: "shared-update", machine: syntheticMachine(1024), params: { cores: [1024], variants: ["MSG1"], updates: 1 } },
];

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

interface Measured {
  hashes: string[];
  windows: number;
  messages: number;
  calls: number;
  /** The same calls by the operation that made them. */
  byKind: CallsByKind;
  /** The longest chain of nested calls of any operation: the design bounds it. */
  depth: number;
  /** Characters of core state the windows wrote, and what saving every state whole would have written. */
  written: number;
  whole: number;
  seconds: number;
}

/**
 * The fewest Durable Object calls any way of starting the same windows could
 * make, counted on the in-process engine (whose windows the durable engine
 * runs too): a delivery per sender and destination of a window; a start for
 * each core due in a window that no message of the window before reached,
 * as if every delivery could start its destination, whoever sent it, save
 * one core that ran in the window before and carries on by itself; and a
 * boot and a collection per core.
 */
class CallFloor implements Transport {
  deliveries = 0;
  starts = 0;
  /** The destinations of the last window's messages, and the cores that ran in it. */
  private reached = new Set<number>();
  private ran = new Set<number>();

  constructor(private readonly inner: InProcessTransport) {}

  get agenda(): Float64Array {
    return this.inner.agenda;
  }

  start(): Promise<number> {
    return this.inner.start();
  }

  window(bounds: Float64Array): WindowReport {
    const { agenda, cores } = this.inner;
    const due: number[] = [];
    for (let c = 0; c < agenda.length; c++) if (agenda[c] < bounds[c]) due.push(c);
    const unreached = due.filter((c) => !this.reached.has(c));
    this.starts += unreached.length - (unreached.some((c) => this.ran.has(c)) ? 1 : 0);
    const before = due.map((c) => ({ ...cores[c].channels.state().sent }));
    const report = this.inner.window(bounds);
    this.reached = new Set();
    due.forEach((c, i) => {
      for (const [dst, n] of Object.entries(cores[c].channels.state().sent)) {
        if (n === (before[i][Number(dst)] ?? 0)) continue;
        this.deliveries++;
        this.reached.add(Number(dst));
      }
    });
    this.ran = new Set(due);
    return report;
  }

  collect(): ReturnType<Transport["collect"]> {
    return this.inner.collect();
  }
}

/** A case's call floor (CallFloor), in all, and its deliveries and starts. */
async function floorOf(c: Case): Promise<{ calls: number; deliveries: number; starts: number }> {
  let calls = 0;
  let deliveries = 0;
  let starts = 0;
  await runExperiment(
    c.experiment,
    c.machine,
    c.params,
    async (spec) => {
      const system = EXPERIMENTS.systemFor(spec);
      const floor = new CallFloor(new InProcessTransport(system));
      const outcome = await simulate(floor, system.lookahead);
      deliveries += floor.deliveries;
      starts += floor.starts;
      calls += floor.deliveries + floor.starts + 2 * system.cores;
      return outcome;
    },
    "inproc",
  );
  return { calls, deliveries, starts };
}

/** One case on the durable engine under a window rule, with the baton or without, on its own workerd. */
async function onDurable(c: Case, windows: WindowRule, baton: number): Promise<Measured> {
  const local = await startLocalDurable({ windows, baton });
  try {
    const t0 = performance.now();
    const run = await runExperiment(c.experiment, c.machine, c.params, local.simulator, "durable");
    const seconds = (performance.now() - t0) / 1000;
    const s = run.result.stats;
    const calls = local.statuses.reduce((n, st) => n + st.calls.total, 0);
    const kinds = Object.keys(NO_CALLS_BY_KIND) as (keyof CallsByKind)[];
    const byKind = Object.fromEntries(kinds.map((k) => [k, local.statuses.reduce((n, st) => n + st.calls.byKind[k], 0)])) as unknown as CallsByKind;
    const depth = local.statuses.reduce((n, st) => Math.max(n, st.calls.depth), 0);
    const written = local.statuses.reduce((n, st) => n + st.stored.written, 0);
    const whole = local.statuses.reduce((n, st) => n + st.stored.whole, 0);
    return { hashes: run.result.hashes, windows: s.windows, messages: s.messages, calls, byKind, depth, written, whole, seconds };
  } finally {
    await local.dispose();
  }
}

const durable: BenchEntry = {
  name: "durable",
  title:
    "the durable engine (one DO per core) in local workerd against in-process on the same cases: windows and DO calls per simulated message, wall time, before (one global window, every window started by the Simulation) and after (per-core horizons, the cores passing the baton); core state saved per window, whole against the chunks written; same hashes everywhere",
  async run() {
    const rows: Row[] = [];
    for (const c of CASES) {
      const t0 = performance.now();
      const inproc = await runExperiment(c.experiment, c.machine, c.params, inProcessSimulator(), "inproc");
      const inprocS = (performance.now() - t0) / 1000;
      const global = await runExperiment(c.experiment, c.machine, c.params, inProcessSimulator({ windows: "global" }), "inproc");
      const before = await onDurable(c, "global", 0);
      const after = await onDurable(c, "horizons", BATON_WINDOWS);
      const floor = await floorOf(c);
      const messages = inproc.result.stats.messages;
      const same = [global.result.hashes, before.hashes, after.hashes].every((h) => h.join() === inproc.result.hashes.join());
      rows.push({
        case: c.name,
        simulations: inproc.result.hashes.length,
        messages,
        "windows/msg before": round(global.result.stats.windows / messages, 3),
        "windows/msg after": round(after.windows / messages, 3),
        "calls/msg before": round(before.calls / messages, 2),
        "calls/msg after": round(after.calls / messages, 2),
        "deliveries/msg": round(floor.deliveries / messages, 2),
        "calls/msg floor": round(floor.calls / messages, 2),
        // The calls after, and the floor's, told apart: the deliveries are the same windows' (the floor's count); boots and collections a call per core in both.
        "starts/msg after": round((after.byKind.windows - floor.deliveries) / messages, 2),
        "starts/msg floor": round(floor.starts / messages, 2),
        "commits/msg after": round(after.byKind.commits / messages, 2),
        "boots+collections/msg": round((after.byKind.boots + after.byKind.collections) / messages, 2),
        "call depth after": after.depth,
        "durable s before": round(before.seconds, 2),
        "durable s after": round(after.seconds, 2),
        "in-process s": round(inprocS, 3),
        "x in-process after": Math.round(after.seconds / inprocS),
        "ms/window after": round((after.seconds * 1000) / after.windows, 2),
        "state KB/window whole": round(after.whole / after.windows / 1024, 2),
        "state KB/window written": round(after.written / after.windows / 1024, 2),
        "same hashes": same && after.windows === inproc.result.stats.windows ? "yes" : "NO",
      });
      // Each case as it ends: a long run keeps what it measured if a later case fails.
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
    return rows;
  },
};

export default durable;
