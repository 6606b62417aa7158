// Beyond the paper: when does limited sharing pay? Every core reads and
// writes a replicated table of OS state (mappings, say) through its monitor,
// one operation after another; the table's replicas sit where the scheme
// puts them: one per core (the multikernel's default), per die, per package
// (shared by its cores through their caches) or one for the machine, kept
// consistent by agreement between groups; or node replication's operation
// log (op-log). Two knobs: the share of reads, and locality, the share of
// operations on the core's own entries (the rest fall anywhere in the
// table). The cost of an operation is the mean cycles from its start to its
// completion over every core's operations after a warm-up.
import { z } from "zod";
import { CostModel } from "../hwmodel/index.ts";
import { PLACEMENTS, projectTree, ReplicaGroups, type Placement, type RouteSet, type StateScheme } from "../monitor/index.ts";
import type { Application, Os } from "../kernel/index.ts";
import type { Completion } from "../monitor/index.ts";
import { ParamError, type Experiment } from "./experiment.ts";
import { routesFor } from "./routing.ts";
import { coresParam, intParam, seriesOf, subsetParam, sweep, type SweepPoint } from "./sweep.ts";
import { kernelSystem, machineOf, recordsOf } from "./system.ts";

export const SHARING_SCHEMES = [...PLACEMENTS, "op-log"] as const satisfies readonly StateScheme[];
/** The trees a write's agreement may travel along (cut down to one core per group). */
export const SHARING_TREES = ["numa-multicast", "multicast", "unicast"] as const;

/** Operations one simulation may make in all (cores x (ops + warm-up)): every write of the op-log is a log line. */
export const MAX_SHARING_OPERATIONS = 32_768;

const Params = z.strictObject({
  cores: coresParam([2, 4, 8, 12, 16, 24, 32]),
  schemes: subsetParam(SHARING_SCHEMES, "scheme").describe(
    "where the replicas are (per-core, per-die, per-package, shared) or node replication's log (op-log); one series each",
  ),
  reads: intParam(0, 100).default(90).describe("percent of operations that read an entry; the rest write one"),
  locality: intParam(0, 100).default(90).describe("percent of operations on one of the core's own entries; the rest on any entry of the table"),
  entries: intParam(1, 64).default(4).describe("entries of the table each core owns: the table has cores x entries, one cache line each"),
  ops: intParam(1, 1000).default(24).describe("operations each core makes after the warm-up; the mean cost per operation is reported"),
  warmup: intParam(0, 100).default(4).describe("operations each core makes first, not measured"),
  protocol: z
    .enum(SHARING_TREES, { error: (i) => `must be one of ${SHARING_TREES.join(", ")}, got ${JSON.stringify(i.input)}` })
    .default("numa-multicast")
    .describe("the routing tree a write's agreement travels along, cut down to one core per replica"),
  seed: intParam(0, 2 ** 31 - 1).default(1).describe("the seed of every core's choice of operations"),
});
type Params = z.infer<typeof Params>;

type Point = SweepPoint & {
  scheme: StateScheme;
  reads: number;
  locality: number;
  entries: number;
  ops: number;
  warmup: number;
  protocol: string;
  seed: number;
};

/** What the start event tells a core, and what it keeps between operations. */
type Plan = Omit<Point, "series" | "scheme" | "protocol"> & { cores: number };
type Worker = Plan & {
  /** Operations left, warm-up included; the generator's state; the operation under way. */
  left: number;
  rng: number;
  key: number;
  write: boolean;
  t0: number;
  /** The newest version of each entry this core has written or read: no later read may return an older one. */
  newest: Record<string, number>;
};

const IDLE: Worker = { cores: 0, reads: 0, locality: 0, entries: 0, ops: 0, warmup: 0, seed: 0, left: 0, rng: 0, key: 0, write: false, t0: 0, newest: {} };

/** xorshift32 (Marsaglia, "Xorshift RNGs", 2003): the next state, never 0 from a state that is not. */
function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** A number in [0, 100) from the core's generator. */
function percent(w: Worker): number {
  w.rng = xorshift(w.rng);
  return w.rng % 100;
}

function next(os: Os<Worker>): void {
  const w = os.state;
  w.write = percent(w) >= w.reads;
  const own = percent(w) < w.locality;
  w.rng = xorshift(w.rng);
  w.key = own ? os.core * w.entries + (w.rng % w.entries) : w.rng % (w.cores * w.entries);
  w.t0 = os.now;
  if (w.write) os.writeState(w.key);
  else os.readState(w.key);
}

/** Every core reads and writes the table, one operation after another. */
const workload: Application<Worker, Plan> = {
  initial: IDLE,
  start(os, plan) {
    // A distinct nonzero state per core and seed.
    os.state = { ...IDLE, ...plan, left: plan.warmup + plan.ops, rng: xorshift((plan.seed * 65_537 + os.core + 1) >>> 0 || 1), newest: {} };
    next(os);
  },
  done(os, result: Completion) {
    const w = os.state;
    const version = result.value ?? -1;
    const newest = w.newest[w.key] ?? -1;
    if (version < newest) os.record("stale", { key: w.key, got: version, newest });
    else w.newest[w.key] = version;
    if (w.left <= w.ops) os.record(w.write ? "write" : "read", os.now - w.t0);
    if (--w.left > 0) next(os);
  },
};

/** A run's agreement trees: the SKB's tree from every core, cut down to the core and one core of every other group. */
async function placedRoutes(machine: ReturnType<typeof machineOf>, cores: number, placement: Placement, kind: string): Promise<RouteSet> {
  const all = await routesFor(machine, cores, [kind as (typeof SHARING_TREES)[number]], Array.from({ length: cores }, (_, c) => c));
  const groups = new ReplicaGroups(machine, cores, placement);
  const cost = new CostModel(machine);
  const rtt = (a: number, b: number) => cost.roundTrip(a, b) + cost.roundTrip(b, a);
  return Object.fromEntries(
    Object.entries(all).map(([key, tree]) => [key, { ...tree, edges: projectTree(tree.root, tree.edges, new Set(groups.participants(tree.root)), rtt) }]),
  );
}

/** The mean of the named records over every core. */
function meanOf(o: Parameters<typeof recordsOf>[0], names: readonly string[]): number {
  const all = o.cores.flatMap((c) => names.flatMap((n) => (recordsOf(o, c.core)[n] ?? []) as number[]));
  return all.length ? Math.round(all.reduce((a, b) => a + b, 0) / all.length) : 0;
}

export const sharing: Experiment<Params, Point> = {
  name: "sharing",
  summary: "a replicated table read and written by every core: replicas per core, die, package or machine, or an operation log, cores 2..32",
  defaultMachine: "amd-8x4",
  params: Params,
  plan(machine, p) {
    const total = Math.max(...p.cores) * (p.ops + p.warmup);
    if (total > MAX_SHARING_OPERATIONS) {
      throw new ParamError("ops", `${total} operations in one simulation (cores x (ops + warmup)); at most ${MAX_SHARING_OPERATIONS}: fewer ops or fewer cores`);
    }
    return sweep("sharing", machine, p.schemes, p.cores, async (scheme, cores) => ({
      params: { series: scheme, scheme, reads: p.reads, locality: p.locality, entries: p.entries, ops: p.ops, warmup: p.warmup, protocol: p.protocol, seed: p.seed },
      ...(scheme !== "op-log" && { routes: await placedRoutes(machine, cores, scheme, p.protocol) }),
    }));
  },
  system(spec) {
    const p = spec.params;
    const plan: Plan = { cores: spec.cores, reads: p.reads, locality: p.locality, entries: p.entries, ops: p.ops, warmup: p.warmup, seed: p.seed };
    const starts = new Map(Array.from({ length: spec.cores }, (_, c) => [c, plan] as const));
    return kernelSystem(spec, { app: workload, starts, state: { scheme: p.scheme, kind: p.protocol } });
  },
  summarize(_m, p, specs, outcomes) {
    const rows = specs.map((s, i) => ({
      scheme: s.params.scheme,
      cores: s.cores,
      read: meanOf(outcomes[i], ["read"]),
      write: meanOf(outcomes[i], ["write"]),
      operation: meanOf(outcomes[i], ["read", "write"]),
    }));
    return { rows, series: seriesOf(p.schemes, specs, outcomes, (o) => meanOf(o, ["read", "write"])) };
  },
};
