// The durable engine from Node, for the CLI (`--engine durable`) and the
// bench: the project's Worker, bundled as it would be deployed, in workerd
// through Miniflare (local-worker.ts starts it), with one Simulation Durable
// Object per planned simulation, reached over its RPC interface.
import type { SimulationOutcome } from "../engine/index.ts";
import type { SimulationSpec, Simulator } from "../experiments/index.ts";
import type { Remote, SimulationApi, SimulationOptions, SimulationStatus } from "../core-object/protocol.ts";
import { RunFailure } from "./command.ts";
import { startWorker } from "./local-worker.ts";

export interface LocalDurable {
  /** Runs one spec on a fresh Simulation object, to the end; its objects are deleted afterwards. Several may run at once. */
  simulator: Simulator;
  /** Simulations to run at once: the Worker's MAX_PARALLEL_SIMULATIONS, as a run on it would. */
  parallel: number;
  /** The final status of every simulation so far, in the order they ended: DO calls, invocations. */
  statuses: SimulationStatus[];
  /** Simulations ended and under way, and the events and windows of all of them so far. */
  progress(): Promise<LocalProgress>;
  /** Stops workerd. */
  dispose(): Promise<void>;
}

export interface LocalProgress {
  done: number;
  underWay: number;
  events: number;
  windows: number;
}

/** Options of every simulation; `continueByAlarm` is always on, as `Simulation.run` needs. */
export type LocalOptions = Omit<SimulationOptions, "continueByAlarm">;

/**
 * What workerd says of every object method Node calls through Miniflare's
 * proxy: the proxy reads the method off the stub first, which hands it a stub
 * of the method that it never disposes. Not this project's stubs, and nothing
 * a user can act on.
 */
const PROXY_STUB_WARNING = /^An RPC stub was not disposed properly\./;

export async function startLocalDurable(options: LocalOptions = {}): Promise<LocalDurable> {
  const worker = await startWorker({ dropOutput: PROXY_STUB_WARNING });
  const ns = await worker.miniflare.getDurableObjectNamespace("SIMULATION");
  const session = `local-${Date.now().toString(36)}`;
  const statuses: SimulationStatus[] = [];
  const underWay = new Set<Remote<SimulationApi>>();
  let started = 0;
  const simulator = async (spec: SimulationSpec): Promise<SimulationOutcome> => {
    const sim = ns.get(ns.idFromName(`${session}-${started++}`)) as unknown as Remote<SimulationApi>;
    underWay.add(sim);
    const { status, outcome } = await sim.run(spec, options).finally(() => underWay.delete(sim));
    statuses.push(status);
    if (!outcome) throw new RunFailure(`durable simulation of ${spec.experiment} ${status.state}${status.error ? `: ${status.error}` : ""}`);
    const trace = options.trace ? await sim.traceRecords() : null;
    // Miniflare keeps storage in memory: free it, or a long sweep grows without bound.
    await sim.destroy();
    return { ...outcome, trace };
  };
  const progress = async (): Promise<LocalProgress> => {
    // A simulation not yet started answers null; one that ends meanwhile is counted once, as ended.
    const live = (await Promise.all([...underWay].map((sim) => sim.status()))).filter((s) => s !== null && !statuses.some((t) => t.simulation === s.simulation));
    const all = [...statuses, ...live] as SimulationStatus[];
    // Under way from the call that starts it, before its first status: no "0 under way" between two simulations.
    return { done: statuses.length, underWay: underWay.size, events: all.reduce((n, s) => n + s.progress.events, 0), windows: all.reduce((n, s) => n + s.progress.windows, 0) };
  };
  const parallel = Number(worker.vars.MAX_PARALLEL_SIMULATIONS);
  return { simulator, parallel, statuses, progress, dispose: () => worker.dispose() };
}
