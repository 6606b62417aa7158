// Dispatchers: one per core per domain, never migrating. The CPU driver runs
// one by upcalling it; the dispatcher's own thread scheduler does the rest.
import type { CostModel } from "../hwmodel/index.ts";
import { cloneJson, type Json } from "../json.ts";
import type { CapRef, DomainId } from "./cspace.ts";

export type Message = {
  from: DomainId;
  payload: Json;
};

export type DispatcherState = "runnable" | "blocked";

/** LMP endpoint buffers live in the dispatcher's frame, so they are bounded. */
export const ENDPOINT_MESSAGES = 32;

export type Dispatcher = {
  domain: DomainId;
  core: number;
  /** The Dispatcher cap it was made from. */
  cap: CapRef;
  /** Physical address of its control block: what EndPoint caps to it name. */
  dcb: number;
  /** Root VNode of its address space. */
  vspace: CapRef;
  state: DispatcherState;
  /** Messages delivered to its endpoints by LRPC, oldest first. */
  endpoint: Message[];
};

/**
 * Upcalling a dispatcher to run it: the user-level half of Table 1's LRPC
 * (activation, user-level dispatch, a thread-scheduler pass), which the cost
 * model prices as lrpc() less the kernel crossing.
 */
export function upcallCost(cost: CostModel): number {
  return cost.lrpc() - cost.trap();
}

export function cloneDispatcher(d: Dispatcher): Dispatcher {
  return { ...d, endpoint: d.endpoint.map((m) => ({ from: m.from, payload: cloneJson(m.payload) })) };
}
