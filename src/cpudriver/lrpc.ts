// LRPC: a message from one dispatcher to another on the same core. The
// sender traps with an EndPoint cap it holds; the CPU driver checks the cap,
// copies the message into the target's endpoint buffer and hands the core
// straight to the target (Table 1: trap, switch, upcall). An EndPoint to a
// dispatcher on another core is no use here: that is what URPC is for.
import type { CapRef, CSpace, DomainId } from "./cspace.ts";
import { cloneJson, type Json } from "../json.ts";
import { ENDPOINT_MESSAGES, type Dispatcher } from "./dispatcher.ts";
import { KernelError } from "./errors.ts";
import type { Scheduler } from "./scheduler.ts";

/** Check and deliver one LRPC; the target, which now runs. */
export function deliverLrpc(cspace: CSpace, sched: Scheduler, from: DomainId, ep: CapRef, payload: Json): Dispatcher {
  const sender = sched.get(from);
  const cap = cspace.expect(ep, "EndPoint", from);
  const target = sched.byDcb(cap.base);
  if (!target) {
    throw new KernelError(
      "no_such_dispatcher",
      `EndPoint ${ep} names no dispatcher on core ${sender.core} (LRPC is core-local: use URPC)`,
    );
  }
  if (target.endpoint.length >= ENDPOINT_MESSAGES) {
    throw new KernelError("endpoint_full", `domain ${target.domain}'s endpoint buffer holds ${ENDPOINT_MESSAGES} messages`);
  }
  target.endpoint.push({ from, payload: cloneJson(payload) });
  sched.unblock(target.domain);
  sched.switchTo(target.domain);
  return target;
}
