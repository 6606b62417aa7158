// The durable engine from Node, for the CLI (`--engine durable`) and the
// bench: the project's Worker, bundled as it would be deployed, in workerd
// through Miniflare (bench/workerd.ts starts it), with one Run Durable Object
// per planned run, reached over the Run's RPC interface. Node-only: the
// Worker never imports this file.
import { startWorker } from "../../bench/workerd.ts";
import type { RunOutcome } from "../engine/index.ts";
import type { RunSpec, SpecRunner } from "../experiments/index.ts";
import type { RunOptions, RunStatus } from "./run.ts";
import type { RunStub } from "./stubs.ts";

export interface LocalDurable {
  /** Runs one spec on a fresh Run object, to the end; the run's objects are deleted afterwards. */
  runner: SpecRunner;
  /** The final status of every run so far, in order: DO calls, invocations. */
  statuses: RunStatus[];
  /** Stops workerd. */
  dispose(): Promise<void>;
}

/** Options of every run; `continueByAlarm` is always on, as `Run.run` needs. */
export type LocalOptions = Omit<RunOptions, "continueByAlarm">;

export async function startLocalDurable(options: LocalOptions = {}): Promise<LocalDurable> {
  const worker = await startWorker();
  const runs = await worker.miniflare.getDurableObjectNamespace("RUN");
  const session = `local-${Date.now().toString(36)}`;
  const statuses: RunStatus[] = [];
  let started = 0;
  const runner = async (spec: RunSpec): Promise<RunOutcome> => {
    const run = runs.get(runs.idFromName(`${session}-${started++}`)) as unknown as RunStub;
    const { status, outcome } = await run.run(spec, options);
    statuses.push(status);
    if (!outcome) throw new Error(`durable run of ${spec.experiment} ${status.state}${status.error ? `: ${status.error}` : ""}`);
    const trace = options.trace ? await run.traceRecords() : null;
    // Miniflare keeps storage in memory: free it, or a long sweep grows without bound.
    await run.destroy();
    return { ...outcome, trace };
  };
  return { runner, statuses, dispose: () => worker.dispose() };
}
