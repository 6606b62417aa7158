// Table 2 of the paper, measured on the simulated mechanism: for one pair of
// cores of each class the machine has, a ping-pong (send one message, spin on
// the reply; the round trip is the latency) and a pipelined stream with a
// queue of 16 messages (messages delivered per 1000 cycles).
import { z } from "zod";
import { PAPER_URPC, pairClasses } from "../hwmodel/index.ts";
import type { Json } from "../engine/index.ts";
import type { Application, Os } from "../monitor/index.ts";
import type { Experiment, RunSpec } from "./experiment.ts";
import { median } from "./sweep.ts";
import { kernelSystem } from "./system.ts";

const Params = z.strictObject({
  /** Round trips before measuring, to warm the channel. */
  warmup: z.number().int().min(0).max(1000).default(4),
  /** Round trips measured. */
  iterations: z.number().int().min(1).max(10000).default(16),
  /** Messages in the pipelined stream; the first queue-full is not measured. */
  stream: z.number().int().min(32).max(100000).default(400),
  /** The stream's queue: at most this many messages unacknowledged. */
  queue: z.number().int().min(2).max(1024).default(16),
});
type Params = z.infer<typeof Params>;

interface Point extends Params {
  pair: string;
  a: number;
  b: number;
}

/** Core a pings b, then streams to b; b answers pings and timestamps the stream. */
const pingPongThenStream: Application = {
  start(os, data) {
    const p = data as unknown as Point;
    os.vars.left = p.warmup + p.iterations;
    ping(os, p);
  },
  message(os, src, body) {
    const m = body as { t: string; measured?: boolean };
    const p = os.vars.point as unknown as Point;
    if (m.t === "ping") return os.send(src, { t: "pong" });
    if (m.t === "pong") {
      const left = (os.vars.left as number) - 1;
      os.vars.left = left;
      if (left < p.iterations) os.record("rtt", os.now - (os.vars.sentAt as number));
      if (left > 0) return ping(os, p);
      for (let n = 0; n < p.stream; n++) os.send(p.b, { t: "data", measured: n >= p.queue });
      return;
    }
    if (m.t === "data" && m.measured) os.record("received", os.now);
  },
};

function ping(os: Os, p: Point): void {
  os.vars.point = p as unknown as Json;
  os.vars.sentAt = os.now;
  os.send(p.b, { t: "ping" });
}


export const urpc: Experiment<Params> = {
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
        params: { ...params, pair, a, b } as unknown as Json,
      }));
  },
  system(spec: RunSpec) {
    const p = spec.params as unknown as Point;
    return kernelSystem(spec, { app: pingPongThenStream, starts: new Map([[p.a, p as unknown as Json]]), config: { slots: p.queue } });
  },
  summarize(machine, _params, specs, outcomes) {
    const rows = specs.map((spec, i) => {
      const p = spec.params as unknown as Point;
      const rtts = ((outcomes[i].cores[p.a].result as { records: { rtt?: number[] } }).records.rtt ?? []) as number[];
      const got = ((outcomes[i].cores[p.b].result as { records: { received?: number[] } }).records.received ?? []) as number[];
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
