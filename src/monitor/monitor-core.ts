// What a protocol sees of the monitor it runs in: its CPU driver, its replica,
// the agreement it takes part in, and the reply to the local application.
import type { CostModel } from "../hwmodel/index.ts";
import type { CpuDriver } from "../cpudriver/index.ts";
import type { Context } from "../engine/index.ts";
import type { Agreement } from "./agreement.ts";
import type { Replica } from "./replica.ts";

/** An operation the application started is done; `reason` says why it was refused; `value`: what a read of replicated state returned, or the version a write gave. */
export type Completion = { op: string; ok: boolean; reason: string | null; value?: number | null };

export interface MonitorCore {
  readonly core: number;
  readonly cost: CostModel;
  readonly cpu: CpuDriver;
  readonly replica: Replica;
  readonly agreement: Agreement;
  /** An operation the application asked for is done: reply to it (by LRPC when `lrpc`). */
  complete(ctx: Context, result: Completion, lrpc: boolean): void;
}
