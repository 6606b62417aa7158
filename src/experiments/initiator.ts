// The application of the agreement experiments: core 0 issues operations
// through its monitor and times each one from the call to the reply; every
// other core's application is idle, its monitor does the work.
import type { Json } from "../engine/index.ts";
import type { Application, Os } from "../monitor/index.ts";

export interface LoopPlan {
  /** Operations in a row, each issued when the previous completes. */
  reps: number;
  /** Operations issued at once, before any completes (pipelined); 1 for one at a time. */
  batch: number;
  /** The routing tree the operations travel along. */
  protocol: string;
}

/**
 * Issue operations with `issue(os, i, protocol)`; record each one's latency,
 * or each batch's cost per operation. One application per experiment, the
 * same for every run: what varies comes in the start event.
 */
export function initiatorLoop(issue: (os: Os, i: number, protocol: string) => void): Application {
  const begin = (os: Os) => {
    os.vars.t0 = os.now;
    os.vars.open = os.vars.batch as number;
    for (let b = 0; b < (os.vars.batch as number); b++) issue(os, (os.vars.issued as number) + b, os.vars.protocol as string);
    os.vars.issued = (os.vars.issued as number) + (os.vars.batch as number);
  };
  return {
    start(os, data) {
      const plan = data as unknown as LoopPlan;
      Object.assign(os.vars, { reps: plan.reps, batch: plan.batch, protocol: plan.protocol, done: 0, issued: 0 } as Record<string, Json>);
      begin(os);
    },
    done(os, result) {
      if (!result.ok) os.record("aborted", result.op);
      os.vars.open = (os.vars.open as number) - 1;
      if ((os.vars.open as number) > 0) return;
      os.record("cycles", (os.now - (os.vars.t0 as number)) / (os.vars.batch as number));
      os.vars.done = (os.vars.done as number) + 1;
      if ((os.vars.done as number) < (os.vars.reps as number)) begin(os);
    },
  };
}

/** The per-operation cycles core 0 recorded. */
export function cyclesOf(result: Json): number[] {
  return ((result as { records: { cycles?: number[] } }).records.cycles ?? []) as number[];
}
