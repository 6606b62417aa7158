// The paper's Figure 8: capability retype by two-phase commit among the
// monitors of the 8x4-core AMD, over the NUMA-aware multicast tree: the
// latency of one operation at a time, and the cost per operation when the
// application keeps a batch of independent retypes in flight (pipelined).
import { z } from "zod";

import { MAX_CYCLES_COST, POLL_BUDGET } from "../hwmodel/index.ts";
import { ParamError, type Experiment } from "./experiment.ts";
import { cyclesOf, initiatorLoop } from "./initiator.ts";
import { routesFor } from "./routing.ts";
import { SHOOTDOWN_PROTOCOLS } from "./shootdown.ts";
import { coresParam, median, seriesOf, subsetParam, sweep, type SweepPoint } from "./sweep.ts";
import { kernelSystem } from "./system.ts";

export const TWOPC_VARIANTS = ["single", "pipelined"] as const;
/** A retyped region on every replica: the RAM capability and the 16 Frames it is split into. */
const CAPS_PER_REGION = 17;
/**
 * Capabilities the replicas of one simulation may hold together: every
 * retype adds its Frames to every core's replica, so memory and the time per
 * operation grow with cores x retypes. About 420 bytes each (measured in
 * Node: 146 MB for 32 cores x 640 retypes), so the bound keeps a simulation
 * near 55 MB, under the 128 MB of a Worker isolate; the paper's sweep (reps
 * 3, pipeline 16, 32 cores) holds 26112.
 */
export const MAX_REPLICA_CAPS = 131_072;
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
  plan(machine, p) {
    const batch = (variant: string) => (variant === "single" ? 1 : p.pipeline);
    const held = Math.max(...p.cores) * Math.max(...p.variants.map(batch)) * p.reps * CAPS_PER_REGION;
    if (held > MAX_REPLICA_CAPS) {
      throw new ParamError("reps", `${held} capabilities in the replicas of one simulation (cores x retypes x ${CAPS_PER_REGION}); at most ${MAX_REPLICA_CAPS}: fewer reps, a shorter pipeline or fewer cores`);
    }
    return sweep("twopc", machine, p.variants, p.cores, async (variant, cores) => ({
      params: { series: variant, protocol: p.protocol, batch: batch(variant), reps: p.reps, pollBudget: p.pollBudget },
      routes: await routesFor(machine, cores, [p.protocol]),
    }));
  },
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

