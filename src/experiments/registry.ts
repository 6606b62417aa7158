// Every experiment by name, and running one: plan its runs, run each on the
// chosen transport, summarise.
import { z } from "zod";
import { fieldPath, type Machine } from "../hwmodel/index.ts";
import { runInProcess, type Limits, type RunOutcome, type System } from "../engine/index.ts";
import { ParamError, type Experiment, type ExperimentResult, type RunSpec } from "./experiment.ts";
import { urpc } from "./urpc.ts";
import { lrpc } from "./lrpc.ts";
import { sharedUpdate } from "./shared-update.ts";
import { shootdown } from "./shootdown.ts";
import { twopc } from "./twopc.ts";
import { unmap } from "./unmap.ts";

export const EXPERIMENTS: Experiment<any>[] = [urpc, lrpc, shootdown, unmap, twopc, sharedUpdate];

export function experimentByName(name: string): Experiment<unknown> | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}

/** Whether the experiment sweeps core counts (it has a `cores` parameter); the others boot the cores they need. */
export function sweepsCores(e: Experiment<unknown>): boolean {
  return e.params instanceof z.ZodObject && "cores" in e.params.shape;
}

export class UnknownExperimentError extends Error {
  constructor(readonly experiment: string) {
    super(`unknown experiment "${experiment}"; experiments are ${EXPERIMENTS.map((e) => e.name).join(", ")}`);
  }
}

export function systemFor(spec: RunSpec): System {
  const e = experimentByName(spec.experiment);
  if (!e) throw new UnknownExperimentError(spec.experiment);
  return e.system(spec);
}

/** Runs one planned run somewhere: in this process, or on Durable Objects. */
export type SpecRunner = (spec: RunSpec) => Promise<RunOutcome>;

export function inProcessRunner(opts: { trace?: boolean; limits?: Limits } = {}): SpecRunner {
  return (spec) => runInProcess(systemFor(spec), opts);
}

export interface ExperimentRun {
  result: ExperimentResult;
  outcomes: RunOutcome[];
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

/** An experiment's runs on a machine, with its parameters as parsed. */
export interface Plan<P = unknown> {
  experiment: Experiment<P>;
  params: P;
  specs: RunSpec[];
}

/** Parse the parameters and plan the runs; bad parameters throw a ParamError naming the field. */
export async function planExperiment(name: string, machine: Machine, params: unknown): Promise<Plan> {
  const e = experimentByName(name);
  if (!e) throw new UnknownExperimentError(name);
  const p = parseParams(e, params);
  return { experiment: e, params: p, specs: await e.plan(machine, p) };
}

/** The experiment's table and series from the outcomes of its planned runs, in plan order, with their totals. */
export function summarizeExperiment(plan: Plan, machine: Machine, outcomes: RunOutcome[], engine: "inproc" | "durable"): ExperimentResult {
  const { rows, series } = plan.experiment.summarize(machine, plan.params, plan.specs, outcomes);
  const sum = (f: (o: RunOutcome) => number) => outcomes.reduce((s, o) => s + f(o), 0);
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
    hashes: outcomes.map((o) => o.hash),
  };
}

/** Plan, run and summarise; bad parameters throw a ParamError naming the field. */
export async function runExperiment(
  name: string,
  machine: Machine,
  params: unknown,
  runner: SpecRunner,
  engine: "inproc" | "durable",
): Promise<ExperimentRun> {
  const plan = await planExperiment(name, machine, params);
  const outcomes: RunOutcome[] = [];
  for (const spec of plan.specs) outcomes.push(await runner(spec));
  return { outcomes, result: summarizeExperiment(plan, machine, outcomes, engine) };
}
