// The durable engine from Node, for the CLI (`--engine durable`) and the
// bench: the project's Worker, bundled as it would be deployed, in workerd
// through Miniflare (local-worker.ts starts it), with one Simulation Durable
// Object per planned simulation, reached over its RPC interface.
import type { SimulationOutcome } from "../engine/index.ts";
import type { SimulationSpec, Simulator } from "../experiments/index.ts";
import type { Remote, SimulationApi, SimulationOptions, SimulationStatus } from "../core-object/protocol.ts";
import { startWorker } from "./local-worker.ts";

export interface LocalDurable {
  /** Runs one spec on a fresh Simulation object, to the end; its objects are deleted afterwards. */
  simulator: Simulator;
  /** The final status of every simulation so far, in order: DO calls, invocations. */
  statuses: SimulationStatus[];
  /** Stops workerd. */
  dispose(): Promise<void>;
}

/** Options of every simulation; `continueByAlarm` is always on, as `Simulation.run` needs. */
export type LocalOptions = Omit<SimulationOptions, "continueByAlarm">;

export async function startLocalDurable(options: LocalOptions = {}): Promise<LocalDurable> {
  const worker = await startWorker();
  const ns = await worker.miniflare.getDurableObjectNamespace("SIMULATION");
  const session = `local-${Date.now().toString(36)}`;
  const statuses: SimulationStatus[] = [];
  let started = 0;
  const simulator = async (spec: SimulationSpec): Promise<SimulationOutcome> => {
    const sim = ns.get(ns.idFromName(`${session}-${started++}`)) as unknown as Remote<SimulationApi>;
    const { status, outcome } = await sim.run(spec, options);
    statuses.push(status);
    if (!outcome) throw new Error(`durable simulation of ${spec.experiment} ${status.state}${status.error ? `: ${status.error}` : ""}`);
    const trace = options.trace ? await sim.traceRecords() : null;
    // Miniflare keeps storage in memory: free it, or a long sweep grows without bound.
    await sim.destroy();
    return { ...outcome, trace };
  };
  return { simulator, statuses, dispose: () => worker.dispose() };
}
