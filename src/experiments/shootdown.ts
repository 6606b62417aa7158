// The paper's Figure 6: the raw messaging cost of the four TLB-shootdown
// protocols on the 8x4-core AMD, with no unmap work: core 0's monitor sends
// over the routing tree and collects every acknowledgement. All monitors
// poll (no blocking), as in a micro-benchmark.
import { z } from "zod";
import type { Experiment } from "./experiment.ts";
import { cyclesOf, initiatorLoop } from "./initiator.ts";
import { routesFor } from "./routing.ts";
import { coresParam, intParam, median, seriesOf, subsetParam, sweep, type SweepPoint } from "./sweep.ts";
import { kernelSystem } from "./system.ts";

export const SHOOTDOWN_PROTOCOLS = ["unicast", "broadcast", "multicast", "numa-multicast"] as const;

/** One routing tree for the agreement experiments; the paper's choice by default. */
export const protocolParam = z
  .enum(SHOOTDOWN_PROTOCOLS, { error: (i) => `must be one of ${SHOOTDOWN_PROTOCOLS.join(", ")}, got ${JSON.stringify(i.input)}` })
  .default("numa-multicast");

const Params = z.strictObject({
  cores: coresParam([2, 4, 8, 12, 16, 20, 24, 28, 32]),
  protocols: subsetParam(SHOOTDOWN_PROTOCOLS, "protocol").describe("the protocols, one series each"),
  reps: intParam(1, 100000).default(5).describe("shootdowns in a row per simulation; the median is reported"),
});
type Params = z.infer<typeof Params>;

type Point = SweepPoint & {
  protocol: (typeof SHOOTDOWN_PROTOCOLS)[number];
  reps: number;
};

const shootdowns = initiatorLoop((os, _i, protocol) => os.shootdown(protocol));

export const shootdown: Experiment<Params, Point> = {
  name: "shootdown",
  summary: "raw messaging cost of the TLB-shootdown protocols, cores 2..32 (Figure 6)",
  defaultMachine: "amd-8x4",
  params: Params,
  plan: (machine, p) =>
    sweep("shootdown", machine, p.protocols, p.cores, async (protocol, cores) => ({
      params: { series: protocol, protocol, reps: p.reps },
      routes: await routesFor(machine, cores, [protocol]),
    })),
  system(spec) {
    const p = spec.params;
    return kernelSystem(spec, {
      app: shootdowns,
      starts: new Map([[0, { reps: p.reps, batch: 1, protocol: p.protocol }]]),
    });
  },
  summarize: (_m, p, specs, outcomes) => ({ rows: [], series: seriesOf(p.protocols, specs, outcomes, (o) => median(cyclesOf(o))) }),
};
