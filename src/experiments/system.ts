// Booting a run: the machine of a SimulationSpec with a kernel on every core (an OS
// node, or an IPI-based baseline), all running the experiment's application.
// Start events say which cores begin the workload, at time 0.
import { CostModel, homeFor, interconnectOf, Machine, RING_SLOTS } from "../hwmodel/index.ts";
import { EventClass, type Json, type LagTable, type SimulationOutcome, type SimEvent, type System } from "../engine/index.ts";
import type { Capability } from "../cpudriver/index.ts";
import {
  ChannelTable,
  ReplicaGroups,
  RouteTable,
  warmReplicas,
  type BroadcastSpec,
  type ChannelSpec,
  type MonitorConfig,
  type RouteSet,
  type StateConfig,
} from "../monitor/index.ts";
import {
  baselineCosts,
  IpiKernel,
  OsNode,
  START_KIND,
  type Application,
  type AppResult,
  type IpiKernelState,
  type KernelEnv,
  type OsNodeState,
  type Personality,
} from "../kernel/index.ts";
import type { SimulationSpec } from "./experiment.ts";
import { recent } from "./recent.ts";

const machines = new Map<string, Machine>();

/** Parsing a description is not free, and a Durable Object boots many cores of one machine. */
export function machineOf(spec: SimulationSpec): Machine {
  return recent(machines, JSON.stringify(spec.machine), 16, () => Machine.from(spec.machine));
}

const lagTables = new WeakMap<Machine, Map<string, LagTable>>();

/**
 * The lookahead of `cores` booted cores of a machine, from the line model
 * (Interconnect.lags). Every message of a kernel system is a memory-system
 * event or an IPI: a request goes only to a home core (a package's lowest
 * booted core, homeFor), completions and notices come only from one, and
 * other cores send each other nothing but IPIs, which only the IPI-based
 * kernels send. So each package is two groups, its home core and the rest;
 * between two cores that never message each other the lag is null. The
 * engine refuses any message sooner than its pair's lag. With write-back
 * lines (a replicated table's, src/memory) a holder answers a requester
 * itself, cache to cache, so any two cores may send each other an answer.
 */
export function lagsOf(machine: Machine, cores: number, ipis: boolean, forwards = false): LagTable {
  let byRun = lagTables.get(machine);
  if (!byRun) lagTables.set(machine, (byRun = new Map()));
  const key = `${cores}/${ipis}/${forwards}`;
  let table = byRun.get(key);
  if (table) return table;
  const net = interconnectOf(machine);
  const packages = machine.numPackages;
  const homes = new Set<number>();
  for (let c = 0; c < cores; c++) homes.add(homeFor(machine, machine.corePackage[c], cores).core);
  // Group 2p: package p's cores that are homes; 2p + 1: its others.
  const group = Array.from({ length: cores }, (_, c) => 2 * machine.corePackage[c] + (homes.has(c) ? 0 : 1));
  const groups = 2 * packages;
  const between = new Array<number | null>(groups * groups);
  for (let a = 0; a < packages; a++) {
    for (let b = 0; b < packages; b++) {
      const l = net.lags(a, b);
      const ipi = ipis ? l.ipi : Infinity;
      const forward = forwards ? l.answer : Infinity;
      const lag = (x: number) => (Number.isFinite(x) ? x : null);
      // From a home to a home, a home to another core, another core to a home, and between two others.
      between[2 * a * groups + 2 * b] = lag(Math.min(l.answer, l.request, ipi));
      between[2 * a * groups + 2 * b + 1] = lag(Math.min(l.answer, ipi));
      between[(2 * a + 1) * groups + 2 * b] = lag(Math.min(l.request, ipi, forward));
      between[(2 * a + 1) * groups + 2 * b + 1] = lag(Math.min(ipi, forward));
    }
  }
  byRun.set(key, (table = { groups, group, between }));
  return table;
}

export interface KernelSystemOptions<S extends Json, D extends Json, M extends Json> {
  app: Application<S, D, M>;
  /** The cores that get a start event, each with its data. */
  starts: Map<number, D>;
  /** Whose kernel every core runs; Barrelfish's by default. */
  personality?: Personality;
  config?: Partial<MonitorConfig>;
  /** Capabilities every replica knows at boot. */
  caps?: { cap: Capability; owner: number }[];
  /** Pages of the application mapped on every core at boot. */
  pages?: number;
  /** The application's own URPC channels, beside the routes' (each channel's rings in the memory of core `memoryOf`'s package). */
  channels?: { a: number; b: number; memoryOf: number }[];
  /** Slots per ring of every channel; Barrelfish's default when left out. */
  slots?: number;
  /** Windows' extra cycles per IPI (an assumption, baselineCosts). */
  windowsPerIpi?: number;
  /** A replicated table the application reads and writes through its monitor. */
  state?: StateConfig;
}

/**
 * The run's URPC channels: one per edge of every routing tree, its rings
 * where the SKB put the edge's buffer (bufferAt), a broadcast tree's shared
 * edges as one broadcast channel; and the application's own.
 */
export function channelsOf(
  machine: Machine,
  cores: number,
  routes: RouteSet,
  app: readonly { a: number; b: number; memoryOf: number }[] = [],
  slots = RING_SLOTS,
): ChannelTable {
  const pkg = (core: number) => machine.corePackage[core];
  const channels: ChannelSpec[] = app.map((c) => ({ a: c.a, b: c.b, memory: pkg(c.memoryOf) }));
  const broadcasts: BroadcastSpec[] = [];
  for (const tree of Object.values(routes)) {
    const shared = tree.edges.filter((e) => e.shared);
    if (shared.length) broadcasts.push({ root: tree.root, receivers: shared.map((e) => e.to), memory: pkg(shared[0].bufferAt) });
    for (const e of tree.edges) channels.push({ a: e.from, b: e.to, memory: pkg(e.bufferAt) });
  }
  return new ChannelTable(cores, channels, broadcasts, slots);
}

export function kernelSystem<S extends Json, D extends Json, M extends Json>(spec: SimulationSpec, o: KernelSystemOptions<S, D, M>): System {
  const machine = machineOf(spec);
  const cost = new CostModel(machine);
  const routes = spec.routes ?? {};
  const channels = channelsOf(machine, spec.cores, routes, o.channels, o.slots);
  // Node replication keeps one replica per package.
  const groups = o.state && new ReplicaGroups(machine, spec.cores, o.state.scheme === "op-log" ? "per-package" : o.state.scheme);
  const warm = groups ? warmReplicas(groups) : () => null;
  const env: KernelEnv = {
    machine,
    cost,
    cores: spec.cores,
    app: o.app,
    routes: new RouteTable(routes),
    channels,
    primer: (line) => warm(line) ?? channels.holders(line),
    caps: o.caps ?? [],
    pages: o.pages ?? 1,
    config: { dispatch: "flounder", notification: null, ...o.config },
    ...(o.state && groups && { state: { config: o.state, groups } }),
  };
  const personality = o.personality ?? "barrelfish";
  const baseline = personality === "barrelfish" ? null : baselineCosts(personality, machine, o.windowsPerIpi);
  return {
    cores: spec.cores,
    lookahead: lagsOf(machine, spec.cores, baseline !== null, o.state !== undefined),
    boot: (core) => (baseline ? new IpiKernel(core, env, baseline) : new OsNode(core, env)),
    // The state is what this system's kernels snapshot: the boundary where stored JSON becomes a kernel again.
    restore: (core, state) =>
      baseline ? new IpiKernel(core, env, baseline, state as IpiKernelState) : new OsNode(core, env, state as OsNodeState),
    initial: (core): SimEvent[] =>
      o.starts.has(core) ? [{ time: 0, cls: EventClass.Control, src: -1, seq: core, kind: START_KIND, data: o.starts.get(core)! }] : [],
  };
}

/** What a core's application recorded in a run, by name. */
export function recordsOf(o: SimulationOutcome, core: number): AppResult["records"] {
  return (o.cores[core].result as AppResult).records;
}
