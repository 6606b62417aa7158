// The application of the agreement experiments: core 0 issues operations
// through its monitor and times each one from the call to the reply; every
// other core's application is idle, its monitor does the work.
import type { SimulationOutcome } from "../engine/index.ts";
import type { Application, Os } from "../kernel/index.ts";
import { recordsOf } from "./system.ts";

/** What the start event tells the initiator. */
export type LoopPlan = {
  /** Operations in a row, each issued when the previous completes. */
  reps: number;
  /** Operations issued at once, before any completes (pipelined); 1 for one at a time. */
  batch: number;
  /** The routing tree the operations travel along. */
  protocol: string;
};

type LoopState = LoopPlan & {
  /** Operations issued and batches completed so far, operations of this batch still open. */
  issued: number;
  done: number;
  open: number;
  /** When the current batch was issued. */
  t0: number;
};

const IDLE: LoopState = { reps: 0, batch: 0, protocol: "", issued: 0, done: 0, open: 0, t0: 0 };

/**
 * Issue operations with `issue(os, i, protocol)`; record each one's latency,
 * or each batch's cost per operation. One application per experiment, the
 * same for every run: what varies comes in the start event.
 */
export function initiatorLoop(issue: (os: Os<LoopState>, i: number, protocol: string) => void): Application<LoopState, LoopPlan> {
  const begin = (os: Os<LoopState>) => {
    const s = os.state;
    s.t0 = os.now;
    s.open = s.batch;
    for (let b = 0; b < s.batch; b++) issue(os, s.issued + b, s.protocol);
    s.issued += s.batch;
  };
  return {
    initial: IDLE,
    start(os, plan) {
      os.state = { ...IDLE, reps: plan.reps, batch: plan.batch, protocol: plan.protocol };
      begin(os);
    },
    done(os, result) {
      const s = os.state;
      if (!result.ok) os.record("aborted", result.op);
      if (--s.open > 0) return;
      os.record("cycles", (os.now - s.t0) / s.batch);
      if (++s.done < s.reps) begin(os);
    },
  };
}

/** The per-operation cycles core 0 recorded. */
export function cyclesOf(o: SimulationOutcome): number[] {
  return (recordsOf(o, 0).cycles ?? []) as number[];
}
