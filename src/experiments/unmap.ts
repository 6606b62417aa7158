// The paper's Figure 7: end-to-end unmap latency on the 8x4-core AMD. On
// Barrelfish the application calls its local monitor by LRPC, the monitors
// agree over the SKB's NUMA-aware multicast tree, through Flounder's stubs
// and their waitsets, and invalidate their TLBs, and the reply comes back by
// LRPC; the monitors poll their plain UMP channels for ever unless the
// experiment sets their channels up with IPI notification. On Linux and
// Windows the initiator interrupts the other cores through its local APIC.
import { z } from "zod";
import { PAGE_BYTES, SHARED_PAGE } from "../cpudriver/index.ts";
import { WINDOWS_PER_IPI } from "../kernel/index.ts";
import type { Experiment } from "./experiment.ts";
import { cyclesOf, initiatorLoop } from "./initiator.ts";
import { routesFor } from "./routing.ts";
import { protocolParam } from "./shootdown.ts";
import { coresParam, intParam, median, notificationOf, notificationParam, pollBudgetParam, seriesOf, subsetParam, sweep, type SweepPoint } from "./sweep.ts";
import { kernelSystem } from "./system.ts";

export const KERNELS = ["barrelfish", "linux", "windows"] as const;

const Params = z.strictObject({
  cores: coresParam([2, 4, 8, 12, 16, 20, 24, 28, 32]),
  kernels: subsetParam(KERNELS, "kernel").describe("the kernels, one series each"),
  protocol: protocolParam.describe("Barrelfish's routing tree (the other kernels send IPIs)"),
  notification: notificationParam,
  pollBudget: pollBudgetParam,
  windowsPerIpi: intParam(0, 3000, "the per-operation constant, refit to the two-core point, would go below zero")
    .default(WINDOWS_PER_IPI)
    .describe("Windows' extra cycles per IPI on top of the APIC's send path: an assumption, Windows has no public source (default: one more kernel entry and exit)"),
  // The application maps one 64 KiB frame, 16 pages.
  reps: intParam(1, 16, "each unmap takes one of the 16 pages the application mapped").default(5).describe("unmaps in a row, each of its own page; the median is reported"),
});
type Params = z.infer<typeof Params>;

type Point = SweepPoint & {
  kernel: (typeof KERNELS)[number];
  protocol: string;
  notification: { pollBudget: number } | null;
  windowsPerIpi: number;
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
      params: { series: kernel, kernel, protocol: p.protocol, notification: notificationOf(p), windowsPerIpi: p.windowsPerIpi, reps: p.reps },
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
      config: { notification: p.notification },
      windowsPerIpi: p.windowsPerIpi,
    });
  },
  summarize: (_m, p, specs, outcomes) => ({ rows: [], series: seriesOf(p.kernels, specs, outcomes, (o) => median(cyclesOf(o))) }),
};
