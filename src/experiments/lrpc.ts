// Table 1 of the paper, measured on the simulated mechanism: one-way LRPC
// between two dispatchers on one core, user to user. The application calls
// its local monitor through the EndPoint it was given at boot; the CPU driver
// checks the capability, delivers the message and switches to the monitor.
import { z } from "zod";
import { PAPER_LRPC } from "../hwmodel/index.ts";
import type { Application } from "../kernel/index.ts";
import type { Experiment } from "./experiment.ts";
import { intParam, median } from "./sweep.ts";
import { kernelSystem, recordsOf } from "./system.ts";

const Params = z.strictObject({
  calls: intParam(1, 10000).default(16).describe("LRPCs measured; the median is the latency"),
});
type Params = z.infer<typeof Params>;

const caller: Application<null, Params> = {
  initial: null,
  start(os, p) {
    for (let i = 0; i < p.calls; i++) {
      const t0 = os.now;
      os.lrpc({ i });
      os.record("oneWay", os.now - t0);
    }
  },
};

export const lrpc: Experiment<Params, Params> = {
  name: "lrpc",
  summary: "one-way LRPC between dispatchers on one core (Table 1)",
  defaultMachine: "amd-8x4",
  params: Params,
  plan: (machine, p) => [{ experiment: "lrpc", machine: machine.description, cores: 1, params: p }],
  label: () => "same core",
  system: (spec) => kernelSystem(spec, { app: caller, starts: new Map([[0, spec.params]]) }),
  summarize(machine, _p, _specs, [out]) {
    const calls = recordsOf(out, 0).oneWay as number[];
    const paper = PAPER_LRPC[machine.name];
    return { rows: [{ pair: "same-core", cores: [0, 0], latency: median(calls), ...(paper ? { paperLatency: paper } : {}) }], series: [] };
  },
};
