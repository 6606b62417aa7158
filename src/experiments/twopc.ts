// The paper's Figure 8: capability retype by two-phase commit among the
// monitors of the 8x4-core AMD, over the NUMA-aware multicast tree: the
// latency of one operation at a time, and the cost per operation when the
// application keeps a batch of independent retypes in flight (pipelined).
import { z } from "zod";

import { MAX_CYCLES_COST, POLL_BUDGET } from "../hwmodel/index.ts";
import type { Experiment } from "./experiment.ts";
import { cyclesOf, initiatorLoop } from "./initiator.ts";
import { routesFor } from "./routing.ts";
import { SHOOTDOWN_PROTOCOLS } from "./shootdown.ts";
import { coresParam, median, seriesOf, subsetParam, sweep, type SweepPoint } from "./sweep.ts";
import { kernelSystem } from "./system.ts";

export const TWOPC_VARIANTS = ["single", "pipelined"] as const;
/** Where the RAM that the retypes split lives: above every core's own memory. */
const POOL_BASE = 2 ** 40;
const REGION = 64 * 1024;

const Params = z.strictObject({
  cores: coresParam([2, 4, 8, 12, 16, 20, 24, 28, 32]),
  variants: subsetParam(TWOPC_VARIANTS, "variant"),
  protocol: z.enum(SHOOTDOWN_PROTOCOLS, { error: `must be one of ${SHOOTDOWN_PROTOCOLS.join(", ")}` }).default("numa-multicast"),
  /** Retypes in flight at once in the pipelined variant. */
  pipeline: z.number().int().min(2).max(256).default(16),
  pollBudget: z.number().int().min(0).max(MAX_CYCLES_COST, `at most ${MAX_CYCLES_COST} cycles (Barrelfish polls ${POLL_BUDGET})`).nullable().default(POLL_BUDGET),
  reps: z.number().int().min(1).max(1000).default(3),
});
type Params = z.infer<typeof Params>;

type Point = SweepPoint & {
  protocol: string;
  batch: number;
  reps: number;
  pollBudget: number | null;
};

/** Operation i splits RAM region i into 16 Frames. */
const retypes = initiatorLoop((os, i, protocol) => os.retype({ cap: i, type: "Frame", objSize: REGION / 16, count: 16 }, protocol));

export const twopc: Experiment<Params, Point> = {
  name: "twopc",
  summary: "capability retype by two-phase commit: one at a time and pipelined, cores 2..32 (Figure 8)",
  defaultMachine: "amd-8x4",
  params: Params,
  plan: (machine, p) =>
    sweep("twopc", machine, p.variants, p.cores, async (variant, cores) => ({
      params: { series: variant, protocol: p.protocol, batch: variant === "single" ? 1 : p.pipeline, reps: p.reps, pollBudget: p.pollBudget },
      routes: await routesFor(machine, cores, [p.protocol]),
    })),
  system(spec) {
    const p = spec.params;
    const regions = p.batch * p.reps;
    // Every replica knows the same RAM regions at boot, each retyped into 16 Frames by one operation.
    const caps = Array.from({ length: regions }, (_, i) => ({ cap: { type: "RAM" as const, base: POOL_BASE + i * REGION, size: REGION }, owner: 0 }));
    return kernelSystem(spec, {
      app: retypes,
      starts: new Map([[0, { reps: p.reps, batch: p.batch, protocol: p.protocol }]]),
      caps,
      config: { pollBudget: p.pollBudget },
    });
  },
  summarize: (_m, p, specs, outcomes) => ({ rows: [], series: seriesOf(p.variants, specs, outcomes, (o) => Math.round(median(cyclesOf(o)))) }),
};

