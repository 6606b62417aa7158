// The paper's Figure 8: capability retype by two-phase commit among the
// monitors of the 8x4-core AMD, over the NUMA-aware multicast tree: the
// latency of one operation at a time, and the cost per operation when the
// application keeps a batch of independent retypes in flight (pipelined).
import { z } from "zod";
import { ParamError, type Experiment } from "./experiment.ts";
import { cyclesOf, initiatorLoop } from "./initiator.ts";
import { routesFor } from "./routing.ts";
import { protocolParam } from "./shootdown.ts";
import { coresParam, intParam, median, notificationOf, notificationParam, pollBudgetParam, seriesOf, subsetParam, sweep, type SweepPoint } from "./sweep.ts";
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
  variants: subsetParam(TWOPC_VARIANTS, "variant").describe("one retype at a time (single), or a batch in flight at once (pipelined); one series each"),
  protocol: protocolParam.describe("the routing tree the monitors agree over"),
  pipeline: intParam(2, 256).default(16).describe("retypes in flight at once in the pipelined variant"),
  notification: notificationParam,
  pollBudget: pollBudgetParam,
  reps: intParam(1, 1000).default(3).describe("retypes (pipelined: batches) in a row per simulation; the median cost per retype is reported"),
});
type Params = z.infer<typeof Params>;

type Point = SweepPoint & {
  protocol: string;
  batch: number;
  reps: number;
  notification: { pollBudget: number } | null;
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
      params: { series: variant, protocol: p.protocol, batch: batch(variant), reps: p.reps, notification: notificationOf(p) },
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
      config: { notification: p.notification },
    });
  },
  summarize: (_m, p, specs, outcomes) => ({ rows: [], series: seriesOf(p.variants, specs, outcomes, (o) => Math.round(median(cyclesOf(o)))) }),
};

