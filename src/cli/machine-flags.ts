// The flags that pick a machine, shared by every command that runs on one:
// a preset by name, or a JSON description file, optionally with a measured
// latency matrix from a CSV file standing in for the derived latencies.
import { readFileSync } from "node:fs";
import { Machine, MachineError, PRESET_NAMES, parseLatencyCsv, preset } from "../hwmodel/index.ts";
import { UsageError, type FlagSpec, type ParsedArgs } from "./args.ts";

export const MACHINE_FLAGS: FlagSpec = {
  machine: { type: "string", description: `preset machine: ${PRESET_NAMES.join(", ")}` },
  "machine-file": { type: "string", description: "JSON machine description file" },
  "latency-csv": { type: "string", description: "measured core-to-core latency matrix (CSV, N x N, one-way)" },
  "latency-unit": { type: "string", description: "unit of the CSV: ns or cycles", default: "ns" },
};

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function machineFromFlags(args: ParsedArgs, fallback?: string): Machine {
  const { flags } = args;
  const name = flags.machine as string | undefined;
  const file = flags["machine-file"] as string | undefined;
  if (name && file) throw new UsageError("give --machine or --machine-file, not both");
  let description: unknown;
  if (file) {
    try {
      description = JSON.parse(readText("machine-file", file));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--machine-file: ${file} is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    const chosen = name ?? fallback;
    if (!chosen) throw new UsageError(`--machine is required (one of ${PRESET_NAMES.join(", ")}) or --machine-file`);
    const m = preset(chosen);
    if (!m) throw new UsageError(`--machine: unknown machine "${chosen}"; presets are ${PRESET_NAMES.join(", ")}`);
    description = m.description;
  }
  const csv = flags["latency-csv"] as string | undefined;
  if (csv) {
    const unit = flags["latency-unit"];
    if (unit !== "ns" && unit !== "cycles") throw new UsageError(`--latency-unit: must be ns or cycles, not "${unit}"`);
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
