// The flags that pick a machine, shared by every command that runs on one:
// a preset by name, or a JSON description file, optionally with a measured
// latency matrix from a CSV file standing in for the derived latencies.
import { Machine, MachineError, PRESET_NAMES, parseLatencyCsv, preset, type Table2Latency } from "../hwmodel/index.ts";
import { UsageError, type FlagSpec, type ParsedArgs } from "./args.ts";
import { readText } from "./files.ts";

/** The machine every command runs on when none is named: the paper's largest. */
export const DEFAULT_MACHINE = "amd-8x4";

/** The flags, with the machine taken when none is named; none given: each experiment's own. */
export function machineFlags(fallback?: string): FlagSpec {
  const byDefault = fallback ? `(default ${fallback})` : "(default: each experiment's own, see run <experiment> --help)";
  return {
    machine: { type: "string", value: "<name>", description: `a preset machine: ${PRESET_NAMES.join(", ")} ${byDefault}` },
    "machine-file": { type: "string", value: "<file>", description: "a JSON machine description instead of a preset" },
    "latency-csv": { type: "string", value: "<file>", description: "a measured core-to-core latency matrix (CSV, N x N, one-way) in place of the derived latencies" },
    "latency-unit": { type: "string", value: "<unit>", description: "the unit of the CSV: ns or cycles", default: "ns" },
    ...ASSUME_FLAG,
  };
}

/** How a preset's costs read the paper's Table 2 latency. */
export const ASSUME_FLAG: FlagSpec = {
  assume: {
    type: "string",
    value: "<reading>",
    description: "a preset's costs as fitted reading Table 2's latency as a round trip (as ump_bench prints it) or as one-way",
    default: "round-trip",
  },
};

export function table2FromFlags(args: ParsedArgs): Table2Latency {
  const a = args.flags.assume;
  if (a !== "round-trip" && a !== "one-way") throw new UsageError(`--assume: must be round-trip or one-way, got "${a}"`);
  return a;
}

/** The machine the flags describe; `named`: how a preset's name was given, for its error (a positional argument names itself). */
export function machineFromFlags(args: ParsedArgs, fallback = DEFAULT_MACHINE, named = "--machine"): Machine {
  const { flags } = args;
  const name = flags.machine as string | undefined;
  const file = flags["machine-file"] as string | undefined;
  if (name && file) throw new UsageError("give --machine or --machine-file, not both");
  if (file && args.given.has("assume")) throw new UsageError("--assume: picks a preset's fitted costs; a --machine-file gives its own (and may set table2Latency)");
  let description: unknown;
  if (file) {
    try {
      description = JSON.parse(readText("machine-file", file));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--machine-file: ${file} is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    const m = preset(name ?? fallback, table2FromFlags(args));
    if (!m) throw new UsageError(`${named}: must be one of ${PRESET_NAMES.join(", ")}, got "${name}"`);
    description = m.description;
  }
  const csv = flags["latency-csv"] as string | undefined;
  if (csv) {
    const unit = flags["latency-unit"];
    if (unit !== "ns" && unit !== "cycles") throw new UsageError(`--latency-unit: must be ns or cycles, got "${unit}"`);
    try {
      const values = parseLatencyCsv(readText("latency-csv", csv));
      description = { ...(description as object), latencyMatrix: { unit, values } };
    } catch (e) {
      if (e instanceof MachineError) throw new UsageError(`--latency-csv: ${e.message}`);
      throw e;
    }
  }
  return Machine.from(description);
}
