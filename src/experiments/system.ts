// Booting a run: the machine of a RunSpec with a CoreKernel on every core,
// all running the experiment's application. Start events say which cores
// begin the workload, at time 0.
import { CostModel, Machine, RING_SLOTS } from "../hwmodel/index.ts";
import { EventClass, type Json, type SimEvent, type System } from "../engine/index.ts";
import type { Capability } from "../cpudriver/index.ts";
import { CoreKernel, RouteTable, START_KIND, type Application, type KernelConfig, type RouteSet } from "../monitor/index.ts";
import type { RunSpec } from "./experiment.ts";

const machines = new Map<string, Machine>();

/** Parsing a description is not free, and a Durable Object boots many cores of one machine. */
export function machineOf(spec: RunSpec): Machine {
  const key = JSON.stringify(spec.machine);
  let m = machines.get(key);
  if (!m) {
    if (machines.size > 16) machines.clear();
    machines.set(key, (m = Machine.from(spec.machine)));
  }
  return m;
}

export interface KernelSystemOptions {
  app: Application;
  /** The cores that get a start event, each with its data. */
  starts: Map<number, Json>;
  config?: Partial<KernelConfig>;
  /** Capabilities every replica knows at boot. */
  caps?: { cap: Capability; owner: number }[];
  /** Pages of the application mapped on every core at boot. */
  pages?: number;
}

export function kernelSystem(spec: RunSpec, o: KernelSystemOptions): System {
  const machine = machineOf(spec);
  const cost = new CostModel(machine);
  const env = {
    machine,
    cost,
    cores: spec.cores,
    app: o.app,
    routes: new RouteTable((spec.routes ?? {}) as unknown as RouteSet),
    caps: o.caps ?? [],
    pages: o.pages ?? 1,
    config: { slots: RING_SLOTS, pollBudget: null, personality: "barrelfish" as const, ...o.config },
  };
  return {
    cores: spec.cores,
    lookahead: cost.minLine(),
    boot: (core) => new CoreKernel(core, env),
    restore: (core, state) => new CoreKernel(core, env, state),
    initial: (core): SimEvent[] =>
      o.starts.has(core) ? [{ time: 0, cls: EventClass.Control, src: -1, seq: core, kind: START_KIND, data: o.starts.get(core)! }] : [],
  };
}
