// What Barrelfish's message dispatch costs a monitor beyond the raw UMP
// message (URPC_SEND, URPC_RECEIVE and the line transfers): Flounder's
// generated stubs on both sides of every message, the waitset's polling loop
// over the monitor's bindings, and the dispatch loop of the user-level
// threads package that every operation an application asks for goes through.
import { PAPER_URPC, type Machine } from "../hwmodel/index.ts";

/**
 * One message through Flounder's stubs between two polling dispatchers:
 * about 600 cycles (the paper's mechanism figures).
 */
export const FLOUNDER_MESSAGE = 600;
/**
 * The waitset's polling loop visiting one UMP channel with nothing new: three
 * dependent loads that hit the L1 (the next channel in the polled list, the
 * endpoint's ring position, the slot's header word), 3 cycles each on Family
 * 10h (AMD's Software Optimization Guide for Family 10h, load-to-use
 * latency), the epoch compare and the call: about 12 cycles, estimated from
 * the code path (Barrelfish's lib/barrelfish/waitset.c and ump_endpoint.h).
 */
export const WAITSET_VISIT = 12;
/**
 * What an operation an application asks of its monitor (unmap, retype)
 * spends in "the message dispatch loop of the user-level threads package",
 * which the paper names as Barrelfish's unmap overhead, constant in the
 * number of cores (section 5.1). Fitted to Figure 7's two-core Barrelfish
 * point (about 10,300 cycles on the 8x4-core AMD).
 */
export const DISPATCH_LOOP_PER_OPERATION = 5446;

/** What Flounder and the waitset cost a monitor of one machine. */
export type FlounderCosts = { send: number; receive: number; visit: number };

/**
 * What the stubs add to the raw UMP message: FLOUNDER_MESSAGE less the raw
 * one-way message on the 8x4-core AMD where the evaluation runs (Table 2's
 * shared-L3 figure, 538 cycles, halved when the machine's costs read it as a
 * round trip: 331 cycles). Split by the work each side does, a third to the
 * sender (marshalling, sequence and ack bookkeeping, a trace event) and two
 * thirds to the receiver (the same bookkeeping and trace event, the
 * forced-ack check, unmarshalling, one more poll of the next slot and
 * re-registering the channel in the waitset): the split is an assumption.
 */
export function flounderCosts(m: Machine): FlounderCosts {
  const l3 = PAPER_URPC.find((f) => f.machine === "amd-8x4" && f.pair === "shared-cache")!.latency;
  const stubs = FLOUNDER_MESSAGE - (m.description.table2Latency === "one-way" ? l3 : l3 / 2);
  const send = Math.round(stubs / 3);
  return { send, receive: stubs - send, visit: WAITSET_VISIT };
}
