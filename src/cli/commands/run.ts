
import { EXPERIMENTS, inProcessSimulator, ParamError, runExperiment, type Simulator } from "../../experiments/index.ts";
import { ENGINES, toChromeTrace, type EngineName } from "../../engine/index.ts";
import { FaultsSchema, type Faults } from "../../core-object/protocol.ts";
import { fieldPath } from "../../hwmodel/index.ts";
import { writeFileSync } from "node:fs";
import { intListFlag, UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { MACHINE_FLAGS, machineFromFlags } from "../machine-flags.ts";
import { table } from "../table.ts";

/** The flags that set an experiment's parameters, by parameter. */
const FLAG_OF: Record<string, string> = { cores: "--cores", protocols: "--protocol", kernels: "--kernel" };

export const run: Command = {
  name: "run",
  args: "<experiment>",
  summary: `run an experiment: ${EXPERIMENTS.names.join(", ")}`,
  flags: {
    ...MACHINE_FLAGS,
    cores: { type: "string", description: "core counts of a sweep, e.g. 2,4,8" },
    protocol: { type: "string", description: "protocols to run (comma-separated), where the experiment has them" },
    kernel: { type: "string", description: "kernels to run (comma-separated), where the experiment has them" },
    params: { type: "string", description: "further experiment parameters as JSON" },
    engine: { type: "string", description: ENGINES.join(" or "), default: "inproc" },
    trace: { type: "string", description: "write the Chrome trace (Perfetto) of the first run to this file" },
    faults: { type: "string", description: 'durable engine: faults to inject as JSON, e.g. \'{"seed":7,"restart":{"rate":0.2},"failDeliveries":0.1}\'' },
  },
  async run(args) {
    const [name, ...extra] = args.positionals;
    if (!name) throw new UsageError(`name an experiment: ${EXPERIMENTS.names.join(", ")}`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const experiment = EXPERIMENTS.byName(name);
    if (!experiment) throw new UsageError(`unknown experiment "${name}"; experiments are ${EXPERIMENTS.names.join(", ")}`);
    const machine = machineFromFlags(args, experiment.defaultMachine);
    const { flags } = args;
    let params: Record<string, unknown> = {};
    if (flags.params !== undefined) {
      try {
        params = JSON.parse(String(flags.params));
      } catch (e) {
        throw new UsageError(`--params: not valid JSON: ${(e as Error).message}`);
      }
      if (typeof params !== "object" || params === null || Array.isArray(params)) throw new UsageError("--params: must be a JSON object");
    }
    const cores = intListFlag("cores", flags.cores, 1, machine.numCores);
    if (cores) params = { ...params, cores };
    for (const list of ["protocol", "kernel"] as const) {
      if (flags[list] !== undefined) params = { ...params, [`${list}s`]: String(flags[list]).split(",") };
    }
    const engine = flags.engine as EngineName;
    if (!ENGINES.includes(engine)) throw new UsageError(`--engine: must be ${ENGINES.join(" or ")}, not "${engine}"`);
    const traceFile = flags.trace as string | undefined;
    const faults = faultsFlag(flags.faults, engine);
    let dispose = async () => {};
    let simulator: Simulator = inProcessSimulator({ trace: Boolean(traceFile) });
    let injected = () => 0;
    if (engine === "durable") {
      const local = await import("../local-durable.ts");
      const d = await local.startLocalDurable({ trace: Boolean(traceFile), faults });
      simulator = d.simulator;
      dispose = d.dispose;
      injected = () => d.statuses.reduce((n, s) => n + s.faults, 0);
    }
    try {
      const { result, outcomes } = await runExperiment(name, machine, params, simulator, engine).catch((e: unknown) => {
        if (!(e instanceof ParamError)) throw e;
        const param = e.field.split(/[.[]/)[0];
        const flag = Object.hasOwn(FLAG_OF, param) ? FLAG_OF[param] : undefined;
        throw new UsageError(flag ? `${flag}: ${e.reason}` : `--params: ${e.field}: ${e.reason}`);
      });
      if (traceFile) {
        writeFileSync(traceFile, JSON.stringify(toChromeTrace(outcomes[0]?.trace ?? [], machine.clockGHz, `${name} on ${machine.name}`)));
      }
      const text = render(result) + (faults ? `\n${injected()} faults injected; every simulation delivered each message once, in order` : "");
      return { json: { ...result, hashes: undefined }, text };
    } finally {
      await dispose();
    }
  },
};

/** --faults: JSON in the API's `faults` shape, for the durable engine only. */
function faultsFlag(value: string | boolean | undefined, engine: EngineName): Faults | null {
  if (value === undefined) return null;
  if (engine !== "durable") throw new UsageError("--faults: only the durable engine has objects to fault: add --engine durable");
  let json: unknown;
  try {
    json = JSON.parse(String(value));
  } catch (e) {
    throw new UsageError(`--faults: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = FaultsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = fieldPath(issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path);
  throw new UsageError(`--faults: ${field ? `${field}: ` : ""}${issue.code === "unrecognized_keys" ? "not a fault" : issue.message}`);
}

function render(r: Awaited<ReturnType<typeof runExperiment>>["result"]): string {
  const out = [`${r.experiment} on ${r.machine} (${r.engine} engine)`, ""];
  if (r.rows.length) {
    const keys = Object.keys(r.rows[0] as object);
    out.push(table(keys, (r.rows as Record<string, unknown>[]).map((row) => keys.map((k) => fmt(row[k])))), "");
  }
  if (r.series.length) {
    const counts = [...new Set(r.series.flatMap((s) => s.points.map((p) => p.cores)))].sort((a, b) => a - b);
    out.push(
      "cycles per operation, by cores:",
      table(["series", ...counts.map(String)], r.series.map((s) => [s.name, ...counts.map((c) => fmt(s.points.find((p) => p.cores === c)?.cycles))])),
      "",
    );
  }
  const s = r.stats;
  out.push(`${s.events} events, ${s.messages} messages, ${s.windows} windows, ${s.simulatedCycles} simulated cycles, ${s.wallMs} ms wall`);
  return out.join("\n");
}

const fmt = (v: unknown): string => (v === undefined ? "-" : Array.isArray(v) ? v.join("-") : String(v));


