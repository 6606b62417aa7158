// Table 2 of the paper, measured on the simulated mechanism: for one pair of
// cores of each class the machine has, a ping-pong (send one message, spin on
// the reply; the round trip is the latency) and a pipelined stream with a
// queue of 16 messages (messages delivered per 1000 cycles).
import { z } from "zod";
import { PAPER_URPC, pairClasses } from "../hwmodel/index.ts";
import type { Application, Os } from "../kernel/index.ts";
import type { Experiment } from "./experiment.ts";
import { intParam, median } from "./sweep.ts";
import { kernelSystem, recordsOf } from "./system.ts";

const Params = z.strictObject({
  warmup: intParam(0, 1000).default(4).describe("round trips before measuring, to warm the channel"),
  iterations: intParam(1, 10000).default(16).describe("round trips measured; the median is the latency"),
  stream: intParam(32, 100000).default(400).describe("messages in the pipelined stream; the first queue-full is not measured"),
  queue: intParam(2, 1024).default(16).describe("the stream's queue: messages sent and not yet acknowledged, at most"),
});
type Params = z.infer<typeof Params>;

type Point = Params & {
  pair: string;
  a: number;
  b: number;
};

type Ping = { t: "ping" } | { t: "pong" } | { t: "data"; measured: boolean };

/** On core a: the run's point, round trips still to make, when the last ping left. */
type PingState = { point: Point | null; left: number; sentAt: number };

/** Core a pings b, then streams to b; b answers pings and timestamps the stream. */
const pingPongThenStream: Application<PingState, Point, Ping> = {
  initial: { point: null, left: 0, sentAt: 0 },
  start(os, p) {
    os.state = { point: p, left: p.warmup + p.iterations, sentAt: 0 };
    ping(os);
  },
  message(os, src, m) {
    if (m.t === "ping") return os.send(src, { t: "pong" });
    if (m.t === "data") {
      if (m.measured) os.record("received", os.now);
      return;
    }
    const s = os.state;
    const p = s.point!;
    s.left--;
    if (s.left < p.iterations) os.record("rtt", os.now - s.sentAt);
    if (s.left > 0) return ping(os);
    for (let n = 0; n < p.stream; n++) os.send(p.b, { t: "data", measured: n >= p.queue });
  },
};

function ping(os: Os<PingState>): void {
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
    return kernelSystem(spec, { app: pingPongThenStream, starts: new Map([[p.a, p]]), config: { slots: p.queue } });
  },
  summarize(machine, _params, specs, outcomes) {
    const rows = specs.map((spec, i) => {
      const p = spec.params;
      const rtts = (recordsOf(outcomes[i], p.a).rtt ?? []) as number[];
      const got = (recordsOf(outcomes[i], p.b).received ?? []) as number[];
      const throughput = got.length > 1 ? ((got.length - 1) * 1000) / (got[got.length - 1] - got[0]) : 0;
      const paper = PAPER_URPC.find((f) => f.machine === machine.name && f.pair === p.pair);
      return {
        pair: p.pair,
        cores: [p.a, p.b],
        latency: median(rtts),
        throughput: Math.round(throughput * 100) / 100,
        ...(paper ? { paperLatency: paper.latency, paperThroughput: paper.throughput } : {}),
      };
    });
    return { rows, series: [] };
  },
};
