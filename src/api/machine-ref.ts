// The machine a request names: a preset by name, or a description in the
// body. The SKB's facts cover every pair of a machine's cores, so machines
// are bounded by the largest run the server takes.
import { Machine, MachineError, PRESET_NAMES, preset, type Table2Latency } from "../hwmodel/index.ts";
import type { Env } from "../env.ts";
import { ApiError, fail, machineIssues } from "./errors.ts";

export interface MachineRefInput {
  machine?: string;
  machineDescription?: unknown;
  assume?: Table2Latency;
}

export function machineFrom(ref: MachineRefInput, env: Env, fallback?: string): Machine {
  if (ref.machine !== undefined && ref.machineDescription !== undefined) throw fail(400, "machineDescription", "give machine or machineDescription, not both");
  if (ref.machineDescription === undefined) {
    const name = ref.machine ?? fallback;
    if (name === undefined) throw fail(400, "machine", `name a preset (${PRESET_NAMES.join(", ")}) or give machineDescription`);
    return preset(name, ref.assume)!; // the schema admits presets only
  }
  if (ref.assume !== undefined) throw fail(400, "assume", "picks a preset's fitted costs; a machineDescription gives its own (and may set table2Latency)");
  const m = describedMachine(ref.machineDescription, "machineDescription");
  const max = Number(env.MAX_CORES_PER_RUN);
  if (m.numCores > max) throw fail(422, "machineDescription", `${m.numCores} cores; this server takes machines of at most ${max} (MAX_CORES_PER_RUN)`);
  return m;
}

/** A machine from a description; its problems are a 422 naming each field under `prefix`. */
export function describedMachine(description: unknown, prefix = ""): Machine {
  try {
    return Machine.from(description);
  } catch (e) {
    if (e instanceof MachineError) throw new ApiError(422, machineIssues(e.issues, prefix));
    throw e;
  }
}
