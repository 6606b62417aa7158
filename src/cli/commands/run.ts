import { EXPERIMENTS, inProcessSimulator, ParamError, runPlan, type ExperimentResult, type SimulationSpec, type Simulator } from "../../experiments/index.ts";
import { ENGINES, toChromeTrace, type EngineName } from "../../engine/index.ts";
import { FaultsSchema, type Faults } from "../../core-object/protocol.ts";
import { missingCores } from "../../core-object/faults.ts";
import { fieldPath } from "../../hwmodel/index.ts";
import { UsageError, type FlagSpec, type ParsedArgs } from "../args.ts";
import type { Command, OutputFile } from "../command.ts";
import { machineFlags, machineFromFlags } from "../machine-flags.ts";
import { flagOf, paramFlags, paramsFromFlags, type ParamFlag } from "../param-flags.ts";
import { progressLine, showProgress } from "../progress.ts";
import { table } from "../table.ts";

/** Every experiment's parameters as flags, generated from its schema. */
const PARAM_FLAGS = new Map(EXPERIMENTS.all.map((e) => [e.name, paramFlags(e)]));

const RUN_FLAGS: FlagSpec = {
  params: { type: "string", value: "<json>", description: "the parameters as one JSON object, as the API takes them (a parameter goes here or in its flag, not both)" },
  engine: { type: "string", value: "<name>", description: `where the simulations run: ${ENGINES.join(" (one JavaScript heap) or ")} (one Durable Object per core, in workerd)`, default: "inproc" },
  trace: {
    type: "string",
    value: "<file>",
    output: true,
    description:
      "write the run's simulations to this file as one Chrome trace (open it in Perfetto): a process per simulation, named by experiment, machine and label; a thread per core; every handler, and every message as an arrow",
  },
  faults: {
    type: "string",
    value: "<json>",
    description: 'durable engine: faults to inject, as the API\'s `faults` JSON, e.g. \'{"seed":7,"restart":{"rate":0.2},"failDeliveries":0.1}\'',
  },
  "trace-simulations": {
    type: "string",
    value: "<list>",
    description: "the simulations --trace writes: indices (0 is the first) or labels' first parts (e.g. unicast, one-hop), comma-separated",
    default: "all",
  },
};

export const run: Command = {
  name: "run",
  args: "<experiment>",
  summary: "run an experiment on a machine and print its table or series",
  flags: (choice) => ({ ...machineFlags(choice ? EXPERIMENTS.byName(choice.name)!.defaultMachine : undefined), ...RUN_FLAGS }),
  choices: {
    of: "experiment",
    flagsAre: "parameters",
    list: EXPERIMENTS.all.map((e) => ({ name: e.name, summary: e.summary, flags: Object.fromEntries(PARAM_FLAGS.get(e.name)!.map((f) => [f.flag, f.spec])) })),
  },
  async run(args, choice, progress) {
    const experiment = EXPERIMENTS.byName(choice!.name)!;
    const flags = PARAM_FLAGS.get(experiment.name)!;
    const machine = machineFromFlags(args, experiment.defaultMachine);
    const engine = args.flags.engine as EngineName;
    if (!ENGINES.includes(engine)) throw new UsageError(`--engine: must be ${ENGINES.join(" or ")}, got "${engine}"`);
    const fromJson = jsonParams(args);
    const fromFlags = paramsFromFlags(flags, args.flags, args.given);
    const twice = flags.find((f) => f.param in fromJson && f.param in fromFlags);
    if (twice) throw new UsageError(`--${twice.flag}: ${twice.param} is in --params too; give it once`);
    const plan = await EXPERIMENTS.plan(experiment.name, machine, { ...fromJson, ...fromFlags }).catch((e: unknown) => {
      throw e instanceof ParamError ? paramUsage(e, flags, args) : e;
    });

    const traceFile = args.flags.trace as string | undefined;
    if (!traceFile && args.given.has("trace-simulations")) throw new UsageError("--trace-simulations: picks what --trace writes; give --trace <file> too");
    const traced = traceFile ? pickSimulations(String(args.flags["trace-simulations"]), plan.specs) : [];
    const faults = faultsFlag(args.flags.faults, engine, machine.numCores);
    let dispose = async () => {};
    let simulator: Simulator = inProcessSimulator({ trace: Boolean(traceFile) });
    let injected = () => ({ faults: 0, rollBacks: 0 });
    let parallel = 1;
    if (engine === "durable") {
      // Bundling the Worker and starting workerd take seconds before the first simulation.
      progress?.("starting the Worker in workerd ...");
      const local = await import("../local-durable.ts");
      const d = await local.startLocalDurable({ trace: Boolean(traceFile), faults });
      simulator = d.simulator;
      parallel = d.parallel;
      injected = () => ({ faults: d.statuses.reduce((n, s) => n + s.faults, 0), rollBacks: d.statuses.reduce((n, s) => n + s.rollBacks, 0) });
      const stop = progress ? showProgress(async () => progressLine(await d.progress(), plan.specs.length), progress) : null;
      dispose = async () => {
        await stop?.();
        await d.dispose();
      };
    }
    try {
      const { result, outcomes } = await runPlan(plan, machine, simulator, engine, parallel);
      const files: OutputFile[] = [];
      if (traceFile) {
        const simulations = traced.map((i) => ({ index: i, name: EXPERIMENTS.titleOf(plan.specs[i]), clockGHz: machine.clockGHz, records: outcomes[i].trace ?? [] }));
        const n = plan.specs.length;
        const of = traced.length < n ? `${traced.length} of ${n} simulations` : n > 1 ? `all ${n} simulations` : "the run's one simulation";
        files.push({ flag: "trace", path: traceFile, content: JSON.stringify(toChromeTrace(simulations)), what: `the Chrome trace of ${of} (${ranges(traced)})` });
      }
      const f = injected();
      const text = render(result) + (faults ? `\n${f.faults} faults injected, ${f.rollBacks} roll-backs to a group commit; every simulation delivered each message once, in order` : "");
      return { json: { ...result, hashes: undefined, ...(faults && { faults: { injected: f.faults, rollBacks: f.rollBacks } }) }, text, files };
    } finally {
      await dispose();
    }
  },
};

/** --faults: JSON in the API's `faults` shape, for the durable engine only. */
function faultsFlag(value: string | boolean | undefined, engine: EngineName, cores: number): Faults | null {
  if (value === undefined) return null;
  if (engine !== "durable") throw new UsageError("--faults: only the durable engine has objects to fault: add --engine durable");
  let json: unknown;
  try {
    json = JSON.parse(String(value));
  } catch (e) {
    throw new UsageError(`--faults: must be valid JSON: ${(e as Error).message}`);
  }
  const parsed = FaultsSchema.safeParse(json);
  if (parsed.success) {
    const [missing] = missingCores(parsed.data, cores);
    if (missing) throw new UsageError(`--faults: ${missing.field}: ${missing.reason}`);
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  const field = fieldPath(issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path);
  throw new UsageError(`--faults: ${field ? `${field}: ` : ""}${issue.code === "unrecognized_keys" ? "not a fault" : issue.message}`);
}

function jsonParams(args: ParsedArgs): Record<string, unknown> {
  if (args.flags.params === undefined) return {};
  let params: unknown;
  try {
    params = JSON.parse(String(args.flags.params));
  } catch (e) {
    throw new UsageError(`--params: must be valid JSON: ${(e as Error).message}`);
  }
  if (typeof params !== "object" || params === null || Array.isArray(params)) throw new UsageError(`--params: must be a JSON object, got ${JSON.stringify(params)}`);
  return params as Record<string, unknown>;
}

/** A bad parameter as an error naming the flag that set it, --params, or the flag whose default does not fit. */
function paramUsage(e: ParamError, flags: readonly ParamFlag[], args: ParsedArgs): UsageError {
  const flag = flagOf(flags, e.field, args.given);
  if (flag) return new UsageError(`--${flag}: ${e.reason}`);
  const param = flags.find((f) => f.param === e.field.split(/[.[]/)[0]);
  if (param && args.flags.params === undefined) return new UsageError(`--${param.flag} (default ${param.spec.default}): ${e.reason}`);
  return new UsageError(`--params: ${e.field}: ${e.reason}`);
}

/** The simulations a --trace-simulations list picks, in plan order: `all`, indices, or labels' first parts. */
function pickSimulations(list: string, specs: readonly SimulationSpec[]): number[] {
  const labels = specs.map((s) => EXPERIMENTS.labelOf(s));
  const picked = new Set<number>();
  for (const item of list.split(",").map((s) => s.trim())) {
    if (item === "all") labels.forEach((_, i) => picked.add(i));
    else if (/^\d+$/.test(item)) {
      const i = Number(item);
      if (i >= specs.length) throw new UsageError(`--trace-simulations: must be at most ${specs.length - 1} (the run has simulations 0..${specs.length - 1}), got ${i}`);
      picked.add(i);
    } else {
      const hits = labels.flatMap((l, i) => (l === item || l.startsWith(`${item}, `) ? [i] : []));
      if (!hits.length) {
        const firsts = [...new Set(labels.map((l) => l.split(", ")[0]))];
        throw new UsageError(`--trace-simulations: must be all, an index 0..${specs.length - 1} or one of ${firsts.join(", ")}, got "${item}"`);
      }
      hits.forEach((i) => picked.add(i));
    }
  }
  return [...picked].sort((a, b) => a - b);
}

/** Ascending indices as ranges: 0-2, 5. */
function ranges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : `${xs[i]}`);
    i = j + 1;
  }
  return out.join(", ");
}

/** The experiments' row fields as table headings, with their units. */
export const HEADINGS: Record<string, string> = {
  pair: "pair",
  cores: "cores",
  latency: "latency (cycles)",
  throughput: "throughput (msgs/kcycle)",
  paperLatency: "paper latency (cycles)",
  paperThroughput: "paper throughput (msgs/kcycle)",
};

function render(r: ExperimentResult): string {
  const out = [`${r.experiment} on ${r.machine} (${r.engine} engine)`, ""];
  if (r.rows.length) {
    const keys = Object.keys(r.rows[0] as object);
    out.push(table(keys.map((k) => HEADINGS[k] ?? k), (r.rows as Record<string, unknown>[]).map((row) => keys.map((k) => fmt(row[k])))), "");
  }
  if (r.series.length) {
    const counts = [...new Set(r.series.flatMap((s) => s.points.map((p) => p.cores)))].sort((a, b) => a - b);
    out.push(
      "cycles per operation, by cores booted:",
      table(["series", ...counts.map((c) => `${c} cores`)], r.series.map((s) => [s.name, ...counts.map((c) => fmt(s.points.find((p) => p.cores === c)?.cycles))])),
      "",
    );
  }
  if (r.lines.length) {
    out.push(
      "hottest cache lines (transactions queueing at the line's home):",
      table(
        ["simulation", "line", "home core", "transactions", "mean wait (cycles)", "max wait (cycles)"],
        r.lines.map((l) => [l.simulation, l.line, l.home, l.transactions, l.meanWait, l.maxWait]),
      ),
      "",
    );
  }
  const s = r.stats;
  out.push(`${s.events} events, ${s.messages} messages, ${s.windows} windows, ${s.simulatedCycles} simulated cycles, ${s.wallMs} ms wall summed over the simulations`);
  return out.join("\n");
}

const fmt = (v: unknown): string => (v === undefined ? "-" : Array.isArray(v) ? v.join("-") : String(v));
