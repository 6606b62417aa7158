// Table 2 of the paper, measured on the simulated mechanism as Barrelfish's
// own benchmark (usr/bench/ump_bench: latency.c, throughput.c) measures it,
// for one pair of cores of each class the machine has. One channel joins
// them, bound by core b, so both its rings are in b's memory. Latency: a
// sends, spins on the reply, and times the round trip (printed unhalved);
// b echoes. Throughput: a first queues 16 messages, then in a loop takes one
// reply and sends one more, b echoing: 16 messages circulate, and the figure
// is messages per 1000 cycles of a's loop.
import { z } from "zod";
import { PAPER_URPC, pairClasses, RING_SLOTS } from "../hwmodel/index.ts";
import type { Application, Os } from "../kernel/index.ts";
import type { Experiment } from "./experiment.ts";
import { intParam, median } from "./sweep.ts";
import { kernelSystem, recordsOf } from "./system.ts";

const Params = z.strictObject({
  warmup: intParam(0, 1000).default(4).describe("round trips before measuring, to warm the channel"),
  iterations: intParam(1, 10000).default(16).describe("round trips measured; the median is the latency"),
  stream: intParam(32, 100000).default(400).describe("iterations of the throughput loop; the first `queue` are not measured"),
  queue: intParam(1, RING_SLOTS - 1, `the ring has ${RING_SLOTS} slots`).default(16).describe("messages in circulation in the throughput loop (ump_bench's NUM_MSGS)"),
});
type Params = z.infer<typeof Params>;

type Point = Params & {
  pair: string;
  a: number;
  b: number;
};

/** a's messages, which b echoes: ping-pong, then the throughput loop. */
type Bench = { t: "ping" } | { t: "data" };

/** On core a: the run's point, round trips still to make, when the last ping left, loop iterations done. */
type BenchState = { point: Point | null; left: number; sentAt: number; looped: number };

const benchmark: Application<BenchState, Point, Bench> = {
  initial: { point: null, left: 0, sentAt: 0, looped: 0 },
  start(os, p) {
    os.state = { point: p, left: p.warmup + p.iterations, sentAt: 0, looped: 0 };
    ping(os);
  },
  message(os, src, m) {
    const s = os.state;
    const p = s.point;
    // b echoes everything.
    if (!p) return os.send(src, m);
    if (m.t === "ping") {
      s.left--;
      if (s.left < p.iterations) os.record("rtt", os.now - s.sentAt);
      if (s.left > 0) return ping(os);
      for (let n = 0; n < p.queue; n++) os.send(p.b, { t: "data" });
      return;
    }
    // The throughput loop: take a reply, mark the iteration, send one more. The
    // first `queue` iterations fill the pipeline, and the replies still in
    // flight when the loop ends come back with nothing sent: neither is marked.
    s.looped++;
    if (s.looped >= p.stream) return;
    if (s.looped > p.queue) os.record("loop", os.now);
    os.send(p.b, { t: "data" });
  },
};

function ping(os: Os<BenchState>): void {
  os.state.sentAt = os.now;
  os.send(os.state.point!.b, { t: "ping" });
}

export const urpc: Experiment<Params, Point> = {
  name: "urpc",
  summary: "URPC latency (ping-pong round trip) and pipelined throughput per core-pair class (Table 2)",
  defaultMachine: "amd-8x4",
  params: Params,
  plan(machine, params) {
    return pairClasses(machine)
      .filter((c) => c.pair !== "same-core")
      .map(({ pair, cores: [a, b] }) => ({
        experiment: "urpc",
        machine: machine.description,
        cores: b + 1,
        params: { ...params, pair, a, b },
      }));
  },
  label: ({ params: p }) => `${p.pair}, cores ${p.a} and ${p.b}`,
  system(spec) {
    const p = spec.params;
    return kernelSystem(spec, { app: benchmark, starts: new Map([[p.a, p]]), channels: [{ a: p.a, b: p.b, memoryOf: p.b }], config: { dispatch: "raw" } });
  },
  summarize(machine, _params, specs, outcomes) {
    const rows = specs.map((spec, i) => {
      const p = spec.params;
      const rtts = (recordsOf(outcomes[i], p.a).rtt ?? []) as number[];
      const got = (recordsOf(outcomes[i], p.a).loop ?? []) as number[];
      const throughput = got.length > 1 ? ((got.length - 1) * 1000) / (got[got.length - 1] - got[0]) : 0;
      const paper = PAPER_URPC.find((f) => f.machine === machine.name && f.pair === p.pair);
      return {
        pair: p.pair,
        cores: [p.a, p.b],
        // ump_bench prints the round trip; a machine whose costs read Table 2 as one-way halves it.
        latency: machine.description.table2Latency === "one-way" ? Math.round(median(rtts) / 2) : median(rtts),
        throughput: Math.round(throughput * 100) / 100,
        ...(paper ? { paperLatency: paper.latency, paperThroughput: paper.throughput } : {}),
      };
    });
    return { rows, series: [] };
  },
};
