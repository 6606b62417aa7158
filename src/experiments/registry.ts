// Every experiment by name, and running one: plan its simulations, run each
// on the chosen transport, summarise.
import { z } from "zod";
import { fieldPath, type Machine } from "../hwmodel/index.ts";
import { simulateInProcess, type EngineName, type Json, type Limits, type SimulationOutcome, type System } from "../engine/index.ts";
import { ParamError, type Experiment, type ExperimentResult, type HotLine, type SimulationSpec } from "./experiment.ts";
import { urpc } from "./urpc.ts";
import { lrpc } from "./lrpc.ts";
import { sharedUpdate } from "./shared-update.ts";
import { sharing } from "./sharing.ts";
import { shootdown } from "./shootdown.ts";
import { twopc } from "./twopc.ts";
import { unmap } from "./unmap.ts";

/**
 * Simulations one run may plan, which bounds its status and its result: the
 * largest sweep the parameters allow is 4 protocols (or 3 kernels, 2
 * variants) each once, times 64 core counts.
 */
export const MAX_SIMULATIONS = 256;

/** An experiment's simulations on a machine, with its parameters as parsed. */
export interface Plan<P = unknown> {
  experiment: Experiment<P>;
  params: P;
  specs: SimulationSpec[];
}

export class UnknownExperimentError extends Error {
  constructor(
    readonly experiment: string,
    known: readonly string[],
  ) {
    super(`unknown experiment "${experiment}"; experiments are ${known.join(", ")}`);
  }
}

/**
 * The experiments a deployment runs, by name: what the Durable Objects boot
 * simulations from. A test worker runs the same objects with an extra one.
 */
export class ExperimentSet {
  readonly names: readonly string[];

  // Heterogeneous parameter and point types: each experiment is used only with its own.
  constructor(readonly all: readonly Experiment<any, any>[]) {
    this.names = all.map((e) => e.name);
  }

  with(...more: Experiment<any, any>[]): ExperimentSet {
    return new ExperimentSet([...this.all, ...more]);
  }

  byName(name: string): Experiment<unknown> | undefined {
    return this.all.find((e) => e.name === name);
  }

  /** The booted machine of one planned simulation. */
  systemFor(spec: SimulationSpec): System {
    return this.known(spec.experiment).system(spec);
  }

  /** What a simulation measures, for people: its experiment's label, or its series and cores in a sweep. */
  labelOf(spec: SimulationSpec): string {
    return labelOf(this.byName(spec.experiment), spec);
  }

  /** A simulation's title in traces: experiment, machine and label. */
  titleOf(spec: SimulationSpec): string {
    return simulationTitle(spec.experiment, spec.machine.name, this.labelOf(spec));
  }

  /** Parse the parameters and plan the simulations; bad parameters, or too many simulations, throw a ParamError naming the field. */
  async plan(name: string, machine: Machine, params: unknown): Promise<Plan> {
    const e = this.known(name);
    const p = parseParams(e, fitDefaultCores(e, machine, params));
    const specs = await e.plan(machine, p);
    if (specs.length > MAX_SIMULATIONS) throw new ParamError("params", `${specs.length} simulations; a run has at most ${MAX_SIMULATIONS}`);
    return { experiment: e, params: p, specs };
  }

  private known(name: string): Experiment<unknown> {
    const e = this.byName(name);
    if (!e) throw new UnknownExperimentError(name, this.names);
    return e;
  }
}

/** A simulation's title in traces, e.g. `shootdown on amd-8x4: numa-multicast, 8 cores`. */
export function simulationTitle(experiment: string, machine: string, label: string): string {
  return `${experiment} on ${machine}: ${label}`;
}

/** The paper's experiments, and the ones beyond it. */
export const EXPERIMENTS = new ExperimentSet([urpc, lrpc, shootdown, unmap, twopc, sharedUpdate, sharing]);

/** What a simulation measures, for people: its experiment's label, or its series and cores in a sweep. */
function labelOf(e: Experiment<unknown> | undefined, spec: SimulationSpec): string {
  const label = e?.label?.(spec);
  if (label) return label;
  const series = (spec.params as { series?: Json } | null)?.series;
  return typeof series === "string" ? `${series}, ${spec.cores} cores` : `${spec.cores} cores`;
}

/** Lines reported per run: the most waited on. */
const HOTTEST_LINES = 5;

/**
 * The cache lines of a run that queued the longest at their homes, over all
 * its simulations: each home core reports its hottest (kernel results'
 * `lines`); the run keeps those with the most total waiting.
 */
function hottestLines(plan: Plan, outcomes: SimulationOutcome[]): HotLine[] {
  const all = outcomes.flatMap((o, i) =>
    o.cores.flatMap((c) => ((c.result as { lines?: Omit<HotLine, "simulation">[] } | null)?.lines ?? []).map((l) => ({ simulation: labelOf(plan.experiment, plan.specs[i]), ...l }))),
  );
  return all
    .sort((a, b) => b.meanWait * b.transactions - a.meanWait * a.transactions || b.transactions - a.transactions)
    .slice(0, HOTTEST_LINES)
    .map((l) => ({ ...l, meanWait: Math.round(l.meanWait * 10) / 10 }));
}

/** Whether the experiment sweeps core counts (it has a `cores` parameter); the others boot the cores they need. */
export function sweepsCores(e: Experiment<unknown>): boolean {
  return e.params instanceof z.ZodObject && "cores" in e.params.shape;
}

/** Runs one planned simulation somewhere: in this process, or on Durable Objects. */
export type Simulator = (spec: SimulationSpec) => Promise<SimulationOutcome>;

export function inProcessSimulator(opts: { trace?: boolean; limits?: Limits } = {}): Simulator {
  return (spec) => simulateInProcess(EXPERIMENTS.systemFor(spec), opts);
}

export interface ExperimentRun {
  result: ExperimentResult;
  outcomes: SimulationOutcome[];
}

/** An experiment's parameters with their defaults, or a ParamError naming the first bad field. */
export function parseParams<P>(e: Experiment<P>, params: unknown): P {
  const parsed = e.params.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // An unknown key is reported at its object; name the key itself.
  if (issue.code === "unrecognized_keys") throw new ParamError(fieldPath([...issue.path, issue.keys[0]]), "not a parameter of this experiment");
  throw new ParamError(fieldPath(issue.path) || "params", issue.message);
}

/**
 * The parameters, with a sweep's default core counts fitted to the machine
 * when none are given: the paper's sweep goes to 32 cores, so on a smaller
 * machine it keeps the counts the machine has and ends at its own count.
 */
export function fitDefaultCores<P>(e: Experiment<P>, machine: Machine, params: unknown): unknown {
  const given = params ?? {};
  if (typeof given !== "object" || Array.isArray(given) || "cores" in given) return params;
  const defaults = (e.params.safeParse({}).data as { cores?: unknown } | undefined)?.cores;
  if (!Array.isArray(defaults)) return params;
  const fitted = (defaults as number[]).filter((n) => n <= machine.numCores);
  if (fitted.length === defaults.length || machine.numCores < 2) return params;
  if (!fitted.includes(machine.numCores)) fitted.push(machine.numCores);
  return { ...given, cores: fitted };
}

/** The experiment's table and series from the outcomes of its planned runs, in plan order, with their totals. */
export function summarizeExperiment(plan: Plan, machine: Machine, outcomes: SimulationOutcome[], engine: EngineName): ExperimentResult {
  const { rows, series } = plan.experiment.summarize(machine, plan.params, plan.specs, outcomes);
  const sum = (f: (o: SimulationOutcome) => number) => outcomes.reduce((s, o) => s + f(o), 0);
  return {
    experiment: plan.experiment.name,
    machine: machine.name,
    engine,
    rows,
    series,
    stats: {
      events: sum((o) => o.stats.events),
      messages: sum((o) => o.stats.messages),
      windows: sum((o) => o.stats.windows),
      simulatedCycles: sum((o) => o.stats.simulatedCycles),
      wallMs: Math.round(sum((o) => o.stats.wallMs) * 100) / 100,
    },
    lines: hottestLines(plan, outcomes),
    hashes: outcomes.map((o) => o.hash),
  };
}

/** Plan, run and summarise; bad parameters throw a ParamError naming the field. */
export async function runExperiment(
  name: string,
  machine: Machine,
  params: unknown,
  simulator: Simulator,
  engine: EngineName,
): Promise<ExperimentRun> {
  return runPlan(await EXPERIMENTS.plan(name, machine, params), machine, simulator, engine);
}

/** Run every simulation of a plan in turn, and summarise. */
export async function runPlan(plan: Plan, machine: Machine, simulator: Simulator, engine: EngineName): Promise<ExperimentRun> {
  const outcomes: SimulationOutcome[] = [];
  for (const spec of plan.specs) outcomes.push(await simulator(spec));
  return { outcomes, result: summarizeExperiment(plan, machine, outcomes, engine) };
}
