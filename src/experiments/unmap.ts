// The paper's Figure 7: end-to-end unmap latency on the 8x4-core AMD. On
// Barrelfish the application calls its local monitor by LRPC, the monitors
// agree over the SKB's NUMA-aware multicast tree and invalidate their TLBs,
// and the reply comes back by LRPC; idle monitors poll for the default budget
// and then block. On Linux and Windows the initiator sends IPIs serially.
import { z } from "zod";
import { PAGE_BYTES, SHARED_PAGE } from "../cpudriver/index.ts";
import { MAX_CYCLES_COST, POLL_BUDGET } from "../hwmodel/index.ts";
import type { Experiment } from "./experiment.ts";
import { cyclesOf, initiatorLoop } from "./initiator.ts";
import { routesFor } from "./routing.ts";
import { SHOOTDOWN_PROTOCOLS } from "./shootdown.ts";
import { coresParam, median, seriesOf, subsetParam, sweep, type SweepPoint } from "./sweep.ts";
import { kernelSystem } from "./system.ts";

export const KERNELS = ["barrelfish", "linux", "windows"] as const;

const Params = z.strictObject({
  cores: coresParam([2, 4, 8, 12, 16, 20, 24, 28, 32]),
  kernels: subsetParam(KERNELS, "kernel"),
  /** Barrelfish's routing tree. */
  protocol: z.enum(SHOOTDOWN_PROTOCOLS, { error: `must be one of ${SHOOTDOWN_PROTOCOLS.join(", ")}` }).default("numa-multicast"),
  /** How long an idle Barrelfish monitor polls before it blocks; null: it never blocks. */
  pollBudget: z.number().int().min(0).max(MAX_CYCLES_COST, `at most ${MAX_CYCLES_COST} cycles (Barrelfish polls ${POLL_BUDGET})`).nullable().default(POLL_BUDGET),
  /** Unmaps in a row, each of its own page: the application maps one 64 KiB frame, 16 pages. */
  reps: z.number().int().min(1).max(16, "at most 16: each unmap takes one of the 16 pages the application mapped").default(5),
});
type Params = z.infer<typeof Params>;

type Point = SweepPoint & {
  kernel: (typeof KERNELS)[number];
  protocol: string;
  pollBudget: number | null;
  reps: number;
};

/** Each unmap takes the next of the pages mapped at boot. */
const unmaps = initiatorLoop((os, i, protocol) => os.unmap(SHARED_PAGE + i * PAGE_BYTES, protocol));

export const unmap: Experiment<Params, Point> = {
  name: "unmap",
  summary: "end-to-end unmap latency, Barrelfish vs Linux vs Windows, cores 2..32 (Figure 7)",
  defaultMachine: "amd-8x4",
  params: Params,
  plan: (machine, p) =>
    sweep("unmap", machine, p.kernels, p.cores, async (kernel, cores) => ({
      params: { series: kernel, kernel, protocol: p.protocol, pollBudget: p.pollBudget, reps: p.reps },
      // Linux and Windows have no monitors to route between.
      routes: kernel === "barrelfish" ? await routesFor(machine, cores, [p.protocol]) : undefined,
    })),
  system(spec) {
    const p = spec.params;
    return kernelSystem(spec, {
      app: unmaps,
      starts: new Map([[0, { reps: p.reps, batch: 1, protocol: p.protocol }]]),
      pages: p.reps,
      personality: p.kernel,
      config: { pollBudget: p.kernel === "barrelfish" ? p.pollBudget : null },
    });
  },
  summarize: (_m, p, specs, outcomes) => ({ rows: [], series: seriesOf(p.kernels, specs, outcomes, (o) => median(cyclesOf(o))) }),
};
